// Command asm generates the AVX2 kernels of package numscan in Go
// assembly with avo:
//
//	go run ./asm -out scan_amd64.s -stubs scan_amd64.go -pkg numscan
//
// (run by go generate in internal/numscan). A kernel parses fields one
// after another, each from a 32-byte load: bit masks of the separators,
// digits and points give the field's end, check that it is
// [-]digits[.digits] and give the point's place; a shuffle chosen by the
// field's length and point's place right-aligns its (at most 16) digits
// into a vector, and three multiply-adds and a pack make the 16-digit
// integer of two 8-digit halves (as in simdjson and fast_float). The value
// is that integer, exact below 2⁵³, divided by an exact power of ten: one
// correctly rounded operation.
package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

func main() {
	ConstraintExpr("!noasm")
	shuffle := shuffleTable()
	// 10⁰ … 10¹⁵, then their negatives: dividing by −10^f gives the
	// negative number's bits exactly (rounding is symmetric), −0 included.
	pow := GLOBL("pow10", RODATA|NOPTR)
	for k := range 32 {
		p := math.Pow10(k % 16) // exact: 10¹⁵ < 2⁵³
		if k >= 16 {
			p = -p
		}
		DATA(8*k, F64(p))
	}
	kernel("scanAVX2F32", "float32", 4, shuffle, pow)
	kernel("scanAVX2F64", "float64", 8, shuffle, pow)
	Generate()
}

// shuffleTable emits the VPSHUFB controls, 16 bytes for each body length
// n (0 to 16 bytes, sign left out, point included) and point place q (0
// to 15, or 16 for none), at (17n+q)·16: byte k of the result takes the
// digit that is 15−k places from the number's last one, skipping the
// point; places before the first digit take 0x80, which gives zero.
func shuffleTable() Mem {
	tab := GLOBL("shuffle", RODATA|NOPTR)
	for n := range 17 {
		for q := range 17 {
			dot := q < n
			f := 0
			if dot {
				f = n - 1 - q
			}
			var ctl [2]uint64 // little-endian: byte k of the control at bits 8k
			for k := range 16 {
				r := 15 - k
				src := n - 1 - r
				if dot && r >= f {
					src--
				}
				b := uint64(0x80)
				if src >= 0 {
					b = uint64(src)
				}
				ctl[k/8] |= b << (8 * (k % 8))
			}
			DATA((17*n+q)*16, U64(ctl[0]))
			DATA((17*n+q)*16+8, U64(ctl[1]))
		}
	}
	return tab
}

// broadcast fills v with the 32-bit pattern x.
func broadcast(x uint32, v reg.VecVirtual) {
	t := GP32()
	MOVL(U32(x), t)
	VMOVD(t, v.AsX())
	VPBROADCASTD(v.AsX(), v)
}

