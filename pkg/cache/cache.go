package cache

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"unsafe"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// Version is the version of the cache's layout.
const Version = 1

// DefaultBlockBytes is the default size of a block's rows.
const DefaultBlockBytes = 1 << 20

// Options says how a cache is built.
type Options struct {
	// Read is how the CSV file is read (its Schema is not used).
	Read csvdata.Options
	// BlockBytes is about the size of a block (default DefaultBlockBytes);
	// PartBytes the text read a part at a time (csvdata.File.PartBytes).
	BlockBytes, PartBytes int
	// Note, when set, is told in one line why a cache is being built.
	Note func(string)
	// Progress, when set, is called as the source is read, with the
	// number of its text bytes read since the last call; Size with the
	// text's expected size (0: unknown) before the first.
	Progress func(n int)
	Size     func(n int64)
}

// header is cache.json.
type header struct {
	Version   int             `json:"version"`
	Source    source          `json:"source"`
	Read      string          `json:"read"` // the read options that shape the rows
	Precision int             `json:"precision"`
	Summary   csvdata.Summary `json:"summary"`
	Written   [][]written     `json:"written"`    // per target: Summary's Written, as a list
	NoWritten []bool          `json:"no_written"` // per target: Summary's Written is nil
	Texts     [][]string      `json:"texts"`      // per text target: its distinct values, in index order
	BlockRows int             `json:"block_rows"`
	Blocks    []uint32        `json:"blocks"` // CRC-32C per block
	Checksum  uint32          `json:"checksum"`
}

type written struct {
	Value float64 `json:"v"`
	Text  string  `json:"s"`
}

