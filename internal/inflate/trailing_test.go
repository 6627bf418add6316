package inflate

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTrailingBytes: what follows the last member is decided as GNU gzip
// -d decides it (gzip 1.12): zero bytes to the end are ignored; a lone
// 0x1F, or 0x1F 0x8B, is a member cut short; anything else is trailing
// garbage, an error at its first byte that is not zero, after the whole
// text.
func TestTrailingBytes(t *testing.T) {
	text := texts()["csv"][:5000]
	z := gzipped(t, text, 6, false)
	two := append(bytes.Clone(z), gzipped(t, []byte("a,b\n"), 6, false)...)
	for _, c := range []struct {
		name  string
		in    []byte
		want  []byte
		at    int64 // the garbage's offset; −1: no garbage
		isErr error
	}{
		{"a zero", append(bytes.Clone(z), 0), text, -1, nil},
		{"512 zeros", append(bytes.Clone(z), make([]byte, 512)...), text, -1, nil},
		{"zeros past the input buffer", append(bytes.Clone(z), make([]byte, inSize+100)...), text, -1, nil},
		{"zeros after two members", append(bytes.Clone(two), make([]byte, 9)...), append(bytes.Clone(text), "a,b\n"...), -1, nil},
		{"garbage", append(bytes.Clone(z), "garbage\n"...), text, int64(len(z)), nil},
		{"a longer garbage", append(bytes.Clone(z), "not gzip, not at all"...), text, int64(len(z)), nil},
		{"one byte", append(bytes.Clone(z), 'x'), text, int64(len(z)), nil},
		{"zeros, then garbage", append(append(bytes.Clone(z), make([]byte, 8)...), "xyz"...), text, int64(len(z)) + 8, nil},
		{"zeros, then garbage past the input buffer", append(append(bytes.Clone(z), make([]byte, inSize+7)...), 1), text, int64(len(z)) + inSize + 7, nil},
		{"zeros, then a member", append(append(bytes.Clone(z), 0, 0), z...), text, int64(len(z)) + 2, nil},
		{"0x1F, then not 0x8B", append(bytes.Clone(z), 0x1f, 'x', 'y'), text, int64(len(z)), nil},
		{"a lone 0x1F", append(bytes.Clone(z), 0x1f), text, -1, io.ErrUnexpectedEOF},
		{"a magic alone", append(bytes.Clone(z), 0x1f, 0x8b), text, -1, io.ErrUnexpectedEOF},
		{"a member of another method", append(bytes.Clone(z), 0x1f, 0x8b, 7, 0, 0, 0, 0, 0, 0, 255), text, -1, ErrHeader},
	} {
		for _, slow := range []bool{false, true} {
			if slow && len(c.in) > 1<<16 {
				continue
			}
			got, err := inflate(c.in, 4096, slow)
			assert.True(t, bytes.Equal(c.want, got), "%s slow %v: %d bytes, not the text", c.name, slow, len(got))
			var te *TrailingError
			switch {
			case c.at >= 0:
				require.True(t, errors.As(err, &te), "%s slow %v: %v", c.name, slow, err)
				assert.Equal(t, c.at, te.Offset, c.name)
				assert.EqualError(t, err, "trailing garbage after the gzip data, at byte "+strconv.FormatInt(c.at, 10), c.name)
			case c.isErr != nil:
				assert.ErrorIs(t, err, c.isErr, "%s slow %v", c.name, slow)
				assert.False(t, errors.As(err, &te), c.name)
			default:
				assert.NoError(t, err, "%s slow %v", c.name, slow)
			}
		}
	}
}
