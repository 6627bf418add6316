//go:build !noasm

#include "textflag.h"

// Adam's element update with SSE2 (which every amd64 CPU has), four float32
// or two float64 lanes at a time and then one at a time for the tail:
//
//	m ← m + (g−m)·c1;  v ← v + (g·g−v)·c2;  p ← p − α·m/(√v + ε)
//
// It runs with the MXCSR's flush-to-zero and denormals-are-zero bits set
// (and restores the caller's MXCSR on return), as TensorFlow runs its CPU
// kernels: a subnormal operand or result counts as zero. Without them a
// tiny gradient (g·g below 2⁻¹²⁶) makes each operation take a microcode
// assist, dozens of times slower. adamScalar in optim.go is the same
// arithmetic in Go, flushing in software.

#define MXCSR_FLUSH $0x8040 // FTZ (bit 15) | DAZ (bit 6)

// func adamKernel32(p, g, m, v []float32, k *[4]float32) (finite bool)
// k holds c1, c2, α, ε; g, m and v are at least as long as p. It reports
// whether every updated p is finite: it sums p−p, which is 0 for finite p
// and NaN otherwise.
TEXT ·adamKernel32(SB), NOSPLIT, $8-105
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	MOVQ v_base+72(FP), R9
	MOVQ k+96(FP), AX
	STMXCSR 0(SP)
	MOVL 0(SP), DX
	ORL MXCSR_FLUSH, DX
	MOVL DX, 4(SP)
	LDMXCSR 4(SP)
	MOVSS 0(AX), X8
	SHUFPS $0, X8, X8
	MOVSS 4(AX), X9
	SHUFPS $0, X9, X9
	MOVSS 8(AX), X10
	SHUFPS $0, X10, X10
	MOVSS 12(AX), X11
	SHUFPS $0, X11, X11
	XORPS X12, X12
	MOVQ CX, DX
	ANDQ $3, DX
	SHRQ $2, CX
	XORQ BX, BX
	TESTQ CX, CX
	JZ tail32

loop32:
	MOVUPS (SI)(BX*1), X0
	MOVUPS (R8)(BX*1), X1
	MOVUPS (R9)(BX*1), X2
	MOVAPS X0, X3
	SUBPS X1, X3
	MULPS X8, X3
	ADDPS X1, X3
	MOVUPS X3, (R8)(BX*1)
	MULPS X0, X0
	SUBPS X2, X0
	MULPS X9, X0
	ADDPS X2, X0
	MOVUPS X0, (R9)(BX*1)
	SQRTPS X0, X6
	ADDPS X11, X6
	MULPS X10, X3
	DIVPS X6, X3
	MOVUPS (DI)(BX*1), X7
	SUBPS X3, X7
	MOVUPS X7, (DI)(BX*1)
	MOVAPS X7, X5
	SUBPS X7, X5
	ADDPS X5, X12
	ADDQ $16, BX
	DECQ CX
	JNZ loop32

tail32:
	TESTQ DX, DX
	JZ done32

one32:
	MOVSS (SI)(BX*1), X0
	MOVSS (R8)(BX*1), X1
	MOVSS (R9)(BX*1), X2
	MOVSS X0, X3
	SUBSS X1, X3
	MULSS X8, X3
	ADDSS X1, X3
	MOVSS X3, (R8)(BX*1)
	MULSS X0, X0
	SUBSS X2, X0
	MULSS X9, X0
	ADDSS X2, X0
	MOVSS X0, (R9)(BX*1)
	SQRTSS X0, X6
	ADDSS X11, X6
	MULSS X10, X3
	DIVSS X6, X3
	MOVSS (DI)(BX*1), X7
	SUBSS X3, X7
	MOVSS X7, (DI)(BX*1)
	MOVSS X7, X5
	SUBSS X7, X5
	ADDSS X5, X12
	ADDQ $4, BX
	DECQ DX
	JNZ one32

done32:
	MOVHLPS X12, X5
	ADDPS X5, X12
	MOVAPS X12, X5
	SHUFPS $1, X5, X5
	ADDSS X5, X12
	UCOMISS X12, X12
	SETPC finite+104(FP)
	LDMXCSR 0(SP)
	RET

// func adamKernel64(p, g, m, v []float64, k *[4]float64) (finite bool)
// As adamKernel32.
TEXT ·adamKernel64(SB), NOSPLIT, $8-105
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	MOVQ v_base+72(FP), R9
	MOVQ k+96(FP), AX
	STMXCSR 0(SP)
	MOVL 0(SP), DX
	ORL MXCSR_FLUSH, DX
	MOVL DX, 4(SP)
	LDMXCSR 4(SP)
	MOVSD 0(AX), X8
	SHUFPD $0, X8, X8
	MOVSD 8(AX), X9
	SHUFPD $0, X9, X9
	MOVSD 16(AX), X10
	SHUFPD $0, X10, X10
	MOVSD 24(AX), X11
	SHUFPD $0, X11, X11
	XORPD X12, X12
	MOVQ CX, DX
	ANDQ $1, DX
	SHRQ $1, CX
	XORQ BX, BX
	TESTQ CX, CX
	JZ tail64

loop64:
	MOVUPD (SI)(BX*1), X0
	MOVUPD (R8)(BX*1), X1
	MOVUPD (R9)(BX*1), X2
	MOVAPD X0, X3
	SUBPD X1, X3
	MULPD X8, X3
	ADDPD X1, X3
	MOVUPD X3, (R8)(BX*1)
	MULPD X0, X0
	SUBPD X2, X0
	MULPD X9, X0
	ADDPD X2, X0
	MOVUPD X0, (R9)(BX*1)
	SQRTPD X0, X6
	ADDPD X11, X6
	MULPD X10, X3
	DIVPD X6, X3
	MOVUPD (DI)(BX*1), X7
	SUBPD X3, X7
	MOVUPD X7, (DI)(BX*1)
	MOVAPD X7, X5
	SUBPD X7, X5
	ADDPD X5, X12
	ADDQ $16, BX
	DECQ CX
	JNZ loop64

tail64:
	TESTQ DX, DX
	JZ done64
	MOVSD (SI)(BX*1), X0
	MOVSD (R8)(BX*1), X1
	MOVSD (R9)(BX*1), X2
	MOVSD X0, X3
	SUBSD X1, X3
	MULSD X8, X3
	ADDSD X1, X3
	MOVSD X3, (R8)(BX*1)
	MULSD X0, X0
	SUBSD X2, X0
	MULSD X9, X0
	ADDSD X2, X0
	MOVSD X0, (R9)(BX*1)
	SQRTSD X0, X6
	ADDSD X11, X6
	MULSD X10, X3
	DIVSD X6, X3
	MOVSD (DI)(BX*1), X7
	SUBSD X3, X7
	MOVSD X7, (DI)(BX*1)
	MOVSD X7, X5
	SUBSD X7, X5
	ADDSD X5, X12

done64:
	MOVHLPS X12, X5
	ADDSD X5, X12
	UCOMISD X12, X12
	SETPC finite+104(FP)
	LDMXCSR 0(SP)
	RET
