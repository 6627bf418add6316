// Command asm generates the SSE2 kernels of package nn (which every amd64
// CPU has) in Go assembly with avo:
//
//	go run ./asm -out asm_amd64.s -stubs asm_amd64.go -pkg nn
//
// (run by go generate in pkg/nn). Two kernels per element type:
//
//   - adamKernel32/64: Adam's element update, four float32 or two float64
//     lanes at a time and then one at a time for the tail,
//     m ← m + (g−m)·c1;  v ← v + (g·g−v)·c2;  p ← p − α·m/(√v + ε),
//     under the MXCSR's flush-to-zero and denormals-are-zero bits (the
//     caller's MXCSR is restored on return), as TensorFlow runs its CPU
//     kernels: a subnormal operand or result counts as zero. Without them
//     a tiny gradient (g·g below 2⁻¹²⁶) makes each operation take a
//     microcode assist, dozens of times slower. adamScalar in optim.go is
//     the same arithmetic in Go, flushing in software.
//   - sumSquaresKernel32/64: Σx² in float64 with eight partial sums,
//     element i of each block of eight to partial sum i, the layout
//     sumSquares in diverge.go combines. Squares of float32 values are
//     exact in float64.
//
// The kernels name their registers: the instruction sequence, and so every
// bit of every result, is fixed here, and pkg/nn's tests compare the
// kernels with the scalar code bit for bit.
package main

