//go:build !netlib

package nn

import (
	"github.com/densetrain/densetrain/internal/gemm"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// Without the netlib build tag, on a CPU with AVX2 and FMA (AVX-512 where
// it has it), package gemm's serial, deterministic GEMM of FMA
// micro-kernels replaces gonum's Sgemm and Dgemm for every matrix product;
// gonum's native implementation keeps the other routines (GEMV, AXPY).
// Elsewhere, and with the noasm tag, gonum's native implementation stays:
// gemm's portable kernel gives the assembly's bits but runs at a third of
// gonum's speed, so the portable build keeps today's path (and its bits).
func init() {
	if gemm.Path() == "portable" {
		return
	}
	blas32.Use(gemm.Implementation{})
	blas64.Use(gemm.Implementation{})
}

// BLASPath names the kernels that compute this build's matrix products on
// this CPU: "avx512" or "avx2" (internal/gemm), "gonum" (gonum's pure Go)
// or "openblas" (the netlib build). Results are bit-identical across
// worker and rank counts within one path; avx512 and avx2 give the same
// bits as each other, gonum and openblas each their own.
func BLASPath() string {
	if p := gemm.Path(); p != "portable" {
		return p
	}
	return "gonum"
}
