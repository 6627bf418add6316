package nn

import (
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/densetrain/densetrain/internal/floatslice"
)

// This file is the engine's only door to BLAS. Matrix products go through
// blas32.Gemm/blas64.Gemm (and Gemv), i.e. through whatever implementation
// is installed with blas32.Use/blas64.Use: by default (backend_gemm.go)
// internal/gemm's Implementation, gonum's native BLAS with a serial,
// deterministic, allocation-free Sgemm/Dgemm of FMA micro-kernels; with the
// netlib tag single-threaded OpenBLAS. The guarantees below (serial
// products, bits independent of the worker count) hold for these; another
// implementation brings its own threading and kernels, which must then be
// single-threaded and deterministic for the same guarantees to hold.
//
// gonum's own pure-Go GEMM, should its native implementation be installed
// again (blas32.Use(gonum.Implementation{})), starts up to GOMAXPROCS
// goroutines once a product has four or more 64×64 output blocks. Inside a
// data-parallel worker that would break the rule that the worker count is
// the one parallelism knob, and would allocate on every call. So, when
// exactly that implementation is installed (serialTiles), products are cut
// into output tiles of at most three blocks, which gonum runs serially.
// Each output element is still computed by the same serial kernel over the
// full inner dimension, so the tiling does not change any result. Any
// other implementation gets each product whole, in one call.

const (
	gonumBlock   = 64 // gonum's GEMM block edge
	gonumMaxTile = 3  // blocks per serial tile (gonum goes parallel at 4)
)

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// Gemm computes c = alpha·op(a)·op(b) + beta·c, where op transposes its
// operand when the flag is set, through the installed blas32/blas64
// implementation. With gonum's native implementation it runs serially on
// the calling goroutine (see above), as it does with the default
// internal/gemm. It is the product every layer uses.
func Gemm[T Float](tA, tB bool, alpha T, a, b Matrix[T], beta T, c Matrix[T]) {
	k := a.Cols
	if tA {
		k = a.Rows
	}
	gemmSized(tA, tB, c.Rows, c.Cols, k, alpha, a, b, beta, c)
}

// GemmBlock is Gemm on blocks of columns: c's n columns from cCol =
// alpha·op(a)·op(b) + beta·c, op(a) being m×k and op(b) k×n, where a's
// stored columns start at aCol and b's at bCol (each matrix's Cols is its
// row stride). A layer of groups (DenseGroups) multiplies each group's
// columns so.
func GemmBlock[T Float](tA, tB bool, m, n, k int, alpha T, a Matrix[T], aCol int, b Matrix[T], bCol int, beta T, c Matrix[T], cCol int) {
	a.Data, b.Data, c.Data = a.Data[aCol:], b.Data[bCol:], c.Data[cCol:]
	gemmSized(tA, tB, m, n, k, alpha, a, b, beta, c)
}

// gemmSized is Gemm of an m×n product over k.
func gemmSized[T Float](tA, tB bool, m, n, k int, alpha T, a, b Matrix[T], beta T, c Matrix[T]) {
	if m == 0 || n == 0 {
		return
	}
	if !serialTiles[T]() {
		gemmTile(tA, tB, m, n, k, alpha, a, 0, b, 0, beta, c, 0, 0)
		return
	}
	// Tile shape: keep whole rows when the columns fit in the budget.
	bn := (n + gonumBlock - 1) / gonumBlock
	tn, tm := n, 0
	if bn <= gonumMaxTile {
		tm = gonumMaxTile / bn * gonumBlock
	} else {
		tn, tm = gonumMaxTile*gonumBlock, gonumBlock
	}
	for i := 0; i < m; i += tm {
		for j := 0; j < n; j += tn {
			gemmTile(tA, tB, min(tm, m-i), min(tn, n-j), k, alpha, a, i, b, j, beta, c, i, j)
		}
	}
}

