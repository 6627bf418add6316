// Package cpus holds the one rule for a number of workers that a caller
// leaves to the machine: 0 means one per CPU the Go scheduler runs on
// (runtime.GOMAXPROCS), and a negative number is no number of workers.
package cpus
