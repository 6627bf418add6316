//go:build !linux

package csvdata

// prefault does nothing outside Linux.
func prefault[T any](s []T, threads int, huge bool) {}
