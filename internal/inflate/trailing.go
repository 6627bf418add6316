package inflate

import "fmt"

// What follows a member is decided as GNU gzip -d (1.12) decides it:
// another member (its magic bytes 0x1F 0x8B, even cut short), the end,
// zero bytes to the end — ignored, as tape blocks and padded uploads
// leave them — or trailing garbage, which gzip -d warns of and exits 2
// for: here an error, after the whole text has been read and checked.

// TrailingError is bytes after the last member that are neither zeros
// nor a member, from byte Offset of the stream (its first byte that is
// not zero): what GNU gzip -d calls trailing garbage. The text before it
// has been read whole, its members checked.
type TrailingError struct {
	Offset int64
}

func (e *TrailingError) Error() string {
	return fmt.Sprintf("trailing garbage after the gzip data, at byte %d", e.Offset)
}

// next looks at what follows a member, at a byte boundary: it sets the
// state to read another member's header, or to the end.
func (z *Reader) next() error {
	if z.ip >= z.n && !z.more() {
		return z.end()
	}
	if z.in[z.ip] == 0 {
		for { // zeros to the end, or garbage
			for z.ip < z.n && z.in[z.ip] == 0 {
				z.ip++
			}
			if z.ip < z.n {
				return &TrailingError{Offset: z.inBase + int64(z.ip)}
			}
			if !z.more() {
				return z.end()
			}
		}
	}
	at := z.inBase + int64(z.ip)
	if z.in[z.ip] != gzipID1 {
		return &TrailingError{Offset: at}
	}
	if z.ip+1 >= z.n && !z.more() { // a member cut after its first byte
		return z.truncated()
	}
	if z.in[z.ip+1] != gzipID2 {
		return &TrailingError{Offset: at}
	}
	z.state = stHeader
	return nil
}

// end is the end of the stream after a member: io.EOF to come, or the
// source's error.
func (z *Reader) end() error {
	if z.err != nil {
		return z.err
	}
	z.state = stDone
	return nil
}

// The magic bytes of a gzip member.
const gzipID1, gzipID2 = 0x1f, 0x8b