// source identifies the file a cache was made from.
type source struct {
	Path    string `json:"path"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime_ns"`
	Text    int64  `json:"text_bytes"`
	CRC     uint32 `json:"text_crc32c"`
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Cache is an open cache of a table of precision T.
type Cache[T tensor.Float] struct {
	dir   string
	f     *os.File
	h     header
	cols  int  // the matrix's columns
	ny    int  // targets a row
	built bool // Open built it
	pf    struct {
		left int  // rows Prefetch is given before it looks again
		skip bool // the rows were in the page cache at the last look
	}
}

const (
	headerName = "cache.json"
	rowsName   = "rows.bin"
)

// Open returns the cache in dir of the CSV file at path: the one there
// when it was made from the file as it is now, with the same read
// options and precision; else one it builds (making dir if need be), after
// telling Options.Note why. A cache that cannot be trusted (a damaged
// header) is an error naming its file.
func Open[T tensor.Float](ctx context.Context, dir, path string, o Options) (*Cache[T], error) {
	want, err := identify[T](path, o)
	if err != nil {
		return nil, err
	}
	c, why, err := load[T](dir, want)
	if err != nil || c != nil {
		return c, err
	}
	if o.Note != nil {
		o.Note(fmt.Sprintf("%s: %s: building the cache", dir, why))
	}
	if err := build[T](ctx, dir, path, want, o); err != nil {
		return nil, err
	}
	c, _, err = load[T](dir, want)
	if err == nil && c == nil {
		err = fmt.Errorf("%s: the cache just built does not match its source", dir)
	}
	if c != nil {
		c.built = true
	}
	return c, err
}

// Files returns the paths of the files that make a cache in dir, which a
// build replaces (a command checks that no output of its names one).
func Files(dir string) []string {
	return []string{filepath.Join(dir, headerName), filepath.Join(dir, rowsName)}
}

// Built reports whether Open built the cache (rather than reusing it).
func (c *Cache[T]) Built() bool { return c.built }

// identify is the header's fields that a cache of path must match.
func identify[T tensor.Float](path string, o Options) (header, error) {
	st, err := os.Stat(path)
	if err != nil {
		return header{}, csvdata.ShortPath(err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return header{}, err
	}
	ro := o.Read // what shapes the rows
	key, err := json.Marshal(struct {
		Targets, Categorical, Ignore, NA []string
		NoTargets, MissingIsError        bool
		Delimiter                        byte
		MaxCategories, MaxColumns        int
		MaxRecordBytes                   int
	}{ro.Targets, ro.Categorical, ro.Ignore, ro.NA, ro.NoTargets, ro.MissingIsError, ro.Delimiter, ro.MaxCategories, ro.MaxColumns, ro.MaxRecordBytes})
	if err != nil {
		return header{}, err
	}
	var z T
	return header{Version: Version, Source: source{Path: abs, Size: st.Size(), ModTime: st.ModTime().UnixNano()},
		Read: string(key), Precision: int(unsafe.Sizeof(z))}, nil
}

// load opens the cache in dir if it matches want; else it returns nil and
// why not.
func load[T tensor.Float](dir string, want header) (*Cache[T], string, error) {
	hp := filepath.Join(dir, headerName)
	b, err := os.ReadFile(hp)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "no cache yet", nil
	}
	if err != nil {
		return nil, "", csvdata.ShortPath(err)
	}
	var h header
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, "", fmt.Errorf("%s: damaged: %v; delete %s to build the cache again", hp, err, dir)
	}
	if sum := h.Checksum; sum != h.checksum() {
		return nil, "", fmt.Errorf("%s: checksum mismatch: the header is damaged; delete %s to build the cache again", hp, dir)
	}
	switch s := h.Source; {
	case h.Version != want.Version:
		return nil, fmt.Sprintf("made by another version (%d, not %d)", h.Version, want.Version), nil
	case s.Path != want.Source.Path:
		return nil, fmt.Sprintf("made from %s, not %s", s.Path, want.Source.Path), nil
	case s.Size != want.Source.Size || s.ModTime != want.Source.ModTime:
		return nil, fmt.Sprintf("%s has changed since the cache was made (size or modification time)", want.Source.Path), nil
	case h.Read != want.Read:
		return nil, "made with other read settings", nil
	case h.Precision != want.Precision:
		return nil, fmt.Sprintf("made for float%d, not float%d", 8*h.Precision, 8*want.Precision), nil
	}
	c := &Cache[T]{dir: dir, h: h, cols: h.Summary.Schema.Width(), ny: len(h.Summary.Targets)}
	if len(h.Written) != c.ny || len(h.NoWritten) != c.ny || len(h.Texts) != c.ny {
		return nil, "", fmt.Errorf("%s: damaged: the targets do not match; delete %s to build the cache again", hp, dir)
	}
	if h.BlockRows <= 0 || len(h.Blocks) != (h.Summary.Rows+h.BlockRows-1)/h.BlockRows {
		return nil, "", fmt.Errorf("%s: damaged: %d blocks of %d rows for %d rows; delete %s to build the cache again", hp, len(h.Blocks), h.BlockRows, h.Summary.Rows, dir)
	}
	rp := filepath.Join(dir, rowsName)
	if c.f, err = os.Open(rp); err != nil { // a header without its rows
		return nil, "", fmt.Errorf("%s: %v: the cache is damaged; delete %s to build it again", rp, unwrap(err), dir)
	}
	if st, err := c.f.Stat(); err != nil || st.Size() != c.fileSize() {
		c.f.Close()
		return nil, "", fmt.Errorf("%s: %d bytes, not %d: the cache is damaged; delete %s to build it again", rp, st.Size(), c.fileSize(), dir)
	}
	return c, "", nil
}

// checksum is the CRC-32C of the header's JSON with Checksum 0.
func (h header) checksum() uint32 {
	h.Checksum = 0
	b, _ := json.Marshal(h)
	return crc32.Checksum(b, castagnoli)
}

// rowBytes is the bytes a row takes: its values, targets and line.
func (c *Cache[T]) rowBytes() int {
	var z T
	return c.cols*int(unsafe.Sizeof(z)) + 8*c.ny + 8
}

// fileSize is rows.bin's size.
func (c *Cache[T]) fileSize() int64 { return int64(c.h.Summary.Rows) * int64(c.rowBytes()) }

// block returns block k's first row, its rows and its offset in rows.bin.
func (c *Cache[T]) block(k int) (lo, n int, off int64) {
	lo = k * c.h.BlockRows
	n = min(c.h.BlockRows, c.h.Summary.Rows-lo)
	return lo, n, int64(lo) * int64(c.rowBytes())
}

