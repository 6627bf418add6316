package cache

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
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
	// NoBuild makes Open refuse, rather than build, a cache that is not
	// there or not of the files as they are (another process builds it).
	NoBuild bool
	// Part, when Ranks is more than 1, makes the cache rank Rank's part of
	// a cache spread over Ranks ranks: it keeps the blocks PartBlocks gives
	// that rank, and every block's checksum. The zero value: every block.
	Part Part
}

// Part is a rank's part of a cache spread over ranks.
type Part struct {
	Rank, Ranks int
}

// PartBlocks returns the blocks [first, end) that rank rank of ranks keeps
// of a cache of blocks blocks: an equal share, give or take one.
func PartBlocks(rank, ranks, blocks int) (first, end int) {
	return rank * blocks / ranks, (rank + 1) * blocks / ranks
}

// PartOf returns the rank whose part of a cache of blocks blocks spread
// over ranks ranks keeps block k.
func PartOf(k, ranks, blocks int) int {
	return ((k+1)*ranks+blocks-1)/blocks - 1
}

// header is cache.json.
type header struct {
	Version   int                `json:"version"`
	Sources   []source           `json:"sources"`    // the CSV files, in order
	TextBytes int64              `json:"text_bytes"` // their text
	TextCRC   uint32             `json:"text_crc32c"`
	Files     []csvdata.FileRows `json:"files"` // the rows of each file
	Read      string             `json:"read"`  // the read options that shape the rows
	Precision int                `json:"precision"`
	Summary   csvdata.Summary    `json:"summary"`
	Written   [][]written        `json:"written"`    // per target: Summary's Written, as a list
	NoWritten []bool             `json:"no_written"` // per target: Summary's Written is nil
	Texts     [][]string         `json:"texts"`      // per text target: its distinct values, in index order
	BlockRows int                `json:"block_rows"`
	Blocks    []uint32           `json:"blocks"` // CRC-32C per block
	// Part, of a cache spread over ranks: rank Rank of Ranks, keeping
	// blocks [First, End) in rows.bin.
	Part *partHeader `json:"part,omitempty"`
}

type partHeader struct {
	Rank, Ranks, First, End int
}

// cache.json is the header's JSON on one line, then a line
// "crc32c XXXXXXXX" with the CRC-32C of that line's bytes, as written.
const crcPrefix = "crc32c "

type written struct {
	Value float64 `json:"v"`
	Text  string  `json:"s"`
}

// source identifies the file a cache was made from.
type source struct {
	Path    string `json:"path"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime_ns"`
	Change  int64  `json:"ctime_ns"` // the change time and inode, on Linux
	Inode   uint64 `json:"inode"`
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
	first int  // the blocks [first, end) it keeps
	end   int
	pf    struct {
		left int  // rows Prefetch is given before it looks again
		skip bool // the rows were in the page cache at the last look
	}
}

const (
	headerName = "cache.json"
	rowsName   = "rows.bin"
)

