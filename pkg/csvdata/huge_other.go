//go:build !linux

package csvdata

// hugePages does nothing outside Linux.
func hugePages[T any](s []T, workers int) {}
