//go:build !noasm

#include "textflag.h"

// Σx² in float64 with eight partial sums: element i of each block of eight
// goes to partial sum i, the layout sumSquares in diverge.go combines.
// Squares of float32 values are exact in float64; the kernels stop at
// len(x) &^ 7 and store the eight sums in s.

// func sumSquaresKernel32(x []float32, s *[8]float64)
TEXT ·sumSquaresKernel32(SB), NOSPLIT, $0-32
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ s+24(FP), DI
	XORPS X0, X0
	XORPS X1, X1
	XORPS X2, X2
	XORPS X3, X3
	SHRQ $3, CX
	JZ store32

loop32:
	CVTPS2PD 0(SI), X4
	CVTPS2PD 8(SI), X5
	CVTPS2PD 16(SI), X6
	CVTPS2PD 24(SI), X7
	MULPD X4, X4
	MULPD X5, X5
	MULPD X6, X6
	MULPD X7, X7
	ADDPD X4, X0
	ADDPD X5, X1
	ADDPD X6, X2
	ADDPD X7, X3
	ADDQ $32, SI
	DECQ CX
	JNZ loop32

store32:
	MOVUPD X0, 0(DI)
	MOVUPD X1, 16(DI)
	MOVUPD X2, 32(DI)
	MOVUPD X3, 48(DI)
	RET

// func sumSquaresKernel64(x []float64, s *[8]float64)
TEXT ·sumSquaresKernel64(SB), NOSPLIT, $0-32
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ s+24(FP), DI
	XORPS X0, X0
	XORPS X1, X1
	XORPS X2, X2
	XORPS X3, X3
	SHRQ $3, CX
	JZ store64

loop64:
	MOVUPD 0(SI), X4
	MOVUPD 16(SI), X5
	MOVUPD 32(SI), X6
	MOVUPD 48(SI), X7
	MULPD X4, X4
	MULPD X5, X5
	MULPD X6, X6
	MULPD X7, X7
	ADDPD X4, X0
	ADDPD X5, X1
	ADDPD X6, X2
	ADDPD X7, X3
	ADDQ $64, SI
	DECQ CX
	JNZ loop64

store64:
	MOVUPD X0, 0(DI)
	MOVUPD X1, 16(DI)
	MOVUPD X2, 32(DI)
	MOVUPD X3, 48(DI)
	RET