// Open returns the cache in dir of the CSV file at paths (one, or the
// files of one table, read as csvdata.OpenFiles reads them): the one there
// when it was made from the files as they are now, with the same read
// options and precision; else one it builds (making dir if need be), after
// telling Options.Note why. A cache that cannot be trusted (a damaged
// header) is an error naming its file.
func Open[T tensor.Float](ctx context.Context, dir string, paths []string, o Options) (*Cache[T], error) {
	want, err := identify[T](paths, o)
	if err != nil {
		return nil, err
	}
	c, why, err := load[T](dir, want)
	if err != nil || c != nil {
		return c, err
	}
	if o.NoBuild {
		return nil, fmt.Errorf("%s: %s", dir, why)
	}
	if o.Note != nil {
		o.Note(fmt.Sprintf("%s: %s: building the cache", dir, why))
	}
	if err := build[T](ctx, dir, paths, want, o); err != nil {
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

// identify is the header's fields that a cache of paths must match.
func identify[T tensor.Float](paths []string, o Options) (header, error) {
	var h header
	for _, path := range paths {
		st, err := os.Stat(path)
		if err != nil {
			return header{}, csvdata.ShortPath(err)
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return header{}, err
		}
		ctime, inode := changeOf(st)
		h.Sources = append(h.Sources, source{Path: abs, Size: st.Size(), ModTime: st.ModTime().UnixNano(), Change: ctime, Inode: inode})
	}
	if o.Part.Ranks > 1 {
		if o.Part.Rank < 0 || o.Part.Rank >= o.Part.Ranks {
			return header{}, fmt.Errorf("cache: part %d of %d", o.Part.Rank, o.Part.Ranks)
		}
		h.Part = &partHeader{Rank: o.Part.Rank, Ranks: o.Part.Ranks}
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
	h.Version, h.Read, h.Precision = Version, string(key), int(unsafe.Sizeof(z))
	return h, nil
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
	line, sum, ok := bytes.Cut(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"+crcPrefix))
	if !ok || len(sum) != 8 {
		return nil, "", fmt.Errorf("%s: damaged: no checksum line; delete %s to build the cache again", hp, dir)
	}
	if fmt.Sprintf("%08x", crc32.Checksum(line, castagnoli)) != string(sum) {
		return nil, "", fmt.Errorf("%s: checksum mismatch: the header is damaged; delete %s to build the cache again", hp, dir)
	}
	var h header
	if err := json.Unmarshal(line, &h); err != nil {
		return nil, "", fmt.Errorf("%s: damaged: %v; delete %s to build the cache again", hp, err, dir)
	}
	if why := changed(h.Sources, want.Sources); why != "" {
		return nil, why, nil
	}
	switch {
	case h.Version != want.Version:
		return nil, fmt.Sprintf("made by another version (%d, not %d)", h.Version, want.Version), nil
	case h.Read != want.Read:
		return nil, "made with other read settings", nil
	case h.Precision != want.Precision:
		return nil, fmt.Sprintf("made for float%d, not float%d", 8*h.Precision, 8*want.Precision), nil
	case (h.Part == nil) != (want.Part == nil) || h.Part != nil && (h.Part.Rank != want.Part.Rank || h.Part.Ranks != want.Part.Ranks):
		return nil, fmt.Sprintf("made as %s, not %s", h.Part.String(), want.Part.String()), nil
	}
	c := &Cache[T]{dir: dir, h: h, cols: h.Summary.Schema.Width(), ny: len(h.Summary.Targets)}
	if len(h.Written) != c.ny || len(h.NoWritten) != c.ny || len(h.Texts) != c.ny {
		return nil, "", fmt.Errorf("%s: damaged: the targets do not match; delete %s to build the cache again", hp, dir)
	}
	if h.BlockRows <= 0 || len(h.Blocks) != (h.Summary.Rows+h.BlockRows-1)/h.BlockRows {
		return nil, "", fmt.Errorf("%s: damaged: %d blocks of %d rows for %d rows; delete %s to build the cache again", hp, len(h.Blocks), h.BlockRows, h.Summary.Rows, dir)
	}
	c.first, c.end = 0, len(h.Blocks)
	if p := h.Part; p != nil {
		if f, e := PartBlocks(p.Rank, p.Ranks, len(h.Blocks)); f != p.First || e != p.End {
			return nil, "", fmt.Errorf("%s: damaged: blocks %d to %d, not %d to %d, for part %d of %d; delete %s to build the cache again", hp, p.First, p.End, f, e, p.Rank+1, p.Ranks, dir)
		}
		c.first, c.end = p.First, p.End
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

// changed says how the files a cache was made of differ from the files
// given now ("": they do not).
func changed(was, now []source) string {
	for i, n := range now {
		switch {
		case i >= len(was):
			return fmt.Sprintf("made from %d files, not %d", len(was), len(now))
		case was[i].Path != n.Path:
			return fmt.Sprintf("made from %s, not %s", was[i].Path, n.Path)
		case was[i] != n:
			return fmt.Sprintf("%s has changed since the cache was made (its size, modification or change time, or inode)", n.Path)
		}
	}
	if len(was) != len(now) {
		return fmt.Sprintf("made from %d files, not %d", len(was), len(now))
	}
	return ""
}

// marshal returns the contents of cache.json.
func (h header) marshal() ([]byte, error) {
	b, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	return fmt.Appendf(b, "\n%s%08x\n", crcPrefix, crc32.Checksum(b, castagnoli)), nil
}

// rowBytes is the bytes a row takes: its values, targets and line.
func (c *Cache[T]) rowBytes() int {
	var z T
	return c.cols*int(unsafe.Sizeof(z)) + 8*c.ny + 8
}

// fileSize is rows.bin's size.
func (c *Cache[T]) fileSize() int64 {
	lo, hi := c.Owned()
	return int64(hi-lo) * int64(c.rowBytes())
}

// block returns block k's first row, its rows and its offset in rows.bin
// (where k is one of the blocks the cache keeps).
func (c *Cache[T]) block(k int) (lo, n int, off int64) {
	lo = k * c.h.BlockRows
	n = min(c.h.BlockRows, c.h.Summary.Rows-lo)
	return lo, n, int64(lo-c.first*c.h.BlockRows) * int64(c.rowBytes())
}

// Owned returns the rows [lo, hi) the cache keeps: all of them, or its
// part's (Options.Part).
func (c *Cache[T]) Owned() (lo, hi int) {
	return c.first * c.h.BlockRows, min(c.end*c.h.BlockRows, c.h.Summary.Rows)
}

// OwnedBlocks returns the blocks [first, end) the cache keeps.
func (c *Cache[T]) OwnedBlocks() (first, end int) { return c.first, c.end }

// BlockRows is the rows of a block (the last may have fewer).
func (c *Cache[T]) BlockRows() int { return c.h.BlockRows }

// Checksums returns every block's checksum, in order, those of blocks
// another rank keeps included: caches of the same rows have the same.
func (c *Cache[T]) Checksums() []uint32 { return c.h.Blocks }

// String says which part a header is of.
func (p *partHeader) String() string {
	if p == nil {
		return "a whole cache"
	}
	return fmt.Sprintf("part %d of %d", p.Rank+1, p.Ranks)
}

// Bytes is the size of the cache's rows (rows.bin).
func (c *Cache[T]) Bytes() int64 { return c.fileSize() }

// Blocks is the number of blocks.
func (c *Cache[T]) Blocks() int { return len(c.h.Blocks) }

// Close closes the cache's file.
func (c *Cache[T]) Close() error { return c.f.Close() }

// Summary is what csvdata.Learn found of the file.
func (c *Cache[T]) Summary() *csvdata.Summary { return &c.h.Summary }

// Rows is the number of rows.
func (c *Cache[T]) Rows() int { return c.h.Summary.Rows }

// Cols is the number of matrix columns.
func (c *Cache[T]) Cols() int { return c.cols }
