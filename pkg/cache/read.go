package cache

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"path/filepath"
	"slices"
	"unsafe"

	"github.com/densetrain/densetrain/internal/fileinfo"
	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// Each calls f with each block of rows it keeps (Owned), in order,
// verifying its checksum first: lo is the block's first row, x its rows
// (f's until it returns).
func (c *Cache[T]) Each(ctx context.Context, f func(lo int, x tensor.Matrix[T]) error) error {
	buf := make([]byte, c.h.BlockRows*c.rowBytes())
	x := make([]T, c.h.BlockRows*c.cols)
	for k := c.first; k < c.end; k++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		lo, b, err := c.ReadBlock(k, buf, x)
		if err != nil {
			return err
		}
		if err := f(lo, b); err != nil {
			return err
		}
	}
	return nil
}

// ReadBlock reads block k, one the cache keeps, through buf (of a block's
// bytes, BlockBytes) into x (of BlockRows·Cols values at least) and
// verifies its checksum: lo is its first row, b its rows in x.
func (c *Cache[T]) ReadBlock(k int, buf []byte, x []T) (lo int, b tensor.Matrix[T], err error) {
	if k < c.first || k >= c.end {
		return 0, b, fmt.Errorf("%s: block %d is not in this part of the cache (blocks %d to %d)", filepath.Join(c.dir, rowsName), k, c.first, c.end-1)
	}
	lo, n, err := c.readBlock(k, buf)
	if err != nil {
		return 0, b, err
	}
	copy(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x))), len(x)*int(unsafe.Sizeof(x[0]))), buf[:n*c.cols*int(unsafe.Sizeof(x[0]))])
	return lo, tensor.NewMatrix(n, c.cols, x[:n*c.cols]), nil
}

// BlockBytes is the size of a block's bytes in rows.bin, at most.
func (c *Cache[T]) BlockBytes() int { return c.h.BlockRows * c.rowBytes() }

// readBlock reads block k into buf and verifies it.
func (c *Cache[T]) readBlock(k int, buf []byte) (lo, n int, err error) {
	lo, n, off := c.block(k)
	b := buf[:n*c.rowBytes()]
	if _, err := c.f.ReadAt(b, off); err != nil {
		return 0, 0, fmt.Errorf("%s: reading block %d: %w", filepath.Join(c.dir, rowsName), k, unwrap(err))
	}
	if crc32.Checksum(b, castagnoli) != c.h.Blocks[k] {
		return 0, 0, fmt.Errorf("%s: block %d (rows %d to %d): checksum mismatch: the cache is damaged; delete %s to build it again",
			filepath.Join(c.dir, rowsName), k, lo+1, lo+n, c.dir)
	}
	return lo, n, nil
}

// unwrap is fileinfo.Cause, but for the end of a file where a block or row
// should be: the cache is shorter than its header says.
func unwrap(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return fileinfo.Cause(err)
}

// ReadRows reads the matrix rows rows into the first Cols() columns of
// dst's rows, row i of dst being row rows[i]: one read a row, safe for
// concurrent use. The blocks are not verified (Each does that).
func (c *Cache[T]) ReadRows(rows []int, dst tensor.Matrix[T]) error {
	size := c.cols * c.valueBytes()
	lo, hi := c.Owned()
	for i, r := range rows {
		if r < lo || r >= hi {
			return fmt.Errorf("%s: row %d is not in this part of the cache (rows %d to %d)", filepath.Join(c.dir, rowsName), r+1, lo+1, hi)
		}
		d := dst.Row(i)[:c.cols]
		b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(d))), size)
		if _, err := c.f.ReadAt(b, c.rowOffset(r)); err != nil {
			return fmt.Errorf("%s: reading row %d (block %d): %w", filepath.Join(c.dir, rowsName), r+1, r/c.h.BlockRows, unwrap(err))
		}
	}
	return nil
}

// valueBytes is the size of a value.
func (c *Cache[T]) valueBytes() int {
	var z T
	return int(unsafe.Sizeof(z))
}

// rowOffset is where row r's matrix values are in rows.bin.
func (c *Cache[T]) rowOffset(r int) int64 {
	lo, _, off := c.block(r / c.h.BlockRows)
	return off + int64(r-lo)*int64(c.cols*c.valueBytes())
}

// Where returns the file (of several; "" for a cache of one) and the
// line of row r.
func (c *Cache[T]) Where(r int) (string, int, error) {
	file := ""
	if len(c.h.Files) > 1 {
		k := r
		for _, f := range c.h.Files {
			if k < f.Rows {
				file = f.Name
				break
			}
			k -= f.Rows
		}
	}
	line, err := c.Line(r)
	return file, line, err
}

// Line returns the file line of row r (0 for a row of another rank's part).
func (c *Cache[T]) Line(r int) (int, error) {
	if lo, hi := c.Owned(); r < lo || r >= hi {
		return 0, nil
	}
	k := r / c.h.BlockRows
	lo, n, off := c.block(k)
	var b [8]byte
	at := off + int64(n)*int64(c.rowBytes()-8) + int64(r-lo)*8
	if _, err := c.f.ReadAt(b[:], at); err != nil {
		return 0, fmt.Errorf("%s: %w", filepath.Join(c.dir, rowsName), unwrap(err))
	}
	return int(binary.LittleEndian.Uint64(b[:])), nil
}

