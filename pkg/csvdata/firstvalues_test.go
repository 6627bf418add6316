package csvdata

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingReader counts the bytes read through it.
type countingReader struct {
	memory
	n *int64
}

func (c countingReader) ReadAt(p []byte, off int64) (int, error) {
	k, err := c.memory.ReadAt(p, off)
	*c.n += int64(k)
	return k, err
}

// TestFirstValuesOnePass: a text column whose first values are missing is
// typed from the first present one in the first chunk, not read again; one
// that is missing for longer than that still is (TestOnePassStreams).
func TestFirstValuesOnePass(t *testing.T) {
	var b strings.Builder
	b.WriteString("x,late,y\n")
	for i := range 200000 {
		late := ""
		if i > 5000 {
			late = []string{"p", "q"}[i%2]
		}
		fmt.Fprintf(&b, "%d,%s,%d\n", i, late, i%2)
	}
	data := []byte(b.String())
	for _, chunk := range []int{0, 4096} {
		var n int64
		src, err := sourceOf("late.csv", countingReader{memory{bytes.NewReader(data)}, &n}, int64(len(data)))
		require.NoError(t, err)
		opt, err := Options{ChunkBytes: chunk}.withDefaults()
		require.NoError(t, err)
		tab, err := read[float32](context.Background(), src, opt)
		require.NoError(t, err)
		assert.Equal(t, []string{"", "p", "q"}, tab.Schema.Features[1].Categories)
		if chunk == 0 {
			assert.Less(t, n, int64(len(data))*3/2, "read once (and its start twice)")
		} else {
			assert.Greater(t, n, int64(len(data))*3/2, "a 4 KiB chunk holds no value of the column: read again")
		}
	}
}
