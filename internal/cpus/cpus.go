package cpus

import "runtime"

// Workers returns the number of workers n asks for: n itself when it is
// positive, runtime.GOMAXPROCS(0) when it is 0. ok is false for a negative
// n, which the caller refuses.
func Workers(n int) (w int, ok bool) {
	switch {
	case n > 0:
		return n, true
	case n == 0:
		return runtime.GOMAXPROCS(0), true
	}
	return 0, false
}