// Targets returns the target columns as Read's Table holds them: numbers
// (8 bytes a row), or for a text target its values as written (a string a
// row, sharing the distinct values' bytes). With verify it reads every
// block whole and verifies its checksum, as Each does; else only the
// blocks' targets (a caller that has had Each verify them). Of a part of
// a cache, it is TargetValues and DecodeTargets of every rank's values.
func (c *Cache[T]) Targets(ctx context.Context, verify bool) ([]csvdata.Column, error) {
	if c.h.Part != nil {
		return nil, fmt.Errorf("%s: part %d of %d of a cache has only its own rows' targets (TargetValues)", c.dir, c.h.Part.Rank+1, c.h.Part.Ranks)
	}
	cols := c.newTargets()
	err := c.eachTargets(ctx, verify, func(lo, n int, y []byte) error {
		for i := range n {
			for t := range cols {
				v := math.Float64frombits(binary.LittleEndian.Uint64(y[8*(i*c.ny+t):]))
				if err := c.setTarget(cols, t, lo+i, v); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.finishTargets(cols)
	return cols, nil
}

// TargetValues returns the targets of the rows the cache keeps (Owned) as
// rows.bin holds them: a float64 per target a row, row after row, a text
// target's being the index of its value. Targets' verify is its verify.
func (c *Cache[T]) TargetValues(ctx context.Context, verify bool) ([]float64, error) {
	lo, hi := c.Owned()
	vals := make([]float64, (hi-lo)*c.ny)
	err := c.eachTargets(ctx, verify, func(at, n int, y []byte) error {
		for i := range n * c.ny {
			vals[(at-lo)*c.ny+i] = math.Float64frombits(binary.LittleEndian.Uint64(y[8*i:]))
		}
		return nil
	})
	return vals, err
}

// DecodeTargets returns the target columns, as Targets does, of the
// values of every row (TargetValues of every part, in rank order).
func (c *Cache[T]) DecodeTargets(vals []float64) ([]csvdata.Column, error) {
	if len(vals) != c.h.Summary.Rows*c.ny {
		return nil, fmt.Errorf("cache: %d target values for %d rows of %d", len(vals), c.h.Summary.Rows, c.ny)
	}
	cols := c.newTargets()
	for i, v := range vals {
		if err := c.setTarget(cols, i%c.ny, i/c.ny, v); err != nil {
			return nil, err
		}
	}
	c.finishTargets(cols)
	return cols, nil
}

// newTargets returns the target columns, room made for every row.
func (c *Cache[T]) newTargets() []csvdata.Column {
	s := &c.h.Summary
	cols := make([]csvdata.Column, len(s.Targets))
	for t, k := range s.Targets {
		cols[t] = csvdata.Column{Name: k.Name, FirstText: -1}
		if k.Text {
			cols[t].Strings = make([]string, s.Rows)
		} else {
			cols[t].Numbers = make([]float64, s.Rows)
			if !c.h.NoWritten[t] {
				cols[t].Written = make(map[float64]string, len(c.h.Written[t]))
				for _, w := range c.h.Written[t] {
					cols[t].Written[w.Value] = w.Text
				}
			}
		}
	}
	return cols
}

// setTarget sets target t of row r to v, as rows.bin holds it.
func (c *Cache[T]) setTarget(cols []csvdata.Column, t, r int, v float64) error {
	if cols[t].Numbers != nil {
		cols[t].Numbers[r] = v
		return nil
	}
	texts := c.h.Texts[t]
	if !(v >= 0 && v < float64(len(texts))) {
		return fmt.Errorf("%s: block %d: a target's text index is out of range: the cache is damaged; delete %s to build it again", filepath.Join(c.dir, rowsName), r/c.h.BlockRows, c.dir)
	}
	cols[t].Strings[r] = texts[int(v)]
	return nil
}

func (c *Cache[T]) finishTargets(cols []csvdata.Column) {
	for t := range cols {
		if cols[t].Strings != nil {
			cols[t].FirstText = firstText(cols[t].Strings, c.h.Texts[t])
		}
	}
}

// eachTargets calls f with the targets of each block the cache keeps: its
// first row, its rows and their targets' bytes.
func (c *Cache[T]) eachTargets(ctx context.Context, verify bool, f func(lo, n int, y []byte) error) error {
	size := c.h.BlockRows * c.ny * 8
	if verify {
		size = c.h.BlockRows * c.rowBytes()
	}
	buf := make([]byte, size)
	for k := c.first; k < c.end; k++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		lo, n, off := c.block(k)
		xs := int64(n) * int64(c.cols*c.valueBytes()) // the block's matrix bytes
		var y []byte
		if verify {
			if _, _, err := c.readBlock(k, buf); err != nil {
				return err
			}
			y = buf[xs : xs+int64(n*c.ny*8)]
		} else {
			y = buf[:n*c.ny*8]
			if _, err := c.f.ReadAt(y, off+xs); err != nil {
				return fmt.Errorf("%s: reading block %d: %w", filepath.Join(c.dir, rowsName), k, unwrap(err))
			}
		}
		if err := f(lo, n, y); err != nil {
			return err
		}
	}
	return nil
}

// firstText returns the first of vals that is not a number (−1: none).
func firstText(vals, texts []string) int {
	text := make(map[string]bool, len(texts))
	for _, s := range texts {
		text[s] = !csvdata.IsNumber(s)
	}
	return slices.IndexFunc(vals, func(s string) bool { return text[s] })
}
