package cpus

import (
	"runtime"
	"testing"
)

// TestWorkers: a positive count is itself, 0 is one per CPU, a negative
// count is refused.
func TestWorkers(t *testing.T) {
	for _, tc := range []struct {
		n, want int
		ok      bool
	}{{3, 3, true}, {1, 1, true}, {0, runtime.GOMAXPROCS(0), true}, {-1, 0, false}} {
		if w, ok := Workers(tc.n); w != tc.want || ok != tc.ok {
			t.Errorf("Workers(%d) = %d, %v; want %d, %v", tc.n, w, ok, tc.want, tc.ok)
		}
	}
}
