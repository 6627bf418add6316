//go:build netlib && linux

package openblas

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// threadCPU returns the CPU time (user + system, in clock ticks) of each
// thread of this process, from /proc/self/task.
func threadCPU(t *testing.T) map[string]int {
	dirs, err := filepath.Glob("/proc/self/task/*")
	if err != nil || len(dirs) == 0 {
		t.Skip("no /proc/self/task")
	}
	cpu := map[string]int{}
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue // the thread ended
		}
		// Fields after the parenthesised command name: state is field 3,
		// utime and stime are fields 14 and 15.
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
		u, _ := strconv.Atoi(f[11])
		s, _ := strconv.Atoi(f[12])
		cpu[filepath.Base(d)] = u + s
	}
	return cpu
}

// busyThreads runs large products on the calling goroutine's locked thread
// and returns the CPU ticks that thread and all the others used meanwhile.
func busyThreads(t *testing.T) (caller, rest int) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	const n = 512
	a, b, c := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	for i := range a {
		a[i], b[i] = float32(i%7), float32(i%5)
	}
	impl := blas32.Implementation()
	gemm := func() {
		impl.Sgemm(blas.NoTrans, blas.NoTrans, n, n, n, 1, a, n, b, n, 0, c, n)
		impl.Saxpy(n*n, 1, a, 1, c, 1) // the reduction's call, long enough for OpenBLAS to thread it
	}
	gemm() // OpenBLAS's own start-up work is not what is measured
	before := threadCPU(t)
	for range 250 { // about 70 GFLOP: a second or more of CPU on one core
		gemm()
	}
	after := threadCPU(t)
	var used []int
	for id, ticks := range after {
		used = append(used, ticks-before[id])
	}
	slices.Sort(used)
	slices.Reverse(used)
	for _, u := range used[1:] {
		rest += u
	}
	t.Logf("%d threads; CPU ticks used during the products, busiest first: %v", len(after), used)
	if used[0] < 20 {
		t.Skipf("the products took only %d ticks: too short to judge", used[0])
	}
	return used[0], rest
}

// TestNoHiddenBLASThreads: large products called from one goroutine keep
// one thread busy. OpenBLAS starts a thread pool when it loads; with one
// thread set, the pool stays idle, so --workers is the only knob. The
// control run with two OpenBLAS threads shows that the test can tell.
func TestNoHiddenBLASThreads(t *testing.T) {
	if caller, rest := busyThreads(t); rest*4 > caller {
		t.Errorf("threads other than the caller's used %d ticks against its %d: OpenBLAS runs threads of its own", rest, caller)
	}
	if runtime.NumCPU() < 2 {
		return
	}
	t.Run("control with two OpenBLAS threads", func(t *testing.T) {
		runtime.LockOSThread() // an OpenMP build keeps the setting per thread
		defer runtime.UnlockOSThread()
		setThreads(2)
		defer setThreads(1)
		if Threads() != 2 {
			t.Skip("this OpenBLAS cannot run two threads")
		}
		if caller, rest := busyThreads(t); rest*4 <= caller {
			t.Errorf("with two OpenBLAS threads the others used only %d ticks against the caller's %d", rest, caller)
		}
	})
}