import (
	"fmt"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// op2 and op3 are the shapes of the SSE instructions the kernels use.
type (
	op2 func(a, b operand.Op)
	op3 func(i, a, b operand.Op)
)

// elem is one element type's instructions: packed (p) and scalar (s).
type elem struct {
	bits, size, lanes             int
	movu, mova, xor               op2
	padd, psub, pmul, pdiv, psqrt op2
	movs, sadd, ssub, smul, sdiv  op2
	ssqrt, ucomis                 op2
	shuf                          op3
}

var (
	f32 = elem{32, 4, 4,
		build.MOVUPS, build.MOVAPS, build.XORPS,
		build.ADDPS, build.SUBPS, build.MULPS, build.DIVPS, build.SQRTPS,
		build.MOVSS, build.ADDSS, build.SUBSS, build.MULSS, build.DIVSS,
		build.SQRTSS, build.UCOMISS,
		build.SHUFPS}
	f64 = elem{64, 8, 2,
		build.MOVUPD, build.MOVAPD, build.XORPD,
		build.ADDPD, build.SUBPD, build.MULPD, build.DIVPD, build.SQRTPD,
		build.MOVSD, build.ADDSD, build.SUBSD, build.MULSD, build.DIVSD,
		build.SQRTSD, build.UCOMISD,
		build.SHUFPD}
)

func main() {
	build.ConstraintExpr("!noasm")
	adam(f32)
	adam(f64)
	sumSquares(f32)
	sumSquares(f64)
	build.Generate()
}

// mxcsrFlush is the MXCSR's FTZ (bit 15) and DAZ (bit 6) bits.
const mxcsrFlush = 0x8040

// at is the element at byte offset i of the slice at base.
func at(base, i reg.Register) operand.Mem { return operand.Mem{Base: base, Index: i, Scale: 1} }

// adam emits adamKernel32 or adamKernel64.
func adam(e elem) {
	name := fmt.Sprintf("adamKernel%d", e.bits)
	build.TEXT(name, build.NOSPLIT, fmt.Sprintf("func(p, g, m, v []float%d, k *[4]float%d) (finite bool)", e.bits, e.bits))
	build.Pragma("noescape")
	build.Doc(name+" is Adam's element update (see adamScalar) with SSE2, under",
		"flush-to-zero and denormals-are-zero. k holds c1, c2, α, ε; g, m and v",
		"are at least as long as p. It reports whether every updated p is finite:",
		"it sums p−p, which is 0 for finite p and NaN otherwise.")
	p, n, g, m, v, k := reg.RDI, reg.RCX, reg.RSI, reg.R8, reg.R9, reg.RAX
	tail, i := reg.RDX, reg.RBX
	build.Load(build.Param("p").Base(), p)
	build.Load(build.Param("p").Len(), n)
	build.Load(build.Param("g").Base(), g)
	build.Load(build.Param("m").Base(), m)
	build.Load(build.Param("v").Base(), v)
	build.Load(build.Param("k"), k)

	build.Comment("the caller's MXCSR at 0(SP), the flushing one at 4(SP)")
	mxcsr := build.AllocLocal(8)
	flush := mxcsr.Offset(4)
	build.STMXCSR(mxcsr)
	build.MOVL(mxcsr, reg.EDX)
	build.ORL(operand.U32(mxcsrFlush), reg.EDX)
	build.MOVL(reg.EDX, flush)
	build.LDMXCSR(flush)

	c1, c2, alpha, eps, sum := reg.X8, reg.X9, reg.X10, reg.X11, reg.X12
	for j, x := range []reg.VecPhysical{c1, c2, alpha, eps} {
		e.movs(operand.Mem{Base: k, Disp: j * e.size}, x)
		e.shuf(operand.U8(0), x, x)
	}
	e.xor(sum, sum)
	build.MOVQ(n, tail)
	build.ANDQ(operand.U8(e.lanes-1), tail)
	build.SHRQ(operand.U8(log2(e.lanes)), n)
	build.XORQ(i, i)
	build.TESTQ(n, n)
	build.JZ(operand.LabelRef("tail"))

	build.Label("loop")
	update(e.movu, e.mova, e.padd, e.psub, e.pmul, e.pdiv, e.psqrt, p, g, m, v, i)
	build.ADDQ(operand.U8(16), i)
	build.DECQ(n)
	build.JNZ(operand.LabelRef("loop"))

	build.Label("tail")
	build.TESTQ(tail, tail)
	build.JZ(operand.LabelRef("done"))
	if e.lanes > 2 { // more than one element left over: a loop
		build.Label("one")
	}
	update(e.movs, e.movs, e.sadd, e.ssub, e.smul, e.sdiv, e.ssqrt, p, g, m, v, i)
	if e.lanes > 2 {
		build.ADDQ(operand.U8(e.size), i)
		build.DECQ(tail)
		build.JNZ(operand.LabelRef("one"))
	}

	build.Label("done")
	build.Comment("the lanes' sum, then finite unless it is NaN (unordered)")
	t := reg.X5
	build.MOVHLPS(sum, t)
	if e.lanes == 4 {
		e.padd(t, sum)
		e.mova(sum, t)
		e.shuf(operand.U8(1), t, t)
	}
	e.sadd(t, sum)
	e.ucomis(sum, sum)
	finite, err := build.Return("finite").Resolve()
	if err != nil {
		panic(err)
	}
	build.SETPC(finite.Addr)
	build.LDMXCSR(mxcsr)
	build.RET()
}

// update emits Adam's update of the elements at byte offset i, packed or
// scalar by the instructions given (X8–X11 hold c1, c2, α, ε; X12 the sum
// of p−p).
func update(mov, mova, add, sub, mul, div, sqrt op2, p, g, m, v, i reg.Register) {
	c1, c2, alpha, eps, sum := reg.X8, reg.X9, reg.X10, reg.X11, reg.X12
	x0, x1, x2, x3, x5, x6, x7 := reg.X0, reg.X1, reg.X2, reg.X3, reg.X5, reg.X6, reg.X7
	mov(at(g, i), x0)
	mov(at(m, i), x1)
	mov(at(v, i), x2)
	mova(x0, x3) // m ← m + (g−m)·c1
	sub(x1, x3)
	mul(c1, x3)
	add(x1, x3)
	mov(x3, at(m, i))
	mul(x0, x0) // v ← v + (g·g−v)·c2
	sub(x2, x0)
	mul(c2, x0)
	add(x2, x0)
	mov(x0, at(v, i))
	sqrt(x0, x6) // p ← p − α·m/(√v + ε)
	add(eps, x6)
	mul(alpha, x3)
	div(x6, x3)
	mov(at(p, i), x7)
	sub(x3, x7)
	mov(x7, at(p, i))
	mova(x7, x5) // sum += p−p
	sub(x7, x5)
	add(x5, sum)
}

// sumSquares emits sumSquaresKernel32 or sumSquaresKernel64.
func sumSquares(e elem) {
	name := fmt.Sprintf("sumSquaresKernel%d", e.bits)
	build.TEXT(name, build.NOSPLIT, fmt.Sprintf("func(x []float%d, s *[8]float64)", e.bits))
	build.Pragma("noescape")
	build.Doc(name+" stores in s the eight float64 partial sums of squares",
		"of x[:len(x)&^7]: element i of each block of eight goes to partial",
		"sum i (see sumSquares).")
	x, n, s := reg.RSI, reg.RCX, reg.RDI
	build.Load(build.Param("x").Base(), x)
	build.Load(build.Param("x").Len(), n)
	build.Load(build.Param("s"), s)
	acc := []reg.VecPhysical{reg.X0, reg.X1, reg.X2, reg.X3}
	sq := []reg.VecPhysical{reg.X4, reg.X5, reg.X6, reg.X7}
	for _, a := range acc {
		build.XORPS(a, a)
	}
	build.SHRQ(operand.U8(3), n)
	build.JZ(operand.LabelRef("store"))

	build.Label("loop")
	for j, q := range sq { // two elements each, as float64
		if e.bits == 32 {
			build.CVTPS2PD(operand.Mem{Base: x, Disp: 8 * j}, q)
		} else {
			build.MOVUPD(operand.Mem{Base: x, Disp: 16 * j}, q)
		}
	}
	for _, q := range sq {
		build.MULPD(q, q)
	}
	for j, q := range sq {
		build.ADDPD(q, acc[j])
	}
	build.ADDQ(operand.U8(8*e.size), x)
	build.DECQ(n)
	build.JNZ(operand.LabelRef("loop"))

	build.Label("store")
	for j, a := range acc {
		build.MOVUPD(a, operand.Mem{Base: s, Disp: 16 * j})
	}
	build.RET()
}

// log2 is the base-2 logarithm of a power of two.
func log2(n int) int {
	k := 0
	for ; n > 1; n >>= 1 {
		k++
	}
	return k
}
