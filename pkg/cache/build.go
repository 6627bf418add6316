package cache

import (
	"cmp"
	"context"
	"encoding/binary"
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

	"golang.org/x/sys/unix"

	"github.com/densetrain/densetrain/internal/atomicfile"
	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// MaxTargetTexts bounds the distinct values of a text target.
const MaxTargetTexts = 1 << 20

// build parses the CSV file at path twice (csvdata.Learn, then
// csvdata.Parts with the schema learnt) and writes the cache in dir:
// rows.bin, then cache.json. Until cache.json is written no cache is
// there: an old one's header goes first, and a build that fails or is
// cancelled leaves no file that a later Open trusts.
func build[T tensor.Float](ctx context.Context, dir string, paths []string, h header, o Options) error {
	if err := prepareDir(dir); err != nil {
		return err
	}
	f, err := csvdata.OpenFiles(ctx, paths, o.Read)
	if err != nil {
		return err
	}
	defer f.Close()
	if o.PartBytes > 0 {
		f.PartBytes = o.PartBytes
	}
	if o.Size != nil {
		o.Size(2 * f.Size()) // read twice
	}
	crc, first := uint32(0), true
	f.Text = func(b []byte) {
		if first {
			crc = crc32.Update(crc, castagnoli, b)
			h.TextBytes += int64(len(b))
		}
		if o.Progress != nil {
			o.Progress(len(b))
		}
	}
	s, err := csvdata.Learn[T](ctx, f, nil)
	if err != nil {
		return err
	}
	first = false
	h.TextCRC = crc
	c, w := newCache[T](dir, h, s, o, f.Name())
	rows := 0
	err = atomicfile.WriteContext(ctx, filepath.Join(dir, rowsName), func(out io.Writer) error {
		w.out = out
		err := csvdata.Parts(ctx, f, &s.Schema, func(t *csvdata.Table[T]) error {
			rows += t.X.Rows
			for _, fr := range t.Files {
				if n := len(c.h.Files); n > 0 && c.h.Files[n-1].Name == fr.Name {
					c.h.Files[n-1].Rows += fr.Rows
				} else {
					c.h.Files = append(c.h.Files, fr)
				}
			}
			return w.add(t)
		})
		if err != nil {
			return err
		}
		if rows != s.Rows {
			return fmt.Errorf("%s: %d rows on the second read, %d on the first: did the file change while it was read?", f.Name(), rows, s.Rows)
		}
		return w.flush()
	})
	if err != nil {
		return err
	}
	return c.h.write(ctx, dir)
}

// newCache returns the cache a build of the table s makes in dir, with
// the header's identity h, and its block writer (name: the source's, in
// messages).
func newCache[T tensor.Float](dir string, h header, s *csvdata.Summary, o Options, name string) (*Cache[T], *blockWriter[T]) {
	h.Summary = *s
	for _, k := range s.Targets {
		var ws []written
		for v, t := range k.Written {
			ws = append(ws, written{v, t})
		}
		slices.SortFunc(ws, func(a, b written) int { return cmp.Compare(a.Value, b.Value) })
		h.Written, h.NoWritten = append(h.Written, ws), append(h.NoWritten, k.Written == nil)
	}
	c := &Cache[T]{dir: dir, h: h, cols: s.Schema.Width(), ny: len(s.Targets)}
	c.h.BlockRows = blockRows(cmp.Or(o.BlockBytes, DefaultBlockBytes), c.rowBytes())
	c.first, c.end = 0, (s.Rows+c.h.BlockRows-1)/c.h.BlockRows
	if p := c.h.Part; p != nil { // a part keeps its blocks, and every block's checksum
		c.first, c.end = PartBlocks(p.Rank, p.Ranks, c.end)
		p.First, p.End = c.first, c.end
	}
	w := &blockWriter[T]{c: c, name: name, texts: make([]map[string]int, c.ny)}
	c.h.Texts = make([][]string, c.ny)
	for t, k := range s.Targets {
		if k.Text {
			w.texts[t] = map[string]int{}
		}
	}
	return c, w
}

// write writes h as dir's cache.json, the last file of a build.
func (h header) write(ctx context.Context, dir string) error {
	b, err := h.marshal()
	if err != nil {
		return err
	}
	return atomicfile.WriteContext(ctx, filepath.Join(dir, headerName), func(out io.Writer) error {
		_, err := out.Write(b)
		return err
	})
}

// prepareDir makes dir ready for a build: made if need be, writable, no
// cache file there a link to a device, and no header left, so that a
// build that stops leaves nothing a later Open trusts.
func prepareDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return csvdata.ShortPath(err)
	}
	// A directory that cannot be written (a read-only file system, mode
	// 0500) is said as such, not as the first step that fails there.
	if err := unix.Access(dir, unix.W_OK); err != nil {
		return fmt.Errorf("%s: cannot build the cache there: the directory is not writable: %w", dir, err)
	}
	// The cache's files are replaced, never written in place: a link to
	// a device (rows.bin -> /dev/null) would swallow the rows and leave a
	// header that a later run refuses.
	for _, p := range Files(dir) {
		if t, err := atomicfile.Check(p); err == nil && t.InPlace {
			return fmt.Errorf("%s: not a regular file: the cache cannot be built there; remove it", p)
		}
	}
	if err := os.Remove(filepath.Join(dir, headerName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return csvdata.ShortPath(err)
	}
	return nil
}

