//go:build !linux

package tabular

// physicalMemory is unknown here: no memory check.
func physicalMemory() uint64 { return 0 }
