//go:build !linux

package main

import "time"

// cpuTime reports false: process CPU time is read on Linux only.
func cpuTime() (time.Duration, bool) { return 0, false }
