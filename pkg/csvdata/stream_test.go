package csvdata

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readParts reads path as Learn and Parts do, in parts of partBytes, and
// puts the parts together as one table.
func readParts(t *testing.T, path string, opt Options, partBytes int) (*Table[float32], *Summary, int, error) {
	ctx := context.Background()
	f, err := Open(ctx, path, opt)
	if err != nil {
		return nil, nil, 0, err
	}
	defer f.Close()
	f.PartBytes = partBytes
	s, err := Learn[float32](ctx, f, nil)
	if err != nil {
		return nil, nil, 0, err
	}
	all := &Table[float32]{Header: s.Header, Schema: s.Schema, Delimiter: s.Delimiter}
	all.X.Cols = s.Schema.Width()
	for _, k := range s.Targets {
		all.Targets = append(all.Targets, Column{Name: k.Name, FirstText: -1})
	}
	parts := 0
	err = Parts(ctx, f, &s.Schema, func(p *Table[float32]) error {
		parts++
		require.Equal(t, all.X.Cols, p.X.Cols)
		all.X.Data = append(all.X.Data, p.X.Data...)
		all.X.Rows += p.X.Rows
		for r := range p.X.Rows {
			all.Lines.add(all.Lines.Len(), p.Lines.Line(r))
		}
		for k, c := range p.Targets {
			for i := range c.Len() {
				v := c.Text(i)
				if w := s.Targets[k].Written; c.Numbers != nil && w != nil {
					v = w[c.Numbers[i]] // the whole file's first writing, as Learn merges them
				}
				all.Targets[k].Strings = append(all.Targets[k].Strings, v)
			}
		}
		assert.Empty(t, p.Unseen)
		return nil
	})
	return all, s, parts, err
}

// TestPartsReadAsTheWholeFile reads every table of testdata in parts of a
// few sizes and compares what Learn and Parts find with what Read finds
// of the whole file: schema, values (bits), targets as written, lines,
// missing and skipped cells; a file Read refuses is refused too.
func TestPartsReadAsTheWholeFile(t *testing.T) {
	var paths []string
	for _, g := range []string{"*.csv", "messy/*.csv", "messy/own/*", "bad/*.csv"} {
		m, _ := filepath.Glob(filepath.Join("..", "..", "testdata", g))
		paths = append(paths, m...)
	}
	require.NotEmpty(t, paths)
	for _, path := range paths {
		if strings.HasSuffix(path, ".md") {
			continue
		}
		opt := Options{NA: []string{"?", "-"}, Ignore: []string{"patient_id"}}
		if strings.Contains(path, "spellings_odd") {
			opt.Categorical = []string{"sale"}
		}
		if strings.Contains(path, "diabetes_holes") {
			opt.Ignore = []string{"patient_id"}
		} else {
			opt.Ignore = nil
		}
		whole, werr := ReadFile[float32](context.Background(), path, opt)
		for _, size := range []int{64, 700, 5000, DefaultPartBytes} {
			got, s, parts, err := readParts(t, path, opt, size)
			name := filepath.Base(path)
			if werr != nil {
				assert.Error(t, err, "%s in parts of %d: Read refuses it (%v)", name, size, werr)
				continue
			}
			if !assert.NoError(t, err, "%s in parts of %d", name, size) {
				continue
			}
			if size == 64 && whole.X.Rows > 20 {
				assert.Greater(t, parts, 2, name)
			}
			assert.Equal(t, whole.Schema, s.Schema, name)
			assert.Equal(t, whole.X.Rows, s.Rows, name)
			assert.Equal(t, whole.Missing, s.Missing, name)
			assert.Equal(t, whole.Skipped, s.Skipped, name)
			assert.Equal(t, whole.Delimiter, s.Delimiter, name)
			assert.Equal(t, whole.Lines.All(), got.Lines.All(), name)
			require.Equal(t, len(whole.X.Data), len(got.X.Data), name)
			same := slices.EqualFunc(whole.X.Data, got.X.Data, func(a, b float32) bool {
				return math.Float32bits(a) == math.Float32bits(b)
			})
			assert.True(t, same, "%s in parts of %d: the values differ", name, size)
			for k, c := range whole.Targets {
				assert.Equal(t, c.Numbers == nil, s.Targets[k].Text, name)
				for i := range c.Len() {
					if c.Text(i) != got.Targets[k].Strings[i] {
						t.Errorf("%s in parts of %d: target %d row %d: %q, want %q", name, size, k, i, got.Targets[k].Strings[i], c.Text(i))
						break
					}
				}
			}
		}
	}
}

// TestPartsNameTheFileLine: an error in a later part names the file's
// line, not the part's.
func TestPartsNameTheFileLine(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b,y\n")
	for i := range 200 {
		if i == 150 {
			b.WriteString("1,2,3,4\n")
			continue
		}
		b.WriteString("1,2,0\n")
	}
	path := write(t, b.String())
	_, werr := Read[float32](path, Options{})
	require.Error(t, werr)
	_, _, _, err := readParts(t, path, Options{}, 100)
	require.Error(t, err)
	assert.Equal(t, werr.Error(), err.Error())
}
