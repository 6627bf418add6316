package csvdata

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// endless gives its prefix, then what fill writes, forever — or up to a
// bound, past which the test has failed: the copy should have stopped.
type endless struct {
	prefix []byte
	fill   func([]byte)
	n, max int64
}

var errTooFar = errors.New("read past the bound: the copy did not stop")

func (e *endless) Read(p []byte) (int, error) {
	if e.n >= e.max {
		return 0, errTooFar
	}
	k := copy(p, e.prefix)
	e.prefix = e.prefix[k:]
	e.fill(p[k:])
	e.n += int64(len(p))
	return len(p), nil
}

func zeros(p []byte) { clear(p) }

// TestSpoolStopsAtWhatIsNoText: an endless stream of zeros, of random
// bytes or of a gzip stream of zeros is refused as it is copied, at its
// first bytes, with the stream's name; never by filling the disk.
func TestSpoolStopsAtWhatIsNoText(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(p []byte) {
		for i := range p {
			p[i] = byte(rng.Uint32())
		}
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, _ = zw.Write(make([]byte, 4<<20))
	require.NoError(t, zw.Flush()) // a gzip stream of zeros that goes on
	cases := []struct {
		name string
		in   *endless
		want string
	}{
		{"zeros", &endless{fill: zeros}, "stdin:1:1: NUL byte"},
		{"random bytes", &endless{fill: random}, "stdin:"},
		{"gzip of zeros", &endless{prefix: z.Bytes(), fill: zeros}, "stdin:1:1: NUL byte"},
		{"random after a gzip header", &endless{prefix: []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0}, fill: random}, "stdin: gzip: "},
		{"an endless line", &endless{prefix: []byte("a,b\n1,"), fill: func(p []byte) {
			for i := range p {
				p[i] = '9'
			}
		}}, "stdin:2: line longer than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.in.max = 256 << 20
			_, err := ReadFrom[float32](context.Background(), "stdin", c.in, Options{})
			require.Error(t, err)
			assert.NotErrorIs(t, err, errTooFar)
			assert.Contains(t, err.Error(), c.want)
			assert.Less(t, c.in.n, int64(128<<20), "bytes read before the refusal")
			assert.NotContains(t, err.Error(), os.TempDir())
		})
	}
}

// TestSpoolIsBounded: a stream longer than Options.MaxSpoolBytes is
// refused by name once it passes it; one as long is read.
func TestSpoolIsBounded(t *testing.T) {
	text := "a,y\n" + strings.Repeat("1,0\n2,1\n", 500) // 4004 bytes
	_, err := ReadFrom[float32](context.Background(), "stdin", strings.NewReader(text), Options{MaxSpoolBytes: 4000})
	assert.EqualError(t, err, "stdin: longer than 4 KB, the most its copy may take (csvdata.Options.MaxSpoolBytes)")
	tab, err := ReadFrom[float32](context.Background(), "stdin", strings.NewReader(text), Options{MaxSpoolBytes: 4004})
	require.NoError(t, err)
	assert.Equal(t, 1000, tab.X.Rows)
	// A stream without end is refused once past the bound.
	_, err = ReadFrom[float32](context.Background(), "stdin", io.MultiReader(strings.NewReader("a,y\n"), &endless{fill: func(p []byte) {
		for i := range p {
			p[i] = "1,0\n"[i%4]
		}
	}, max: 1 << 62}), Options{MaxSpoolBytes: 1 << 20})
	assert.ErrorContains(t, err, "stdin: longer than 1.05 MB")
}
