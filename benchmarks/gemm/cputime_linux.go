package main

import (
	"time"

	"golang.org/x/sys/unix"
)

// cpuTime returns the CPU time the process has used, or false if it
// cannot tell.
func cpuTime() (time.Duration, bool) {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts) != nil {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
