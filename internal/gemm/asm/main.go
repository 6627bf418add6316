// Command asm generates the micro-kernels of package gemm in Go assembly
// with avo:
//
//	go run ./asm -out kernels_amd64.s -stubs kernels_amd64.go -pkg gemm
//
// (run by go generate in internal/gemm). Each kernel computes an r×NR tile
// of a product from a packed A panel and a B panel whose steps are ldb
// elements apart (NR when packed, B's row stride when read in place): for
// each step p of the inner dimension it loads NR values of the B panel
// into vector registers, broadcasts the
// r values of the A panel one at a time and adds their products into r×NR
// accumulators with fused multiply-adds, so that each element is one FMA
// chain in order over p; then it folds the tile into C (see package gemm).
// One function per row count r = 1…MR keeps edge tiles free of padding
// work.
package main

import (
	"fmt"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/gotypes"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// family is a set of kernels: one instruction set and element type.
type family struct {
	name   string // function name prefix
	elem   string // Go element type
	size   int    // element bytes
	vec    int    // vector bytes
	mr, nv int    // rows, vectors per row (NR = nv·vec/size)
	regs   func(i int) reg.VecPhysical
	load   func(...operand.Op)
	mul    func(...operand.Op)
	fma    func(...operand.Op)
	bcast  func(...operand.Op)
	zero   func(...operand.Op)
}

// unroll is the number of steps of the inner dimension per loop iteration
// (step and the loop setup assume 4).
const unroll = 4

var zmm = []reg.VecPhysical{
	reg.Z0, reg.Z1, reg.Z2, reg.Z3, reg.Z4, reg.Z5, reg.Z6, reg.Z7,
	reg.Z8, reg.Z9, reg.Z10, reg.Z11, reg.Z12, reg.Z13, reg.Z14, reg.Z15,
	reg.Z16, reg.Z17, reg.Z18, reg.Z19, reg.Z20, reg.Z21, reg.Z22, reg.Z23,
	reg.Z24, reg.Z25, reg.Z26, reg.Z27, reg.Z28, reg.Z29, reg.Z30, reg.Z31,
}

var ymm = []reg.VecPhysical{
	reg.Y0, reg.Y1, reg.Y2, reg.Y3, reg.Y4, reg.Y5, reg.Y6, reg.Y7,
	reg.Y8, reg.Y9, reg.Y10, reg.Y11, reg.Y12, reg.Y13, reg.Y14, reg.Y15,
}

func families() []family {
	z := func(i int) reg.VecPhysical { return zmm[i] }
	y := func(i int) reg.VecPhysical { return ymm[i] }
	return []family{
		{"kernAVX512F32", "float32", 4, 64, 14, 2, z, build.VMOVUPS, build.VMULPS, build.VFMADD231PS, build.VBROADCASTSS, build.VPXORD},
		{"kernAVX512F64", "float64", 8, 64, 14, 2, z, build.VMOVUPD, build.VMULPD, build.VFMADD231PD, build.VBROADCASTSD, build.VPXORD},
		{"kernAVX2F32", "float32", 4, 32, 6, 2, y, build.VMOVUPS, build.VMULPS, build.VFMADD231PS, build.VBROADCASTSS, build.VXORPS},
		{"kernAVX2F64", "float64", 8, 32, 6, 2, y, build.VMOVUPD, build.VMULPD, build.VFMADD231PD, build.VBROADCASTSD, build.VXORPS},
	}
}

func main() {
	build.ConstraintExpr("!noasm")
	for _, f := range families() {
		for r := 1; r <= f.mr; r++ {
			f.kernel(r)
		}
	}
	gatherFunc("gatherF32", "float32", 4, build.VGATHERDPS, build.VMOVUPS, reg.Z31)
	gatherFunc("gatherF64", "float64", 8, build.VGATHERDPD, build.VMOVUPD, reg.Y31)
	build.Generate()
}

// Registers: accumulators acc(i, v) first, then nv B vectors and two
// broadcast registers; the fold reuses the last ones for alpha, beta and
// a loaded row of C.
func (f family) acc(i, v int) reg.VecPhysical { return f.regs(i*f.nv + v) }
func (f family) bvec(v int) reg.VecPhysical   { return f.regs(f.mr*f.nv + v) }
func (f family) bcastReg(j int) reg.VecPhysical {
	return f.regs(f.mr*f.nv + f.nv + j%2)
}

var (
	kc   = reg.RCX // steps left
	pa   = reg.RSI // A panel
	pb   = reg.RDX // B panel
	pc   = reg.RDI // C row
	ldc  = reg.R8  // C row stride in bytes
	mode = reg.R9
	n4   = reg.R10 // unrolled iterations
	ldb  = reg.R12 // B step in bytes
	ldb3 = reg.R13 // three B steps
)

// kernel emits the kernel for r rows.
func (f family) kernel(r int) {
	name := fmt.Sprintf("%sR%d", f.name, r)
	sig := fmt.Sprintf("func(kc int, a, b, c []%s, ldb, ldc int, alpha, beta %s, mode int)", f.elem, f.elem)
	build.TEXT(name, build.NOSPLIT, sig)
	build.Pragma("noescape")
	nr := f.nv * f.vec / f.size
	build.Doc(fmt.Sprintf("%s computes a %d×%d tile over kc steps and folds it into c.", name, r, nr))
	build.Load(build.Param("kc"), kc)
	build.Load(build.Param("a").Base(), pa)
	build.Load(build.Param("b").Base(), pb)
	build.Load(build.Param("c").Base(), pc)
	build.Load(build.Param("ldc"), ldc)
	build.SHLQ(operand.U8(shift(f.size)), ldc)
	build.Load(build.Param("ldb"), ldb)
	build.SHLQ(operand.U8(shift(f.size)), ldb)
	build.LEAQ(operand.Mem{Base: ldb, Index: ldb, Scale: 2}, ldb3)
	build.Load(build.Param("mode"), mode)

	for i := range r {
		for v := range f.nv {
			x := f.acc(i, v)
			f.zero(x, x, x)
		}
	}
	f.prefetchC(r)
	l := func(s string) string { return name + "_" + s }
	build.MOVQ(kc, n4)
	build.SHRQ(operand.U8(2), n4)
	build.ANDQ(operand.U8(unroll-1), kc)
	build.TESTQ(n4, n4)
	build.JZ(operand.LabelRef(l("tail")))
	build.Label(l("loop4"))
	for u := range unroll {
		f.step(r, u)
	}
	build.ADDQ(operand.U32(unroll*f.mr*f.size), pa)
	build.LEAQ(operand.Mem{Base: pb, Index: ldb, Scale: 4}, pb)
	build.DECQ(n4)
	build.JNZ(operand.LabelRef(l("loop4")))
	build.Label(l("tail"))
	build.TESTQ(kc, kc)
	build.JZ(operand.LabelRef(l("fold")))
	build.Label(l("loop1"))
	f.step(r, 0)
	build.ADDQ(operand.U32(f.mr*f.size), pa)
	build.ADDQ(ldb, pb)
	build.DECQ(kc)
	build.JNZ(operand.LabelRef(l("loop1")))

	build.Label(l("fold"))
	alpha, beta, t := f.bcastReg(0), f.bcastReg(1), f.bvec(0)
	f.bcast(param(build.Param("alpha")), alpha)
	build.CMPQ(mode, operand.U8(1))
	build.JE(operand.LabelRef(l("add")))
	build.JA(operand.LabelRef(l("scale")))
	build.Comment("c = alpha·acc")
	f.fold(r, func(i, v int, m operand.Mem) {
		f.mul(alpha, f.acc(i, v), t)
		f.load(t, m)
	})
	build.Label(l("add"))
	build.Comment("c = fma(alpha, acc, c)")
	f.fold(r, func(i, v int, m operand.Mem) {
		f.load(m, t)
		f.fma(alpha, f.acc(i, v), t)
		f.load(t, m)
	})
	build.Label(l("scale"))
	build.Comment("c = fma(alpha, acc, beta·c)")
	f.bcast(param(build.Param("beta")), beta)
	f.fold(r, func(i, v int, m operand.Mem) {
		f.load(m, t)
		f.mul(beta, t, t)
		f.fma(alpha, f.acc(i, v), t)
		f.load(t, m)
	})
}

// prefetchC emits prefetches of the r rows of the C tile, which the fold
// reads or writes after the loop: every cache line they may touch.
func (f family) prefetchC(r int) {
	row := reg.R11
	build.MOVQ(pc, row)
	bytes := f.nv * f.vec
	for i := range r {
		if i > 0 {
			build.ADDQ(ldc, row)
		}
		for off := 0; off < bytes; off += 64 {
			build.PREFETCHT0(operand.Mem{Base: row, Disp: off})
		}
		build.PREFETCHT0(operand.Mem{Base: row, Disp: bytes - 1})
	}
}

// step emits step u of an unrolled iteration: load the B vectors,
// broadcast each A value and accumulate.
func (f family) step(r, u int) {
	for v := range f.nv {
		m := operand.Mem{Base: pb, Disp: v * f.vec}
		switch u { // B steps are ldb bytes apart
		case 1:
			m.Index, m.Scale = ldb, 1
		case 2:
			m.Index, m.Scale = ldb, 2
		case 3:
			m.Index, m.Scale = ldb3, 1
		}
		f.load(m, f.bvec(v))
	}
	for i := range r {
		x := f.bcastReg(i)
		f.bcast(operand.Mem{Base: pa, Disp: (u*f.mr + i) * f.size}, x)
		for v := range f.nv {
			f.fma(f.bvec(v), x, f.acc(i, v))
		}
	}
}

// fold emits the fold of each accumulator row into C through op, then
// VZEROUPPER and RET.
func (f family) fold(r int, op func(i, v int, m operand.Mem)) {
	for i := range r {
		if i > 0 {
			build.ADDQ(ldc, pc)
		}
		for v := range f.nv {
			op(i, v, operand.Mem{Base: pc, Disp: v * f.vec})
		}
	}
	build.VZEROUPPER()
	build.RET()
}

// param is the memory operand of a scalar argument.
func param(c gotypes.Component) operand.Mem {
	b, err := c.Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

func shift(size int) int {
	if size == 4 {
		return 2
	}
	return 3
}

// gatherFunc emits the AVX-512 transposing copy that packs a matrix read
// across its rows: for each of kc steps it gathers one value from each
// source row (offsets idx, in elements, lanes selected by gmask) into a
// zeroed vector, stores the lanes of smask at dst and moves one element
// along the rows and stride elements along dst.
func gatherFunc(name, elem string, size int, gather func(v, k, x operand.Op), store func(...operand.Op), index reg.VecPhysical) {
	build.TEXT(name, build.NOSPLIT, fmt.Sprintf("func(dst, src []%s, idx *[16]int32, kc, stride, gmask, smask int)", elem))
	build.Pragma("noescape")
	build.Doc(name + " packs kc groups gathered across rows of src into dst.")
	dst, src, n, stride := reg.RDI, reg.RSI, reg.RCX, reg.RDX
	build.Load(build.Param("dst").Base(), dst)
	build.Load(build.Param("src").Base(), src)
	build.Load(build.Param("idx"), reg.RAX)
	build.Load(build.Param("kc"), n)
	build.Load(build.Param("stride"), stride)
	build.SHLQ(operand.U8(shift(size)), stride)
	build.Load(build.Param("gmask"), reg.RBX)
	build.Load(build.Param("smask"), reg.R8)
	build.KMOVW(reg.R8L, reg.K2)
	build.VMOVDQU32(operand.Mem{Base: reg.RAX}, reg.Z31)
	build.TESTQ(n, n)
	build.JZ(operand.LabelRef(name + "_done"))
	build.Label(name + "_loop")
	build.VPXORD(reg.Z0, reg.Z0, reg.Z0)
	build.KMOVW(reg.EBX, reg.K1)
	gather(operand.Mem{Base: src, Index: index, Scale: uint8(size)}, reg.K1, reg.Z0)
	store(reg.Z0, reg.K2, operand.Mem{Base: dst})
	build.ADDQ(operand.U8(size), src)
	build.ADDQ(stride, dst)
	build.DECQ(n)
	build.JNZ(operand.LabelRef(name + "_loop"))
	build.Label(name + "_done")
	build.VZEROUPPER()
	build.RET()
}