// Bytes is the size of the cache's rows (rows.bin).
func (c *Cache[T]) Bytes() int64 { return c.fileSize() }

// Blocks is the number of blocks.
func (c *Cache[T]) Blocks() int { return len(c.h.Blocks) }

// Close closes the cache's file.
func (c *Cache[T]) Close() error { return c.f.Close() }

// Dir is the cache's directory.
func (c *Cache[T]) Dir() string { return c.dir }

// Summary is what csvdata.Learn found of the file.
func (c *Cache[T]) Summary() *csvdata.Summary { return &c.h.Summary }

// Rows is the number of rows.
func (c *Cache[T]) Rows() int { return c.h.Summary.Rows }

// Cols is the number of matrix columns.
func (c *Cache[T]) Cols() int { return c.cols }

// Each calls f with each block of rows in order, verifying its checksum
// first: lo is the block's first row, x its rows (f's until it returns).
func (c *Cache[T]) Each(ctx context.Context, f func(lo int, x tensor.Matrix[T]) error) error {
	buf := make([]byte, c.h.BlockRows*c.rowBytes())
	x := make([]T, c.h.BlockRows*c.cols)
	for k := range c.h.Blocks {
		if err := ctx.Err(); err != nil {
			return err
		}
		lo, n, err := c.readBlock(k, buf)
		if err != nil {
			return err
		}
		copy(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x))), len(x)*int(unsafe.Sizeof(x[0]))), buf[:n*c.cols*int(unsafe.Sizeof(x[0]))])
		if err := f(lo, tensor.NewMatrix(n, c.cols, x[:n*c.cols])); err != nil {
			return err
		}
	}
	return nil
}

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

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// ReadRows reads the matrix rows rows into the first Cols() columns of
// dst's rows, row i of dst being row rows[i]: one read a row, safe for
// concurrent use. The blocks are not verified (Each does that).
func (c *Cache[T]) ReadRows(rows []int, dst tensor.Matrix[T]) error {
	size := c.cols * c.valueBytes()
	for i, r := range rows {
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

// Line returns the file line of row r.
func (c *Cache[T]) Line(r int) (int, error) {
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
// blocks' targets (a caller that has had Each verify them).
func (c *Cache[T]) Targets(ctx context.Context, verify bool) ([]csvdata.Column, error) {
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
	size := c.h.BlockRows * c.ny * 8
	if verify {
		size = c.h.BlockRows * c.rowBytes()
	}
	buf := make([]byte, size)
	for k := range c.h.Blocks {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		lo, n, off := c.block(k)
		xs := int64(n) * int64(c.cols*c.valueBytes()) // the block's matrix bytes
		var y []byte
		if verify {
			if _, _, err := c.readBlock(k, buf); err != nil {
				return nil, err
			}
			y = buf[xs : xs+int64(n*c.ny*8)]
		} else {
			y = buf[:n*c.ny*8]
			if _, err := c.f.ReadAt(y, off+xs); err != nil {
				return nil, fmt.Errorf("%s: reading block %d: %w", filepath.Join(c.dir, rowsName), k, unwrap(err))
			}
		}
		for i := range n {
			for t := range cols {
				v := math.Float64frombits(binary.LittleEndian.Uint64(y[8*(i*c.ny+t):]))
				if cols[t].Numbers != nil {
					cols[t].Numbers[lo+i] = v
					continue
				}
				texts := c.h.Texts[t]
				if !(v >= 0 && v < float64(len(texts))) {
					return nil, fmt.Errorf("%s: block %d: a target's text index is out of range: the cache is damaged; delete %s to build it again", filepath.Join(c.dir, rowsName), k, c.dir)
				}
				cols[t].Strings[lo+i] = texts[int(v)]
			}
		}
	}
	for t := range cols {
		if cols[t].Strings != nil {
			cols[t].FirstText = firstText(cols[t].Strings, c.h.Texts[t])
		}
	}
	return cols, nil
}

// firstText returns the first of vals that is not a number (−1: none).
func firstText(vals, texts []string) int {
	text := make(map[string]bool, len(texts))
	for _, s := range texts {
		text[s] = !csvdata.IsNumber(s)
	}
	return slices.IndexFunc(vals, func(s string) bool { return text[s] })
}
