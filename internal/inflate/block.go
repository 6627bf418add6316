package inflate

import "sync"

// The fixed Huffman code's tables (RFC 1951, 3.2.6), made once.
var (
	fixedOnce   sync.Once
	fixedLitlen [litlenTableSize]uint32
	fixedDist   [distTableSize]uint32
)

func fixedTables() {
	var l [288]uint8
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		default:
			l[i] = 8
		}
	}
	build(fixedLitlen[:], l[:], litlenBits, litlenEntry)
	var d [32]uint8
	for i := range d {
		d[i] = 5
	}
	build(fixedDist[:], d[:], distBits, distEntry)
}

// repeats are the extra bits and the least count of the code-length
// symbols 16, 17 and 18.
var repeats = [3]struct {
	extra uint
	base  int
}{{2, 3}, {3, 3}, {7, 11}}

// codeOrder is the order in which a dynamic block sends the code lengths
// of its code-length code.
var codeOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// block reads a block's header: a stored block's length, or the Huffman
// code of a compressed block.
func (z *Reader) block() error {
	if !z.need(3) {
		return z.truncated()
	}
	z.final = z.take(1) == 1
	switch z.take(2) {
	case 0:
		z.toBytes()
		var h [4]byte
		if err := z.readFull(h[:]); err != nil {
			return err
		}
		n, nn := uint16(h[0])|uint16(h[1])<<8, uint16(h[2])|uint16(h[3])<<8
		if n != ^nn {
			return z.corrupt("stored block length does not match its complement")
		}
		z.stored = int(n)
		z.state = stStored
		return nil
	case 1:
		fixedOnce.Do(fixedTables)
		z.ll, z.dt = &fixedLitlen, &fixedDist
	case 2:
		if err := z.dynamic(); err != nil {
			return err
		}
		z.ll, z.dt = &z.litlen, &z.dist
	default:
		return z.corrupt("reserved block type")
	}
	z.state = stHuffman
	return nil
}

// dynamic reads a dynamic block's code (RFC 1951, 3.2.7) into z.litlen
// and z.dist.
func (z *Reader) dynamic() error {
	if !z.need(14) {
		return z.truncated()
	}
	nlit := int(z.take(5)) + 257
	ndist := int(z.take(5)) + 1
	nclen := int(z.take(4)) + 4
	if nlit > 286 || ndist > 30 {
		return z.corrupt("too many length or distance codes")
	}
	var clen [19]uint8
	for _, i := range codeOrder[:nclen] {
		if !z.need(3) {
			return z.truncated()
		}
		clen[i] = uint8(z.take(3))
	}
	var pre [1 << precodeBits]uint32
	if !build(pre[:], clen[:], precodeBits, precodeEntry) {
		return z.corrupt("invalid code-length code")
	}
	var lengths [286 + 30]uint8
	for i := 0; i < nlit+ndist; {
		z.need(precodeBits + 7) // may fall short at the end: checked below
		e := pre[z.bits&(1<<precodeBits-1)]
		n := uint(e & 0xff)
		if e == 0 {
			return z.corrupt("invalid code length")
		}
		if n > z.nbits {
			return z.truncated()
		}
		z.take(n)
		sym := int(e >> 16)
		if sym < 16 {
			lengths[i] = uint8(sym)
			i++
			continue
		}
		// 16 repeats the last length, 17 and 18 repeat zero, a count of
		// times given by their extra bits.
		r := repeats[sym-16]
		if z.nbits < r.extra {
			return z.truncated()
		}
		rep := r.base + int(z.take(r.extra))
		var val uint8
		if sym == 16 {
			if i == 0 {
				return z.corrupt("repeat of no code length")
			}
			val = lengths[i-1]
		}
		if i+rep > nlit+ndist {
			return z.corrupt("code lengths repeat past their end")
		}
		for range rep {
			lengths[i] = val
			i++
		}
	}
	if !build(z.litlen[:], lengths[:nlit], litlenBits, litlenEntry) ||
		!build(z.dist[:], lengths[nlit:nlit+ndist], distBits, distEntry) {
		return z.corrupt("invalid literal/length or distance code")
	}
	return nil
}

// copyStored copies a stored block's bytes to the output, up to limit.
func (z *Reader) copyStored(limit int) error {
	for z.stored > 0 && z.op < limit+outPad {
		if z.ip >= z.n && !z.more() {
			return z.truncated()
		}
		k := copy(z.out[z.op:min(z.op+z.stored, limit+outPad)], z.in[z.ip:z.n])
		z.ip += k
		z.op += k
		z.stored -= k
	}
	if z.stored == 0 {
		z.endBlock()
	}
	return nil
}

// endBlock moves on after a block's end.
func (z *Reader) endBlock() {
	if z.final {
		z.state = stTrailer
	} else {
		z.state = stBlock
	}
}
