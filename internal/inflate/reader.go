package inflate

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

var (
	// ErrHeader is a gzip member header that is not one.
	ErrHeader = errors.New("invalid header")
	// ErrChecksum is a member whose CRC-32 or size is not its trailer's.
	ErrChecksum = errors.New("invalid checksum")
)

// CorruptError is deflate data that breaks the format, found at byte
// Offset of the input.
type CorruptError struct {
	Offset int64
	What   string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("corrupt deflate data at byte %d of the stream: %s", e.Offset, e.What)
}

const (
	inSize  = 1 << 18  // input read at a time
	inPad   = 16       // zeros after the input's end, for the fast loop
	window  = 1 << 15  // deflate's history
	outSize = 1 << 20  // output made at a time, after the history
	outPad  = 258 + 40 // a match and the words written past it
)

// state is where a Reader stands in the stream, between two reads.
type state uint8

const (
	stHeader  state = iota // before a member's header
	stBlock                // before a block's header
	stStored               // in a stored block
	stHuffman              // in a compressed block
	stTrailer              // after a member's last block
	stDone
)

// Reader decompresses a gzip stream of one or more members.
type Reader struct {
	src    io.Reader
	in     []byte // in[ip:n] is read and not taken; zeros follow at the end
	ip, n  int
	eof    bool
	inBase int64 // offset in the stream of in[0]

	bits  uint64 // the next bits, least significant first
	nbits uint   // how many of them are valid (the bits above are the stream's next, or 0)

	out   []byte // history, then output
	op    int    // next byte out
	rp    int    // next byte for Read
	start int    // where the member's output starts in out (negative once shifted out)
	crcp  int    // output from crcp to op is not yet in crc

	state  state
	final  bool // the block is its member's last
	stored int  // bytes left in a stored block
	raw    bool // deflate data alone, no gzip member (tests)
	crc    uint32
	size   uint32
	err    error

	ll     *[litlenTableSize]uint32 // the block's tables: fixed, or these
	dt     *[distTableSize]uint32
	litlen [litlenTableSize]uint32
	dist   [distTableSize]uint32
}

// NewReader returns a Reader of the gzip stream r, having read the first
// member's header.
func NewReader(r io.Reader) (*Reader, error) {
	z := newReader(r, false)
	if err := z.header(); err != nil {
		return nil, err
	}
	return z, nil
}

// newRaw returns a Reader of deflate data with no gzip framing.
func newRaw(r io.Reader) *Reader {
	z := newReader(r, true)
	z.state = stBlock
	return z
}

// newReader returns a Reader with its buffers, the output after an empty
// history.
func newReader(r io.Reader, raw bool) *Reader {
	return &Reader{
		src: r,
		raw: raw,
		in:  make([]byte, inSize+inPad),
		out: make([]byte, window+outSize+outPad),
		op:  window, rp: window, crcp: window, start: window,
	}
}

// Read reads decompressed bytes into p.
func (z *Reader) Read(p []byte) (int, error) {
	for z.rp == z.op {
		if z.err != nil {
			return 0, z.err
		}
		if z.state == stDone {
			return 0, io.EOF
		}
		z.decode()
	}
	n := copy(p, z.out[z.rp:z.op])
	z.rp += n
	return n, nil
}

// decode makes the next output: it keeps the history, then inflates
// until the output buffer is full, the stream ends or an error.
func (z *Reader) decode() {
	z.sum()
	if z.op > window {
		shift := z.op - window
		copy(z.out, z.out[shift:z.op])
		z.op, z.rp, z.crcp, z.start = window, window, window, z.start-shift // crcp was op: summed above
	}
	limit := len(z.out) - outPad
	for z.err == nil && z.op <= limit {
		var err error
		switch z.state {
		case stHeader:
			err = z.header()
		case stBlock:
			err = z.block()
		case stStored:
			err = z.copyStored(limit)
		case stHuffman:
			err = z.huffman(limit)
		case stTrailer:
			err = z.trailer()
		case stDone:
			return
		}
		if z.err == nil { // a read error, kept by more, goes first
			z.err = err
		}
	}
}

// more reads more input, keeping the 8 bytes before in[ip] (the bit
// buffer may give them back). It reports false at the end of the input
// (or on an error, kept in z.err).
func (z *Reader) more() bool {
	if z.eof {
		return false
	}
	keep := min(z.ip, 8)
	z.inBase += int64(z.ip - keep)
	z.n = copy(z.in, z.in[z.ip-keep:z.n])
	z.ip = keep
	for empty := 0; ; empty++ {
		if empty == 100 { // as bufio says of a reader that gives nothing
			z.eof = true
			z.err = io.ErrNoProgress
			clear(z.in[z.n : z.n+inPad])
			return false
		}
		k, err := z.src.Read(z.in[z.n:inSize])
		z.n += k
		if err == io.EOF {
			z.eof = true
			clear(z.in[z.n : z.n+inPad])
			return k > 0
		}
		if err != nil {
			z.eof = true
			z.err = err
			clear(z.in[z.n : z.n+inPad])
			return false
		}
		if k > 0 {
			return true
		}
	}
}

