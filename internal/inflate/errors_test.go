package inflate

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

// multiBlock is raw deflate data of many blocks of every kind: the text
// cut into pieces of step bytes, each piece flushed (which ends a block
// with an empty stored one).
func multiBlock(t *testing.T, text []byte, level, step int) []byte {
	var b bytes.Buffer
	fw, err := flate.NewWriter(&b, level)
	require.NoError(t, err)
	for i := 0; i < len(text); i += step {
		fw.Write(text[i:min(i+step, len(text))])
		require.NoError(t, fw.Flush())
	}
	require.NoError(t, fw.Close())
	return b.Bytes()
}

// fixedThenDynamic is a fixed block of six literals, then the deflate
// data d (of a dynamic block first): a block boundary a few bytes in.
func fixedThenDynamic(d []byte) []byte {
	// Bits, least significant first: BFINAL 0, BTYPE 01, six times the
	// byte 200 (fixed code 0x190+200-144, 9 bits, sent most significant
	// bit first), end of block (7 zero bits): 64 bits, so that d's stored
	// blocks stay on byte boundaries.
	var bits []uint8
	add := func(v uint32, n int) {
		for i := range n {
			bits = append(bits, uint8(v>>i&1))
		}
	}
	add(0, 1)
	add(1, 2)
	for range 6 {
		add(reverse(0x190+200-144, 9), 9)
	}
	add(0, 7)
	for _, c := range d {
		add(uint32(c), 8)
	}
	out := make([]byte, (len(bits)+7)/8)
	for i, b := range bits {
		out[i/8] |= b << (i % 8)
	}
	return out
}

// A stream cut anywhere is io.ErrUnexpectedEOF, as compress/flate says,
// and what came out before it is a prefix of the text; even where a block
// ends within the last bytes, which the zeros after the input must not
// stand in for.
func TestCutsLikeFlate(t *testing.T) {
	text := texts()["csv"][:6000]
	var one bytes.Buffer
	fw, _ := flate.NewWriter(&one, 6)
	fw.Write(text[:3000])
	fw.Close()
	streams := map[string][]byte{
		"fixed then dynamic":             fixedThenDynamic(one.Bytes()),
		"level 1, 500-byte blocks":       multiBlock(t, text, 1, 500),
		"level 6, 97-byte blocks":        multiBlock(t, text, 6, 97),
		"huffman only, 1000-byte blocks": multiBlock(t, text, flate.HuffmanOnly, 1000),
		"stored, 300-byte blocks":        multiBlock(t, text, flate.NoCompression, 300),
	}
	for name, d := range streams {
		want, err := io.ReadAll(flate.NewReader(bytes.NewReader(d)))
		require.NoError(t, err, name)
		for n := range len(d) {
			if testing.Short() && n > 64 && n < len(d)-64 && n%7 != 0 {
				continue // the race run: the ends, and every 7th cut between
			}
			got, err := io.ReadAll(newRaw(bytes.NewReader(d[:n])))
			require.ErrorIs(t, err, io.ErrUnexpectedEOF, "%s cut at %d of %d", name, n, len(d))
			require.True(t, bytes.HasPrefix(want, got), "%s cut at %d: %d bytes out, not a prefix", name, n, len(got))
		}
	}
}

var errDisk = errors.New("disk on fire")

// failing gives b a byte at a time, then its error instead of io.EOF.
type failing struct {
	b   []byte
	err error
}

func (r *failing) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, r.err
	}
	p[0] = r.b[0]
	r.b = r.b[1:]
	return 1, nil
}

// A read error of the source is the Reader's error, wherever it comes;
// a source that gives nothing, again and again, is io.ErrNoProgress.
func TestSourceErrors(t *testing.T) {
	z := gzipped(t, texts()["csv"][:5000], 6, false)
	for n := range len(z) {
		r, err := NewReader(&failing{b: z[:n], err: errDisk})
		if err == nil {
			_, err = io.ReadAll(r)
		}
		require.ErrorIs(t, err, errDisk, "error after %d of %d bytes", n, len(z))
	}
	_, err := NewReader(&failing{err: nil})
	require.ErrorIs(t, err, io.ErrNoProgress)
}