// blockWriter writes rows to rows.bin a block at a time.
type blockWriter[T tensor.Float] struct {
	c       *Cache[T]
	name    string // the CSV file's, for messages
	out     io.Writer
	x       []T
	y, line []byte
	n       int
	texts   []map[string]int // per text target: its values' indices
	y64     []float64
	next    int // the index of the next block
}

// add appends t's rows.
func (w *blockWriter[T]) add(t *csvdata.Table[T]) error {
	c := w.c
	if w.y64 == nil {
		w.y64 = make([]float64, c.ny)
	}
	for i := range t.X.Rows {
		for k, col := range t.Targets {
			if m := w.texts[k]; m != nil {
				s := col.Text(i)
				idx, ok := m[s]
				if !ok {
					if len(m) == MaxTargetTexts {
						return fmt.Errorf("%s: target column %s has more than %d distinct values", w.name, csvdata.Quote(col.Name), MaxTargetTexts)
					}
					idx = len(m)
					m[s] = idx
					c.h.Texts[k] = append(c.h.Texts[k], s)
				}
				w.y64[k] = float64(idx)
			} else {
				w.y64[k] = col.Numbers[i]
			}
		}
		if err := w.addRow(t.X.Row(i), w.y64, t.Lines.Line(i)); err != nil {
			return err
		}
	}
	return nil
}

// addRow appends a row: its values, its targets as rows.bin holds them
// (a text target's index), its line.
func (w *blockWriter[T]) addRow(x []T, y []float64, line int) error {
	c := w.c
	br := c.h.BlockRows
	if w.x == nil {
		w.x, w.y, w.line = make([]T, br*c.cols), make([]byte, br*c.ny*8), make([]byte, br*8)
	}
	copy(w.x[w.n*c.cols:(w.n+1)*c.cols], x)
	for k, v := range y {
		binary.LittleEndian.PutUint64(w.y[8*(w.n*c.ny+k):], math.Float64bits(v))
	}
	binary.LittleEndian.PutUint64(w.line[8*w.n:], uint64(line))
	if w.n++; w.n == br {
		return w.flush()
	}
	return nil
}

// flush writes the rows held as a block.
func (w *blockWriter[T]) flush() error {
	if w.n == 0 {
		return nil
	}
	c, n := w.c, w.n
	var z T
	xs := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(w.x))), len(w.x)*int(unsafe.Sizeof(z)))[:n*c.cols*int(unsafe.Sizeof(z))]
	crc := uint32(0)
	k := w.next
	w.next++
	for _, b := range [][]byte{xs, w.y[:n*c.ny*8], w.line[:n*8]} {
		crc = crc32.Update(crc, castagnoli, b)
		if k < c.first || k >= c.end {
			continue // another rank's
		}
		if _, err := w.out.Write(b); err != nil {
			return err
		}
	}
	c.h.Blocks = append(c.h.Blocks, crc)
	w.n = 0
	return nil
}

// AlignRows is what the rows of a block are a multiple of, where a block
// holds that many: train.ShuffleBlock, so that a block of a windowed
// shuffle lies in one block of the cache.
const AlignRows = 1024

// blockRows is the rows of a block of about size bytes of rows of
// rowBytes: a multiple of AlignRows when one fits.
func blockRows(size, rowBytes int) int {
	n := max(1, size/rowBytes)
	if n >= AlignRows {
		n = n / AlignRows * AlignRows
	} else if size >= AlignRows*rowBytes/2 {
		n = AlignRows
	}
	return n
}
