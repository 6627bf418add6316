package cpus

import (
	"runtime"
	"testing"
)

// TestWorkers: a positive count up to Max is itself, 0 is one per CPU, a
// negative count and one above Max are refused with what a count must be.
func TestWorkers(t *testing.T) {
	for _, tc := range []struct {
		n, want int
		ok      bool
	}{{3, 3, true}, {1, 1, true}, {Max, Max, true}, {0, runtime.GOMAXPROCS(0), true}, {-1, 0, false}, {Max + 1, 0, false}, {1e9, 0, false}} {
		w, why := Workers(tc.n)
		if w != tc.want || (why == "") != tc.ok {
			t.Errorf("Workers(%d) = %d, %q; want %d, ok %v", tc.n, w, why, tc.want, tc.ok)
		}
	}
}
