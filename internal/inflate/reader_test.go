package inflate

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	kflate "github.com/klauspost/compress/flate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// texts are inputs of the kinds deflate meets: CSV numbers, text with
// long repeats, short periods, incompressible bytes, nothing.
func texts() map[string][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var csv bytes.Buffer
	for i := range 30000 {
		fmt.Fprintf(&csv, "%d,%.4f,%s,,%d\n", i, rng.NormFloat64(), []string{"red", "green", "blue"}[rng.IntN(3)], rng.IntN(256))
	}
	random := make([]byte, 200000)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	var periods bytes.Buffer
	for i := range 2000 {
		p := 1 + i%9
		for j := range 300 {
			periods.WriteByte(byte('a' + j%p))
		}
		periods.WriteString("0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,255\n")
	}
	return map[string][]byte{
		"csv":     csv.Bytes(),
		"random":  random,
		"periods": periods.Bytes(),
		"zeros":   make([]byte, 3<<20),
		"byte":    {'x'},
		"empty":   {},
	}
}

// gzipped compresses text as one member at the given level, with the
// standard library or klauspost's.
func gzipped(t testing.TB, text []byte, level int, klauspost bool) []byte {
	var b bytes.Buffer
	if !klauspost {
		zw, err := gzip.NewWriterLevel(&b, level)
		require.NoError(t, err)
		zw.Name, zw.Comment, zw.Extra = "table.csv", "a comment", []byte("extra field")
		_, err = zw.Write(text)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
		return b.Bytes()
	}
	// klauspost's deflate in a hand-made member (its block choices differ).
	b.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255})
	fw, err := kflate.NewWriter(&b, level)
	require.NoError(t, err)
	_, err = fw.Write(text)
	require.NoError(t, err)
	require.NoError(t, fw.Close())
	var tr [8]byte
	binaryLE(tr[:4], crc(text))
	binaryLE(tr[4:], uint32(len(text)))
	b.Write(tr[:])
	return b.Bytes()
}

func binaryLE(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func crc(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

// inflate reads all of the gzip stream z, with reads of size chunk; one
// byte at a time from the source when slow.
func inflate(z []byte, chunk int, slow bool) ([]byte, error) {
	var src io.Reader = bytes.NewReader(z)
	if slow {
		src = iotest.OneByteReader(src)
	}
	r, err := NewReader(src)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	buf := make([]byte, chunk)
	for {
		n, err := r.Read(buf)
		out.Write(buf[:n])
		if err == io.EOF {
			return out.Bytes(), nil
		}
		if err != nil {
			return out.Bytes(), err
		}
	}
}

func TestSameText(t *testing.T) {
	for name, text := range texts() {
		for _, level := range []int{flate.HuffmanOnly, flate.NoCompression, flate.BestSpeed, 5, flate.BestCompression} {
			for _, k := range []bool{false, true} {
				z := gzipped(t, text, level, k)
				for _, chunk := range []int{1 << 20, 4093} {
					got, err := inflate(z, chunk, false)
					require.NoError(t, err, "%s level %d klauspost %v", name, level, k)
					require.True(t, bytes.Equal(text, got), "%s level %d klauspost %v chunk %d", name, level, k, chunk)
				}
				if len(z) < 1<<16 || name == "csv" && level == 5 {
					got, err := inflate(z, 777, true)
					require.NoError(t, err)
					require.True(t, bytes.Equal(text, got), "%s level %d one byte at a time", name, level)
				}
			}
		}
	}
}

func TestMembers(t *testing.T) {
	tx := texts()
	var z []byte
	var want []byte
	for _, name := range []string{"csv", "empty", "periods", "byte"} {
		z = append(z, gzipped(t, tx[name], 6, false)...)
		want = append(want, tx[name]...)
	}
	got, err := inflate(z, 1<<16, false)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want, got))

	// A header CRC (FHCRC), which Go's writer does not write.
	one := gzipped(t, []byte("a,b\n1,2\n"), 6, false)
	h := []byte{0x1f, 0x8b, 8, 2, 0, 0, 0, 0, 0, 255}
	hc := crc(h)
	withCRC := append(append(h, byte(hc), byte(hc>>8)), one[10+len("extra field")+2+len("table.csv")+1+len("a comment")+1:]...)
	got, err = inflate(withCRC, 100, false)
	require.NoError(t, err)
	assert.Equal(t, "a,b\n1,2\n", string(got))
	withCRC[10]++
	_, err = inflate(withCRC, 100, false)
	assert.ErrorIs(t, err, ErrHeader)
}

