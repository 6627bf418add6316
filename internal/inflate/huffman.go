package inflate

// A table entry is a uint32:
//
//	bits 0–7    the code's length, which a lookup consumes (in a
//	            subtable too: a lookup reads the main entry and the
//	            subtable's before it consumes anything)
//	bits 8–11   extra bits that follow the code (lengths, distances); in
//	            a pointer, the subtable's index bits
//	bits 12–15  flags
//	bits 16–31  the value: a literal byte, a length or distance base, or
//	            a pointer's subtable offset
//
// An entry of zero is invalid: no code leads there (an incomplete code).
const (
	flagLiteral  = 1 << 12
	flagEnd      = 1 << 13 // end of block
	flagSubtable = 1 << 14
	flagValid    = 1 << 15

	litlenBits  = 11 // index bits of the literal/length main table
	distBits    = 8  // index bits of the distance main table
	precodeBits = 7  // the code-length code's longest code

	maxCodeLen = 15

	// Table sizes: the main table and, at most, one full subtable per
	// symbol (a generous bound: subtables share prefixes).
	litlenTableSize = 1<<litlenBits + 288<<(maxCodeLen-litlenBits)
	distTableSize   = 1<<distBits + 32<<(maxCodeLen-distBits)
)

// Bases and extra bits of the length symbols 257–285 and of the distance
// symbols 0–29 (RFC 1951, 3.2.5).
var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

// litlenEntry is what the literal/length symbol sym decodes to, with a
// code length of n bits. Symbols 286 and 287 (which a fixed code has)
// are invalid.
func litlenEntry(sym int, n uint32) uint32 {
	switch {
	case sym < 256:
		return flagValid | flagLiteral | uint32(sym)<<16 | n
	case sym == 256:
		return flagValid | flagEnd | n
	case sym < 286:
		i := sym - 257
		return flagValid | uint32(lengthBase[i])<<16 | uint32(lengthExtra[i])<<8 | n
	}
	return 0
}

// distEntry is what the distance symbol sym decodes to; 30 and 31 are
// invalid.
func distEntry(sym int, n uint32) uint32 {
	if sym < 30 {
		return flagValid | uint32(distBase[sym])<<16 | uint32(distExtra[sym])<<8 | n
	}
	return 0
}

// precodeEntry is what the code-length symbol sym decodes to.
func precodeEntry(sym int, n uint32) uint32 {
	return flagValid | uint32(sym)<<16 | n
}

// build fills table with the canonical Huffman code of lengths (0 for an
// unused symbol), indexed by its next bits, least significant first, as
// deflate sends them: a main table of 1<<bits entries, then the
// subtables of codes longer than bits. It reports false for a code that
// is over-subscribed, or incomplete other than as compress/flate allows:
// no codes at all, or a single code of one bit.
func build(table []uint32, lengths []uint8, bits uint, entry func(sym int, n uint32) uint32) bool {
	var count [maxCodeLen + 1]int
	for _, l := range lengths {
		count[l]++
	}
	count[0] = 0
	// next[l] is the first code of length l; left counts the codes still
	// free, to find an over-subscribed or incomplete code.
	var next [maxCodeLen + 2]uint32
	left, code, used := 1, uint32(0), 0
	for l := 1; l <= maxCodeLen; l++ {
		left = left<<1 - count[l]
		if left < 0 {
			return false
		}
		code = (code + uint32(count[l-1])) << 1
		next[l] = code
		used += count[l]
	}
	if left != 0 && !(used == 0 || (used == 1 && count[1] == 1)) {
		return false
	}
	main := table[:1<<bits]
	clear(main)
	// The symbols in canonical order: by length, then by symbol. The codes
	// of one prefix are consecutive in it, the shortest first.
	var order [288]uint16
	var first [maxCodeLen + 2]int
	for l := 1; l <= maxCodeLen; l++ {
		first[l+1] = first[l] + count[l]
	}
	at := first
	for sym, l := range lengths {
		if l != 0 {
			order[at[l]] = uint16(sym)
			at[l]++
		}
	}
	remain := count  // codes not yet placed, by length
	end := 1 << bits // where the next subtable goes
	mask := uint32(1)<<bits - 1
	for _, s := range order[:used] {
		sym := int(s)
		n := uint(lengths[sym])
		rev := reverse(next[n], n)
		next[n]++
		if n <= bits {
			e := entry(sym, uint32(n))
			for i := rev; i < 1<<bits; i += 1 << n {
				main[i] = e
			}
			remain[n]--
			continue
		}
		// A long code: the entry at its first bits points to a subtable,
		// made when the prefix's first code is met, as large as the
		// prefix's codes fill (zlib's inflate_table sizes it the same way).
		p := rev & mask
		if main[p] == 0 {
			sub := n - bits
			for left := 1 << sub; ; {
				left -= remain[bits+sub]
				if left <= 0 || bits+sub >= maxCodeLen {
					break
				}
				sub++
				left <<= 1
			}
			main[p] = flagSubtable | uint32(end)<<16 | uint32(sub)<<8
			clear(table[end : end+1<<sub])
			end += 1 << sub
		}
		start, sub := int(main[p]>>16), uint(main[p]>>8&15)
		e := entry(sym, uint32(n))
		for i := rev >> bits; i < 1<<sub; i += 1 << (n - bits) {
			table[start+int(i)] = e
		}
		remain[n]--
	}
	return true
}

// reverse returns the n low bits of code in reverse order.
func reverse(code uint32, n uint) uint32 {
	var r uint32
	for range n {
		r = r<<1 | code&1
		code >>= 1
	}
	return r
}
