// Package gemm is densetrain's matrix product: SGEMM and DGEMM on row-major
// matrices (all four transpose combinations, alpha and beta, any leading
// dimensions), with packed A and B panels (B is read in place when it is
// not transposed and its rows are short), MC/KC/NC cache blocking and
// register-blocked FMA micro-kernels in Go assembly for AVX-512 and AVX2
// (generated with avo, see asm/), and a pure-Go fallback for other CPUs and
// for builds with the noasm tag.
//
// Implementation plugs it in behind gonum's BLAS:
//
//	blas32.Use(gemm.Implementation{})
//	blas64.Use(gemm.Implementation{})
//
// replaces gonum's Sgemm and Dgemm and keeps every other routine of gonum's
// native implementation. Path reports which kernels run ("avx512", "avx2"
// or "portable").
//
// # Guarantees
//
// A call runs serially on the calling goroutine and, once a previous call
// has left its pack buffers on the package's free list, allocates nothing.
// Concurrent calls are safe (each takes its own buffers).
//
// Results are deterministic and do not depend on the path: every element
// of op(A)·op(B) is accumulated in order over the inner dimension with one
// fused multiply-add per term, starting from zero, in blocks of KC terms
// whose boundaries depend only on k and the element type. The first block
// is folded into C as c = alpha·acc when beta is 0, c = fma(alpha, acc, c)
// when beta is 1 and c = fma(alpha, acc, beta·c) otherwise; every later
// block as c = fma(alpha, acc, c). The assembly kernels compute exactly
// these operations, and the pure-Go kernels emulate a correctly rounded
// float32 FMA, so the AVX-512, AVX2 and portable paths give the same bits,
// whatever the alignment of the slices, the leading dimensions and whether
// B is packed or read in place.
//
// As in BLAS, C is not read when beta is 0, and A and B are not read when
// alpha is 0 or k is 0.
package gemm