// gemmTile computes the mt×nt block of c at (i, j).
func gemmTile[T Float](tA, tB bool, mt, nt, k int, alpha T, a Matrix[T], i int, b Matrix[T], j int, beta T, c Matrix[T], ci, cj int) {
	var aOff, bOff int
	if tA {
		aOff = i // a is k×m: columns i… of every row
	} else {
		aOff = i * a.Cols
	}
	if tB {
		bOff = j * b.Cols // b is n×k: rows j…
	} else {
		bOff = j
	}
	ad, bd, cd := a.Data[aOff:], b.Data[bOff:], c.Data[ci*c.Cols+cj:]
	switch unsafe.Sizeof(alpha) {
	case 4:
		blas32.Gemm(trans(tA), trans(tB), float32(alpha),
			blas32.General{Rows: rowsOf(tA, mt, k), Cols: colsOf(tA, mt, k), Stride: a.Cols, Data: floatslice.As32(ad)},
			blas32.General{Rows: rowsOf(tB, k, nt), Cols: colsOf(tB, k, nt), Stride: b.Cols, Data: floatslice.As32(bd)},
			float32(beta),
			blas32.General{Rows: mt, Cols: nt, Stride: c.Cols, Data: floatslice.As32(cd)})
	default:
		blas64.Gemm(trans(tA), trans(tB), float64(alpha),
			blas64.General{Rows: rowsOf(tA, mt, k), Cols: colsOf(tA, mt, k), Stride: a.Cols, Data: floatslice.As64(ad)},
			blas64.General{Rows: rowsOf(tB, k, nt), Cols: colsOf(tB, k, nt), Stride: b.Cols, Data: floatslice.As64(bd)},
			float64(beta),
			blas64.General{Rows: mt, Cols: nt, Stride: c.Cols, Data: floatslice.As64(cd)})
	}
}

// rowsOf and colsOf give the stored shape of an r×c operand, transposed or not.
func rowsOf(t bool, r, c int) int {
	if t {
		return c
	}
	return r
}

func colsOf(t bool, r, c int) int {
	if t {
		return r
	}
	return c
}

// colSums computes y = beta·y + 1ᵀ·a, the column sums of a, with a
// transposed GEMV against ones (len(ones) ≥ a.Rows). len(y) must be a.Cols.
func colSums[T Float](a Matrix[T], ones []T, beta T, y []T) {
	if a.Rows == 0 {
		if beta == 0 {
			clear(y)
		}
		return
	}
	switch unsafe.Sizeof(beta) {
	case 4:
		blas32.Gemv(blas.Trans, 1,
			blas32.General{Rows: a.Rows, Cols: a.Cols, Stride: a.Cols, Data: floatslice.As32(a.Data)},
			blas32.Vector{N: a.Rows, Inc: 1, Data: floatslice.As32(ones)},
			float32(beta), blas32.Vector{N: a.Cols, Inc: 1, Data: floatslice.As32(y)})
	default:
		blas64.Gemv(blas.Trans, 1,
			blas64.General{Rows: a.Rows, Cols: a.Cols, Stride: a.Cols, Data: floatslice.As64(a.Data)},
			blas64.Vector{N: a.Rows, Inc: 1, Data: floatslice.As64(ones)},
			float64(beta), blas64.Vector{N: a.Cols, Inc: 1, Data: floatslice.As64(y)})
	}
}

// serialTiles reports whether products must be tiled to keep gonum's native
// GEMM serial: only when gonum.Implementation itself is installed, not the
// default internal/gemm.Implementation (which embeds it but replaces its
// Sgemm and Dgemm) nor OpenBLAS.
func serialTiles[T Float]() bool {
	var z T
	var impl any = blas64.Implementation()
	if unsafe.Sizeof(z) == 4 {
		impl = blas32.Implementation()
	}
	switch impl.(type) {
	case gonum.Implementation, *gonum.Implementation:
		return true
	}
	return false
}

// addInto sets dst[k] += src[k] (len(src) ≥ len(dst)) with the installed
// BLAS's AXPY and α = 1: 1·x is exact, so each element is dst[k] + src[k]
// rounded once, the same bits as a scalar loop, computed with SIMD.
func addInto[T Float](dst, src []T) {
	n := len(dst)
	if n == 0 {
		return
	}
	switch unsafe.Sizeof(dst[0]) {
	case 4:
		blas32.Implementation().Saxpy(n, 1, floatslice.As32(src[:n]), 1, floatslice.As32(dst), 1)
	default:
		blas64.Implementation().Daxpy(n, 1, floatslice.As64(src[:n]), 1, floatslice.As64(dst), 1)
	}
}
