package gemm

import (
	"fmt"
	"os"
	"sync/atomic"

	"github.com/densetrain/densetrain/pkg/tensor"
)

// Float is the element type of a product (tensor.Float); the package is
// instantiated with float32 and float64 only, through Sgemm and Dgemm.
type Float = tensor.Float

// kernel computes an r×NR tile (r ≤ MR) of a product from a packed A
// micro-panel a (MR values per step of the inner dimension) and a B panel
// b (NR values per step, steps ldb elements apart: NR when packed, B's row
// stride when B is read in place), over kc steps, and folds it into c (row
// stride ldc) as selected by mode (see modeOf).
type kernel[T Float] func(r, kc int, a, b, c []T, ldb, ldc int, alpha, beta T, mode int)

// path is one set of micro-kernels with its register and cache blocking.
type path[T Float] struct {
	name   string
	mr, nr int // micro-tile: rows of A, columns of B
	mc, nc int // cache blocks: rows of A (multiple of mr), columns of B (of nr)
	kern   kernel[T]
}

// The fold of an accumulated block into C (the same for every path):
//
//	modeSet:   c = alpha·acc
//	modeAdd:   c = fma(alpha, acc, c)
//	modeScale: c = fma(alpha, acc, beta·c)
const (
	modeSet = iota
	modeAdd
	modeScale
)

// modeOf is the fold of the first KC block for beta; later blocks add.
func modeOf[T Float](beta T) int {
	switch beta {
	case 0:
		return modeSet
	case 1:
		return modeAdd
	}
	return modeScale
}

// KC, the block of the inner dimension, fixes the summation order, so it is
// the same on every path: k is cut into ⌈k/kcMax⌉ blocks of equal length
// (the last one shorter), whatever the CPU.
const (
	kcMax32 = 384
	kcMax64 = 256
)

// kcBlock returns the length of the KC blocks for an inner dimension k.
func kcBlock[T Float](k int) int {
	var z T
	limit := kcMax64
	if _, ok := any(z).(float32); ok {
		limit = kcMax32
	}
	nb := (k + limit - 1) / limit
	return (k + nb - 1) / nb
}

var (
	path32 atomic.Pointer[path[float32]]
	path64 atomic.Pointer[path[float64]]
)

// PathEnv names the environment variable that, when set, forces the
// kernels: "avx512", "avx2" or "portable" (tests use it to run every path
// this CPU has; a path the CPU or build lacks stops the program at start
// with one line on stderr and exit code 2).
const PathEnv = "DENSETRAIN_GEMM_PATH"

func init() {
	name := os.Getenv(PathEnv)
	if name == "" {
		name = bestPath()
	}
	if !usePath(name) {
		// A developer's knob set to what this machine lacks: one line
		// and exit 2, as for any bad setting, rather than a panic's trace.
		fmt.Fprintf(os.Stderr, "densetrain: %s=%q: this CPU and build have no such kernels (avx512, avx2 or portable; best here: %s)\n", PathEnv, name, bestPath())
		os.Exit(2)
	}
}

// usePath selects the kernels by name ("avx512", "avx2" or "portable") and
// reports whether this CPU and build have them. Tests use it to force the
// portable path.
func usePath(name string) bool {
	p32, p64 := paths(name)
	if p32 == nil || p64 == nil {
		return false
	}
	path32.Store(p32)
	path64.Store(p64)
	return true
}

// Path returns the name of the kernels in use: "avx512", "avx2" or
// "portable".
func Path() string { return path32.Load().name }

// pathOf returns the path in use for T.
func pathOf[T Float]() *path[T] {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(path32.Load()).(*path[T])
	}
	return any(path64.Load()).(*path[T])
}