func kernel(name, elem string, size int, shuffle, pow Mem) {
	TEXT(name, NOSPLIT, fmt.Sprintf("func(dst []%s, rec []byte, i int, sep byte) (n, next int)", elem))
	Pragma("noescape")
	Doc(name+" parses fields of rec from offset i on into dst, as many as dst",
		"holds, and stops early at the first one that is not [-]digits[.digits]",
		"of at most 16 digits below 2⁵³ followed by sep, and may stop at one that",
		"starts less than 32 bytes before rec's end. It returns the fields parsed and the offset",
		"just after the last one's separator (i if none).")
	dst := Load(Param("dst").Base(), GP64())
	k := Load(Param("dst").Len(), GP64())
	end := GP64()
	LEAQ(Mem{Base: dst, Index: k, Scale: uint8(size)}, end)
	base := Load(Param("rec").Base(), GP64())
	length := Load(Param("rec").Len(), GP64())
	i := Load(Param("i"), GP64())
	ptr, limit := GP64(), GP64()
	LEAQ(Mem{Base: base, Index: i, Scale: 1}, ptr)
	LEAQ(Mem{Base: base, Index: length, Scale: 1, Disp: -32}, limit)
	s := GP32()
	Load(Param("sep"), s)

	sep, zero, nine, point := YMM(), YMM(), YMM(), YMM()
	VMOVD(s, sep.AsX())
	VPBROADCASTB(sep.AsX(), sep)
	broadcast(0x30303030, zero)
	broadcast(0x09090909, nine)
	broadcast(0x2e2e2e2e, point)
	w1, w2, w3 := YMM(), YMM(), YMM()
	broadcast(0x010a010a, w1) // bytes 10, 1
	broadcast(0x00010064, w2) // words 100, 1
	broadcast(0x00012710, w3) // words 10000, 1

	Comment("zeros: the bytes of a run of fields \"0\"")
	zeros, zpat := YMM(), YMM()
	VPXOR(zeros, zeros, zeros)
	zt := GP32() // '0', then the separator, twice
	Load(Param("sep"), zt)
	SHLL(U8(8), zt)
	MOVB(U8('0'), zt.As8())
	MOVL(zt, s)
	SHLL(U8(16), s)
	ORL(zt, s)
	VMOVD(s, zpat.AsX())
	VPBROADCASTD(zpat.AsX(), zpat)
	shufBase, powBase := GP64(), GP64()
	LEAQ(shuffle, shufBase)
	LEAQ(pow, powBase)

	Label("loop")
	CMPQ(dst, end)
	JAE(LabelRef("done"))
	CMPQ(ptr, limit)
	JA(LabelRef("done"))
	text, m := YMM(), YMM()
	VMOVDQU(Mem{Base: ptr}, text)
	Comment("e: the field's length, at its first separator")
	seps, e := GP32(), GP32()
	VPCMPEQB(text, sep, m)
	VPMOVMSKB(m, seps)
	TZCNTL(seps, e)
	JCS(LabelRef("done")) // no separator in 32 bytes
	TESTL(e, e)
	JZ(LabelRef("done")) // empty: missing
	CMPL(e, U8(1))
	JE(LabelRef("single")) // maybe a run of zeros

	Label("number")
	Comment("digits, points, and the sign")
	digits, points := GP32(), GP32()
	d := YMM()
	VPSUBB(zero, text, d)
	VPMINUB(nine, d, m)
	VPCMPEQB(d, m, m)
	VPMOVMSKB(m, digits)
	VPCMPEQB(text, point, m)
	VPMOVMSKB(m, points)
	c, neg := GP32(), GP64()
	MOVBLZX(Mem{Base: ptr}, c)
	XORL(neg.As32(), neg.As32())
	CMPL(c, U8('-'))
	SETEQ(neg.As8())
	Comment("body: the field's bytes after the sign; only digits and one point")
	body, t := GP32(), GP32()
	MOVL(U32(0xffffffff), body)
	BZHIL(e, body, body)
	ANDNL(body, neg.As32(), body)
	ANDL(body, digits)
	JZ(LabelRef("done"))
	ANDL(body, points)
	ANDNL(body, digits, t)
	CMPL(t, points)
	JNE(LabelRef("done"))
	BLSRL(points, t)
	JNZ(LabelRef("done"))
	Comment("n: body length (at most 16); q: the point's place in it, 16 if none")
	n, q := GP32(), GP32()
	MOVL(e, n)
	SUBL(neg.As32(), n)
	CMPL(n, U8(16))
	JA(LabelRef("done"))
	TZCNTL(points, q)
	SUBL(neg.As32(), q)
	MOVL(U32(16), t)
	CMPL(q, t)
	CMOVLHI(t, q)
	Comment("frac: digits after the point")
	frac := GP64()
	XORL(t, t)
	MOVL(n, frac.As32())
	SUBL(q, frac.As32())
	SUBL(U8(1), frac.As32())
	CMOVLLT(t, frac.As32())
	Comment("the digits, right-aligned, to an integer")
	idx := GP64()
	IMUL3L(U8(17), n, idx.As32())
	ADDL(q, idx.As32())
	SHLL(U8(4), idx.As32())
	x := XMM()
	VMOVDQU(Mem{Base: ptr, Index: neg, Scale: 1}, x)
	VPSUBB(zero.AsX(), x, x)
	VPSHUFB(Mem{Base: shufBase, Index: idx, Scale: 1}, x, x)
	VPMADDUBSW(w1.AsX(), x, x)
	VPMADDWD(w2.AsX(), x, x)
	VPACKUSDW(x, x, x)
	VPMADDWD(w3.AsX(), x, x)
	mant, hi := GP64(), GP64()
	VMOVQ(x, mant)
	MOVL(mant.As32(), hi.As32())
	SHRQ(U8(32), mant)
	IMUL3Q(U32(100000000), hi, hi)
	ADDQ(hi, mant)
	lim := GP64()
	MOVQ(U64(1<<53), lim)
	CMPQ(mant, lim)
	JA(LabelRef("done"))
	Comment("the value: exact integer over an exact power of ten, signed")
	v := XMM()
	VCVTSI2SDQ(mant, v, v)
	SHLQ(U8(4), neg)
	ADDQ(neg, frac)
	VDIVSD(Mem{Base: powBase, Index: frac, Scale: 8}, v, v)
	if size == 4 {
		VCVTSD2SS(v, v, v)
		VMOVSS(v, Mem{Base: dst})
	} else {
		VMOVSD(v, Mem{Base: dst})
	}
	ADDQ(U8(size), dst)
	LEAQ(Mem{Base: ptr, Index: e.As64(), Scale: 1, Disp: 1}, ptr)
	JMP(LabelRef("loop"))

	Comment("a run of zeros (sparse data): up to 16 fields per load")
	Label("single")
	zm, left := GP32(), GP64()
	MOVQ(end, left)
	SUBQ(dst, left)
	CMPQ(left, U8(16*size))
	JB(LabelRef("number")) // fewer than 16 fields left: one at a time
	VPCMPEQB(text, zpat, m)
	VPMOVMSKB(m, zm)
	NOTL(zm)
	TZCNTL(zm, zm)
	SHRL(U8(1), zm) // whole "0" fields
	JZ(LabelRef("number"))
	for k := 0; k < 16*size; k += 32 {
		VMOVDQU(zeros, Mem{Base: dst, Disp: k})
	}
	LEAQ(Mem{Base: dst, Index: zm.As64(), Scale: uint8(size)}, dst)
	LEAQ(Mem{Base: ptr, Index: zm.As64(), Scale: 2}, ptr)
	JMP(LabelRef("loop"))

	Label("done")
	d0 := Load(Param("dst").Base(), GP64())
	SUBQ(d0, dst)
	SHRQ(U8(map[int]int{4: 2, 8: 3}[size]), dst)
	Store(dst, ReturnIndex(0))
	b0 := Load(Param("rec").Base(), GP64())
	SUBQ(b0, ptr)
	Store(ptr, ReturnIndex(1))
	VZEROUPPER()
	RET()
}
