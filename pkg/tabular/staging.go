package tabular

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"unsafe"

	"github.com/densetrain/densetrain/internal/floatslice"
	"github.com/densetrain/densetrain/pkg/cache"
	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// A rank's staging file (buildSpread) holds the rows of its share of the
// files as it parsed them, until they are sent to the ranks that keep
// them.

// stage parses f (nil: no files) with s's schema into a staging file of
// rows at path, and says what it found.
func stage[T tensor.Float](ctx context.Context, f *csvdata.File, s *csvdata.Summary, path string) (stagedReport, error) {
	var rep stagedReport
	rep.Texts = make([][]string, len(s.Targets))
	out, err := os.Create(path)
	if err != nil {
		return rep, csvdata.ShortPath(err)
	}
	defer out.Close()
	if f == nil {
		return rep, nil
	}
	w := bufio.NewWriterSize(out, 1<<20)
	index := make([]map[string]int, len(s.Targets))
	for t, k := range s.Targets {
		if k.Text {
			index[t], rep.Texts[t] = map[string]int{}, []string{}
		}
	}
	var row []byte
	err = csvdata.Parts(ctx, f, &s.Schema, func(t *csvdata.Table[T]) error {
		rep.Files = append(rep.Files, t.Files...)
		for i := range t.X.Rows {
			row = append(row[:0], floatslice.AsBytes(t.X.Row(i))...)
			for k, col := range t.Targets {
				v := 0.0
				if m := index[k]; m != nil {
					s := col.Text(i)
					idx, ok := m[s]
					if !ok {
						if len(m) == cache.MaxTargetTexts {
							return fmt.Errorf("%s: target column %s has more than %d distinct values", f.Name(), csvdata.Quote(col.Name), cache.MaxTargetTexts)
						}
						idx = len(m)
						m[s], rep.Texts[k] = idx, append(rep.Texts[k], s)
					}
					v = float64(idx)
				} else {
					v = col.Numbers[i]
				}
				row = binary.LittleEndian.AppendUint64(row, math.Float64bits(v))
			}
			row = binary.LittleEndian.AppendUint64(row, uint64(t.Lines.Line(i)))
			if _, err := w.Write(row); err != nil {
				return err
			}
			rep.Rows++
		}
		return nil
	})
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = out.Close()
	}
	return rep, err
}

// staging is a rank's staging file as a train.Keeper: its rows are rows
// [lo, lo+n) of the table, each width values of T wide (the matrix
// values, then the targets' and the line's 8 bytes each as T's bits).
type staging[T tensor.Float] struct {
	f               *os.File
	lo, n           int
	cols, ny, width int
}

func openStaging[T tensor.Float](path string, lo, n, cols, ny int) (*staging[T], error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, csvdata.ShortPath(err)
	}
	var z T
	return &staging[T]{f: f, lo: lo, n: n, cols: cols, ny: ny, width: cols + 8*(ny+1)/int(unsafe.Sizeof(z))}, nil
}

// Owned implements train.Keeper.
func (s *staging[T]) Owned() (int, int) { return s.lo, s.lo + s.n }

// ReadRows implements train.Keeper.
func (s *staging[T]) ReadRows(rows []int, dst tensor.Matrix[T]) error {
	var z T
	size := s.width * int(unsafe.Sizeof(z))
	for i, r := range rows {
		if r < s.lo || r >= s.lo+s.n {
			return fmt.Errorf("%s: row %d is not staged here", s.f.Name(), r+1)
		}
		if _, err := s.f.ReadAt(floatslice.AsBytes(dst.Row(i)[:s.width]), int64(r-s.lo)*int64(size)); err != nil {
			return fmt.Errorf("%s: %w", s.f.Name(), err)
		}
	}
	return nil
}

// unpack returns a staged row's values and line, its targets in y.
func (s *staging[T]) unpack(row []T, y []float64) (x []T, line int) {
	b := floatslice.AsBytes(row[s.cols:s.width])
	for t := range y {
		y[t] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*t:]))
	}
	return row[:s.cols], int(binary.LittleEndian.Uint64(b[8*s.ny:]))
}
