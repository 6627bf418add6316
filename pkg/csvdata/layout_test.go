package csvdata

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLateCategoriesMoveTheRows: categories met only after the first chunk
// widen the layout, and the rows moved to it are those of a read whose
// first chunk holds the whole file; the one-hot columns are where the
// sorted categories say.
func TestLateCategoriesMoveTheRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("x,c,z,d,y\n")
	for i := range 400 {
		c := []string{"b", "a"}[i%2]
		if i > 300 {
			c = []string{"b", "a", "zz", "c0123456789"}[i%4] // later, two more
		}
		fmt.Fprintf(&b, "%d,%s,%d.5,%s,%d\n", i, c, i%7, []string{"u", "", "v"}[i%3], i%2)
	}
	path := write(t, b.String())
	ref, err := Read[float32](path, Options{Workers: 1})
	require.NoError(t, err)
	assert.Equal(t, []string{"x", "c=a", "c=b", "c=c0123456789", "c=zz", "z", "d=", "d=u", "d=v"}, ref.Schema.Names())
	assert.Equal(t, []float32{303, 0, 0, 1, 0, 2.5, 0, 1, 0}, ref.X.Row(303)) // c0123456789, u
	for _, chunk := range []int{100, 4096} {
		for _, w := range []int{1, 2, 3} {
			got, err := Read[float32](path, Options{Workers: w, ChunkBytes: chunk})
			require.NoError(t, err)
			assert.Equal(t, ref.Schema, got.Schema)
			assert.Equal(t, ref.X.Data, got.X.Data, "workers %d chunk %d", w, chunk)
		}
	}
}

// TestWideFirstChunkIsStillRefused: when the first chunk's categories
// alone make the matrix wider than MaxColumns, no matrix that wide is
// allocated and the width is refused as before, after the whole file.
func TestWideFirstChunkIsStillRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("c,d,y\n")
	for i := range 300 {
		fmt.Fprintf(&b, "a%d,b%d,%d\n", i%40, i%50, i%2)
	}
	path := write(t, b.String())
	_, err := Read[float32](path, Options{MaxColumns: 60})
	assert.ErrorContains(t, err, "one-hot encoding gives 90 matrix columns, more than the limit of 60")
}

// TestCatIndexFindsWhatAMapFinds: the category index agrees with a map on
// short, long, empty and look-alike values, in a chunk or alone.
func TestCatIndexFindsWhatAMapFinds(t *testing.T) {
	m := map[string]uint32{}
	for i, v := range []string{"", "a", "ab", "abcdefgh", "abcdefghi", "abcdefghij", "São Paulo", "New York", "New Yorker", "\x00", "\x00\x00"} {
		m[v] = uint32(i)
	}
	for i := range 300 {
		m[fmt.Sprintf("cat%02d", i)] = uint32(100 + i)
	}
	x := newCatIndex(m)
	probe := func(v string) {
		want, wok := m[v]
		for _, b := range [][]byte{[]byte(v), append([]byte(v), "zzzzzzzzzzzz"...)[:len(v)]} {
			got, ok := x.lookup(b)
			assert.Equal(t, wok, ok, "%q", v)
			assert.Equal(t, want, got, "%q", v)
		}
	}
	for v := range m {
		probe(v)
	}
	for _, v := range []string{"b", "abc", "abcdefg", "abcdefghk", "New Yorkers", "cat300", "cat", "\x00\x00\x00", " "} {
		probe(v)
	}
}

// A padded category's trimmed value means it, unless that value is a
// category itself; of two padded spellings the first (sorted) wins — on
// the file path and the column path alike.
func TestPaddedCategories(t *testing.T) {
	assert.Nil(t, PaddedCategories([]string{"", "blue", "red"}))
	assert.Nil(t, PaddedCategories(nil), "no categories")
	got := PaddedCategories([]string{" red", "blue", "green\t", "red "})
	assert.Equal(t, map[string]uint32{"red": 0, "green": 2}, got)
	assert.Equal(t, map[string]uint32(nil), PaddedCategories([]string{" blue", "blue"}), "blue is a category itself")
}
