package inflate

import "io"

// huffman inflates a compressed block until its end, the output reaching
// limit, or an error. Each turn of the loop refills the bit buffer to 56
// bits or more, which is enough for any length and distance with their
// extra bits (at most 15+5+15+13 = 48), or two literals.
func (z *Reader) huffman(limit int) error {
	ll, dt := z.ll, z.dt
	in, out := z.in, z.out
	bits, nbits, ip, op := z.bits, z.nbits, z.ip, z.op
	start := z.start
	safe := -1 // output from here on may come of the zeros after the input
	for {
		inLimit := z.n - 8
		if z.eof && ip > inLimit {
			// The real bytes are used up: on into the zeros, and check
			// below that the bits taken were the input's.
			inLimit = z.n + inPad - 8
			safe = op
		}
		var bad string // why the data breaks the format, if it does
		end := false
	loop:
		for ip <= inLimit && op <= limit {
			bits |= load(in, ip) << (nbits & 63)
			ip += int(63-nbits) >> 3
			nbits |= 56

			e := lookup(ll, bits)
			if e&flagLiteral != 0 {
				n := e & 0xff
				bits >>= n & 63
				nbits -= uint(n)
				out[op] = byte(e >> 16)
				op++
				// A second literal without a refill: at least 41 bits are
				// left. Anything else waits for the next turn.
				if e = lookup(ll, bits); e&flagLiteral != 0 {
					n := e & 0xff
					bits >>= n & 63
					nbits -= uint(n)
					out[op] = byte(e >> 16)
					op++
				}
				continue
			}
			if e&(flagEnd|flagValid) != flagValid {
				if e&flagEnd != 0 {
					n := e & 0xff
					bits >>= n & 63
					nbits -= uint(n)
					end = true
				} else {
					bad = badCode
				}
				break loop
			}
			// A length, then a distance.
			n := e & 0xff
			bits >>= n & 63
			nbits -= uint(n)
			x := e >> 8 & 15
			length := int(e>>16) + int(bits&(1<<x-1))
			bits >>= x & 63
			nbits -= uint(x)

			if e = lookupDist(dt, bits); e&flagValid == 0 {
				bad = badCode
				break
			}
			n = e & 0xff
			bits >>= n & 63
			nbits -= uint(n)
			x = e >> 8 & 15
			dist := int(e>>16) + int(bits&(1<<x-1))
			bits >>= x & 63
			nbits -= uint(x)
			if dist > op-start {
				bad = "distance beyond the output so far"
				break
			}
			copyMatch(out, op, dist, length)
			op += length
		}
		z.bits, z.nbits, z.ip, z.op = bits, nbits, ip, op
		if safe >= 0 {
			if z.ip*8-int(z.nbits) > z.n*8 {
				// The zeros after the input were taken for data: what
				// came of them is not output.
				z.op = safe
				return io.ErrUnexpectedEOF
			}
			if z.ip > z.n {
				// Bits of the zeros in the buffer are not input: give
				// them back, so that a block header after this block
				// finds the end of the input, not zeros.
				z.nbits -= uint(8 * (z.ip - z.n))
				z.ip = z.n
				z.bits &= 1<<z.nbits - 1
			}
			if bad == badCode && z.nbits < maxCodeLen {
				return io.ErrUnexpectedEOF // the code ran into the zeros
			}
		}
		switch {
		case bad != "":
			return z.corrupt(bad)
		case end:
			z.endBlock()
			return nil
		case op > limit:
			return nil
		}
		// The input ran low: read more, or at its end (z.eof) go on into
		// the zeros after it.
		if !z.more() && z.err != nil {
			return z.err
		}
		in, ip, bits, nbits = z.in, z.ip, z.bits, z.nbits
	}
}

// lookup is the literal/length table's entry for the code that starts
// bits: the main table's, or, for a long code, its subtable's.
func lookup(ll *[litlenTableSize]uint32, bits uint64) uint32 {
	e := ll[bits&(1<<litlenBits-1)]
	if e&flagSubtable != 0 {
		e = ll[int(e>>16)+int(bits>>litlenBits&(1<<(e>>8&15)-1))]
	}
	return e
}

// lookupDist is the distance table's entry for the code that starts bits.
func lookupDist(dt *[distTableSize]uint32, bits uint64) uint32 {
	e := dt[bits&(1<<distBits-1)]
	if e&flagSubtable != 0 {
		e = dt[int(e>>16)+int(bits>>distBits&(1<<(e>>8&15)-1))]
	}
	return e
}

// badCode is the fault of a code no symbol has (an incomplete code, or
// symbols 286, 287, 30 and 31 of the fixed code).
const badCode = "invalid Huffman code"

// copyMatch copies length bytes from dist bytes back to out[op:], as
// deflate means it: the source may overlap what is being written, and
// repeats it. It writes up to 39 bytes past the match (out has room).
func copyMatch(out []byte, op, dist, length int) {
	src := op - dist
	if dist >= 8 {
		// Most matches are short: five words without a test (out has
		// room past limit for them), then the rest.
		store(out, op, load(out, src))
		store(out, op+8, load(out, src+8))
		store(out, op+16, load(out, src+16))
		store(out, op+24, load(out, src+24))
		store(out, op+32, load(out, src+32))
		for i := 40; i < length; i += 8 {
			store(out, op+i, load(out, src+i))
		}
		return
	}
	// A short period: lay down its first repeats a byte at a time, up to
	// p ≥ 8 bytes, a whole number of periods; from there each word is the
	// one p bytes before it.
	p := dist * ((8 + dist - 1) / dist)
	i := 0
	for ; i < p && i < length; i++ {
		out[op+i] = out[src+i]
	}
	for ; i < length; i += 8 {
		store(out, op+i, load(out, op+i-p))
	}
}
