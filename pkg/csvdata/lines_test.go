package csvdata

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Lines holds runs: one for rows on consecutive lines, whatever their
// number; Line and All give each row's line; keep renumbers the rows kept.
func TestLinesRuns(t *testing.T) {
	l := linesOf(2, 3, 4, 6, 7, 10)
	assert.Len(t, l.runs, 3)
	assert.Equal(t, 6, l.Len())
	assert.Equal(t, []int32{2, 3, 4, 6, 7, 10}, l.All())
	for r, want := range []int{2, 3, 4, 6, 7, 10} {
		assert.Equal(t, want, l.Line(r))
	}
	kept := l.keep([]bool{false, true, false, false, true, false})
	assert.Equal(t, []int32{2, 4, 6, 10}, kept.All())
	assert.Equal(t, linesOf(2, 4, 6, 10), kept)
	assert.Nil(t, Lines{}.All())
	lines := make([]int, 100_000)
	for i := range lines {
		lines[i] = i + 2
	}
	assert.Len(t, linesOf(lines...).runs, 1)
}

// A table read in small chunks, with blank lines, a record of two lines
// and rows without a target, has each row's line, in few runs.
func TestTableLines(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,y\n")
	var want []int32
	line := 2
	for i := range 5000 {
		switch {
		case i == 1000:
			b.WriteString("\n") // a blank line
			line++
		case i == 2000:
			b.WriteString("\"1\n\",1\n") // a record of two lines
			want = append(want, int32(line))
			line += 2
			continue
		case i == 3000:
			b.WriteString("5,\n") // no target: skipped
			line++
			continue
		}
		b.WriteString("1,0\n")
		want = append(want, int32(line))
		line++
	}
	path := filepath.Join(t.TempDir(), "t.csv")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	for _, chunk := range []int{64, 1 << 20} {
		tab, err := Read[float32](path, Options{ChunkBytes: chunk, Categorical: []string{"a"}})
		require.NoError(t, err)
		assert.Equal(t, want, tab.Lines.All(), "chunks of %d bytes", chunk)
		assert.LessOrEqual(t, len(tab.Lines.runs), 4)
	}
}
