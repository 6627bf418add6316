//go:build amd64 && !noasm

package gemm

import (
	"unsafe"

	"golang.org/x/sys/cpu"

	"github.com/densetrain/densetrain/internal/floatslice"
)

//go:generate go run ./asm -out kernels_amd64.s -stubs kernels_amd64.go -pkg gemm

// asmKernel is the signature of the generated kernels (kernels_amd64.s):
// one function per row count.
type asmKernel[T Float] func(kc int, a, b, c []T, ldb, ldc int, alpha, beta T, mode int)

// byRows adapts a table of kernels, indexed by row count − 1, to kernel.
func byRows[T Float](tab []asmKernel[T]) kernel[T] {
	return func(r, kc int, a, b, c []T, ldb, ldc int, alpha, beta T, mode int) {
		tab[r-1](kc, a, b, c, ldb, ldc, alpha, beta, mode)
	}
}

var (
	avx512F32 = []asmKernel[float32]{
		kernAVX512F32R1, kernAVX512F32R2, kernAVX512F32R3, kernAVX512F32R4,
		kernAVX512F32R5, kernAVX512F32R6, kernAVX512F32R7, kernAVX512F32R8,
		kernAVX512F32R9, kernAVX512F32R10, kernAVX512F32R11, kernAVX512F32R12,
		kernAVX512F32R13, kernAVX512F32R14,
	}
	avx512F64 = []asmKernel[float64]{
		kernAVX512F64R1, kernAVX512F64R2, kernAVX512F64R3, kernAVX512F64R4,
		kernAVX512F64R5, kernAVX512F64R6, kernAVX512F64R7, kernAVX512F64R8,
		kernAVX512F64R9, kernAVX512F64R10, kernAVX512F64R11, kernAVX512F64R12,
		kernAVX512F64R13, kernAVX512F64R14,
	}
	avx2F32 = []asmKernel[float32]{
		kernAVX2F32R1, kernAVX2F32R2, kernAVX2F32R3, kernAVX2F32R4, kernAVX2F32R5,
		kernAVX2F32R6,
	}
	avx2F64 = []asmKernel[float64]{
		kernAVX2F64R1, kernAVX2F64R2, kernAVX2F64R3, kernAVX2F64R4, kernAVX2F64R5,
		kernAVX2F64R6,
	}
)

// The paths: micro-tiles of 14×32 (float32) and 14×16 (float64) with
// AVX-512, 6×16 and 6×8 with AVX2.
var (
	avx512Path32 = &path[float32]{name: "avx512", mr: 14, nr: 32, mc: 168, nc: 768, kern: byRows(avx512F32)}
	avx512Path64 = &path[float64]{name: "avx512", mr: 14, nr: 16, mc: 168, nc: 512, kern: byRows(avx512F64)}
	avx2Path32   = &path[float32]{name: "avx2", mr: 6, nr: 16, mc: 144, nc: 768, kern: byRows(avx2F32)}
	avx2Path64   = &path[float64]{name: "avx2", mr: 6, nr: 8, mc: 144, nc: 512, kern: byRows(avx2F64)}
)

func hasAVX512() bool { return cpu.X86.HasAVX512F && hasAVX2() }
func hasAVX2() bool   { return cpu.X86.HasAVX2 && cpu.X86.HasFMA }

// bestPath is the fastest path this CPU has.
func bestPath() string {
	switch {
	case hasAVX512():
		return "avx512"
	case hasAVX2():
		return "avx2"
	}
	return "portable"
}

// paths returns the kernels of the named path, nil if this CPU lacks it.
func paths(name string) (*path[float32], *path[float64]) {
	switch {
	case name == "avx512" && hasAVX512():
		return avx512Path32, avx512Path64
	case name == "avx2" && hasAVX2():
		return avx2Path32, avx2Path64
	case name == "portable":
		return portable32, portable64
	}
	return nil, nil
}

// gatherAsm is gather with the AVX-512 gathers of gatherF32/gatherF64, 16
// or 8 lanes of a group at a time; it reports false, having done nothing,
// when the CPU lacks AVX-512 or the offsets overflow int32.
func gatherAsm[T Float](dst, src []T, ld, rows, kc, width int) bool {
	if !hasAVX512() || 16*ld > 1<<31-1 {
		return false
	}
	var z T
	lanes := 64 / int(unsafe.Sizeof(z))
	var idx [16]int32
	for i := range idx {
		idx[i] = int32(i * ld)
	}
	for c := 0; c < width; c += lanes {
		w := min(lanes, width-c)
		r := min(max(rows-c, 0), w)
		s := src
		if r > 0 {
			s = src[c*ld : (c+r-1)*ld+kc]
		}
		gmask, smask := 1<<r-1, 1<<w-1
		if lanes == 16 {
			gatherF32(floatslice.As32(dst[c:]), floatslice.As32(s), &idx, kc, width, gmask, smask)
		} else {
			gatherF64(floatslice.As64(dst[c:]), floatslice.As64(s), &idx, kc, width, gmask, smask)
		}
	}
	return true
}