// need makes at least n ≤ 56 bits valid in the bit buffer, a byte at a
// time; it reports false when the input ends first.
func (z *Reader) need(n uint) bool {
	z.bits &= 1<<z.nbits - 1
	for z.nbits < n {
		if z.ip >= z.n && !z.more() {
			return false
		}
		z.bits |= uint64(z.in[z.ip]) << z.nbits
		z.ip++
		z.nbits += 8
	}
	return true
}

// take consumes n valid bits and returns them.
func (z *Reader) take(n uint) uint32 {
	v := uint32(z.bits & (1<<n - 1))
	z.bits >>= n
	z.nbits -= n
	return v
}

// toBytes drops the bits to the next byte boundary and gives the bit
// buffer's whole bytes back to the input, so that bytes can be read from
// in[ip].
func (z *Reader) toBytes() {
	z.ip -= int(z.nbits >> 3)
	z.bits, z.nbits = 0, 0
}

// byte reads the next byte of the input, at a byte boundary.
func (z *Reader) byte() (byte, bool) {
	if z.ip >= z.n && !z.more() {
		return 0, false
	}
	z.ip++
	return z.in[z.ip-1], true
}

// readFull fills b with the next bytes of the input, at a byte boundary.
func (z *Reader) readFull(b []byte) error {
	for i := range b {
		c, ok := z.byte()
		if !ok {
			return z.truncated()
		}
		b[i] = c
	}
	return nil
}

// truncated is the error of input that ends too soon.
func (z *Reader) truncated() error {
	if z.err != nil {
		return z.err
	}
	return io.ErrUnexpectedEOF
}

// corrupt is the error of deflate data that breaks the format at the
// current position.
func (z *Reader) corrupt(what string) error {
	// The byte that holds the next bit not taken.
	return &CorruptError{Offset: z.inBase + int64((z.ip*8-int(z.nbits))/8), What: what}
}

// header reads a gzip member's header (RFC 1952, 2.3), checking its
// CRC-16 when it has one.
func (z *Reader) header() error {
	z.toBytes()
	if z.ip >= z.n && !z.more() && z.err == nil {
		return io.EOF // an empty stream, as compress/gzip says
	}
	var h [10]byte
	if err := z.readFull(h[:]); err != nil {
		return err
	}
	if h[0] != 0x1f || h[1] != 0x8b || h[2] != 8 {
		return ErrHeader
	}
	hcrc := crc32.Update(0, crc32.IEEETable, h[:])
	read := func() (byte, error) {
		b, ok := z.byte()
		if !ok {
			return 0, z.truncated()
		}
		hcrc = crc32.Update(hcrc, crc32.IEEETable, []byte{b})
		return b, nil
	}
	flags := h[3]
	if flags&4 != 0 { // FEXTRA
		lo, err := read()
		if err != nil {
			return err
		}
		hi, err := read()
		if err != nil {
			return err
		}
		for range int(lo) | int(hi)<<8 {
			if _, err := read(); err != nil {
				return err
			}
		}
	}
	for _, f := range []byte{8, 16} { // FNAME, FCOMMENT: zero-terminated
		if flags&f == 0 {
			continue
		}
		for {
			b, err := read()
			if err != nil {
				return err
			}
			if b == 0 {
				break
			}
		}
	}
	if flags&2 != 0 { // FHCRC
		var c [2]byte
		if err := z.readFull(c[:]); err != nil {
			return err
		}
		if binary.LittleEndian.Uint16(c[:]) != uint16(hcrc) {
			return ErrHeader
		}
	}
	z.state = stBlock
	z.crc, z.size = 0, 0
	z.start = z.op
	z.crcp = z.op
	return nil
}

// trailer checks a member's CRC-32 and size, then looks at what follows
// (next).
func (z *Reader) trailer() error {
	z.sum()
	z.toBytes()
	if z.raw {
		z.state = stDone
		return nil
	}
	var t [8]byte
	if err := z.readFull(t[:]); err != nil {
		return err
	}
	if binary.LittleEndian.Uint32(t[:]) != z.crc || binary.LittleEndian.Uint32(t[4:]) != z.size {
		return ErrChecksum
	}
	return z.next()
}

// sum adds the output since the last sum to the member's CRC-32 and
// size.
func (z *Reader) sum() {
	z.crc = crc32.Update(z.crc, crc32.IEEETable, z.out[z.crcp:z.op])
	z.size += uint32(z.op - z.crcp)
	z.crcp = z.op
}
