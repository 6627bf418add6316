//go:build !linux

package csvdata

// prefault does nothing outside Linux.
func prefault[T any](s []T, threads int) {}

// hugePages reports whether transparent huge pages may be asked for: not
// outside Linux.
var hugePages = func() bool { return false }