func TestErrors(t *testing.T) {
	z := gzipped(t, texts()["csv"][:5000], 6, false)
	// Every cut is an error, never a panic nor a clean end.
	for n := range len(z) {
		_, err := inflate(z[:n], 512, n%2 == 0)
		if n == 0 {
			assert.ErrorIs(t, err, io.EOF)
			continue
		}
		require.Error(t, err, "cut at %d of %d", n, len(z))
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "cut at %d", n)
	}
	bad := bytes.Clone(z)
	bad[len(bad)-5]++ // the CRC
	_, err := inflate(bad, 512, false)
	assert.ErrorIs(t, err, ErrChecksum)
	bad = bytes.Clone(z)
	bad[len(bad)-1]++ // the size
	_, err = inflate(bad, 512, false)
	assert.ErrorIs(t, err, ErrChecksum)
	_, err = inflate(append(bytes.Clone(z), "not gzip!!"...), 512, false)
	var te *TrailingError
	assert.True(t, errors.As(err, &te), "%v", err) // see TestTrailingBytes
	_, err = inflate(append(bytes.Clone(z), 0x1f, 0x8b), 512, false)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	_, err = inflate([]byte("plain text, not gzip"), 512, false)
	assert.ErrorIs(t, err, ErrHeader)
	// Deflate data that breaks the format: block type 3.
	_, err = inflate(append([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}, 0x07, 0, 0, 0, 0, 0, 0, 0, 0, 0), 512, false)
	var ce *CorruptError
	assert.True(t, errors.As(err, &ce), "%v", err)
}

// sameAsFlate checks the raw deflate data d against compress/flate: the
// same bytes when it takes d, an error when it does not.
func sameAsFlate(t *testing.T, d []byte) {
	want, werr := io.ReadAll(flate.NewReader(bytes.NewReader(d)))
	got, gerr := io.ReadAll(newRaw(bytes.NewReader(d)))
	if werr != nil {
		if gerr == nil {
			t.Fatalf("compress/flate: %v; this decoder took it (%d bytes)", werr, len(got))
		}
		return
	}
	if gerr != nil {
		t.Fatalf("compress/flate took it (%d bytes); this decoder: %v", len(want), gerr)
	}
	if !bytes.Equal(want, got) {
		t.Fatalf("different bytes: %d from compress/flate, %d here", len(want), len(got))
	}
}

func TestCorruptLikeFlate(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	text := texts()["csv"][:20000]
	for _, level := range []int{flate.HuffmanOnly, 1, 6} {
		var b bytes.Buffer
		fw, _ := flate.NewWriter(&b, level)
		fw.Write(text)
		fw.Close()
		d := b.Bytes()
		sameAsFlate(t, d)
		n := 3000
		if testing.Short() {
			n = 300
		}
		for range n {
			c := bytes.Clone(d)
			for range 1 + rng.IntN(3) {
				c[rng.IntN(len(c))] ^= 1 << rng.IntN(8)
			}
			sameAsFlate(t, c)
		}
	}
}

func FuzzRaw(f *testing.F) {
	for _, level := range []int{flate.HuffmanOnly, 0, 1, 6} {
		var b bytes.Buffer
		fw, _ := flate.NewWriter(&b, level)
		fw.Write([]byte("1,2,3\n4,5,6\n0,0,0,0,0,0,0,0,0\nred,green,blue,red,green\n"))
		fw.Close()
		f.Add(b.Bytes())
	}
	f.Fuzz(sameAsFlate)
}
