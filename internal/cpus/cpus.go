package cpus

import "runtime"

// Max is the most workers a caller may ask for. Every worker is a
// goroutine with state of its own (a parse worker keeps its columns'
// statistics and dictionaries), so a count like 10⁹ would exhaust the
// memory before any work began; no machine this runs on has more cores.
const Max = 1024

// Workers returns the number of workers n asks for: n itself when it is
// in 1…Max, runtime.GOMAXPROCS(0) when it is 0. For any other n it returns
// what a count must be, for the caller's error ("want 0 (one per CPU) or
// more", "want at most 1024"); want is "" for a count it takes.
func Workers(n int) (w int, want string) {
	switch {
	case n < 0:
		return 0, "want 0 (one per CPU) or more"
	case n > Max:
		return 0, "want at most 1024"
	case n == 0:
		return runtime.GOMAXPROCS(0), ""
	}
	return n, ""
}
