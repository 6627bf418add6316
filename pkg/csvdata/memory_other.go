//go:build !linux

package csvdata

// systemMemory is unknown here: only the Go memory limit bounds a read.
func systemMemory() (uint64, string) { return 0, "" }
