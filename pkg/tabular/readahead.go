package tabular

import (
	"sync"

	"github.com/densetrain/densetrain/pkg/cache"
	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/densetrain/densetrain/pkg/train"
)

// readAhead reads the rows of the batches to come from a cache on disk on
// a goroutine of its own while the batches before them train: Fit tells
// the source of each batch's rows train.PrefetchBatches ahead (Prefetch),
// and Gather takes them from here, waiting if they are still being read.
// A pread costs about 0.7 µs a row even from the page cache, which would
// otherwise lie on each step's path; a step of one lane leaves the other
// cores idle, and the reads go there. Rows not read ahead (validation,
// a diagnosis) are read where they are asked for. The values are the
// cache's: which batch's copy of a row Gather takes does not matter.
type readAhead[T tensor.Float] struct {
	c     *cache.Cache[T]
	cols  int
	jobs  chan *aheadBatch[T]
	queue []*aheadBatch[T] // read or being read, oldest first
	free  []*aheadBatch[T]
	index map[int]aheadRow[T] // the rows of the batches in queue
}

// aheadBatch is one batch's rows, read ahead; read is done once they are
// (a batch is reused only once released, when nothing waits on it).
type aheadBatch[T tensor.Float] struct {
	rows []int
	x    []T
	read sync.WaitGroup
	err  error
}

type aheadRow[T tensor.Float] struct {
	b *aheadBatch[T]
	i int32
}

// aheadBatches is how many batches are held: those told of ahead and the
// one training.
const aheadBatches = train.PrefetchBatches + 1

func newReadAhead[T tensor.Float](c *cache.Cache[T]) *readAhead[T] {
	a := &readAhead[T]{c: c, cols: c.Cols(), jobs: make(chan *aheadBatch[T], aheadBatches), index: map[int]aheadRow[T]{}}
	go a.read()
	return a
}

// read reads the batches sent to it, in order, until jobs is closed.
func (a *readAhead[T]) read() {
	for b := range a.jobs {
		b.err = a.c.ReadRows(b.rows, tensor.Matrix[T]{Rows: len(b.rows), Cols: a.cols, Data: b.x})
		b.read.Done()
	}
}

// Prefetch implements train.Prefetcher: it asks the kernel for the rows
// (cache.Prefetch) and has them read into a batch of their own, dropping
// the oldest batch held, which trained before the batch about to train.
// Fit calls it between steps, never while a Gather runs.
func (a *readAhead[T]) Prefetch(rows []int) {
	a.c.Prefetch(rows)
	if len(a.queue) == aheadBatches {
		old := a.queue[0]
		old.read.Wait()
		for _, r := range old.rows {
			if a.index[r].b == old {
				delete(a.index, r)
			}
		}
		a.queue = append(a.queue[:0], a.queue[1:]...)
		a.free = append(a.free, old)
	}
	var b *aheadBatch[T]
	if n := len(a.free); n > 0 {
		b, a.free = a.free[n-1], a.free[:n-1]
	} else {
		b = &aheadBatch[T]{}
	}
	b.rows = append(b.rows[:0], rows...)
	if cap(b.x) < len(rows)*a.cols {
		b.x = make([]T, len(rows)*a.cols)
	}
	b.x, b.err = b.x[:len(rows)*a.cols], nil
	b.read.Add(1)
	for i, r := range b.rows {
		a.index[r] = aheadRow[T]{b, int32(i)}
	}
	a.queue = append(a.queue, b)
	a.jobs <- b
}

// ReadRows reads the rows into the first columns of dst's rows: from the
// batches read ahead, or from the cache. Safe for concurrent use between
// Prefetches.
func (a *readAhead[T]) ReadRows(rows []int, dst tensor.Matrix[T]) error {
	for i, r := range rows {
		at, ok := a.index[r]
		if !ok {
			if err := a.c.ReadRows(rows[i:i+1], dst.SliceRows(i, i+1)); err != nil {
				return err
			}
			continue
		}
		at.b.read.Wait()
		if at.b.err != nil {
			return at.b.err
		}
		k := int(at.i) * a.cols
		copy(dst.Row(i)[:a.cols], at.b.x[k:k+a.cols])
	}
	return nil
}

// stop ends the reading goroutine, once the batches sent are read.
func (a *readAhead[T]) stop() {
	close(a.jobs)
	for _, b := range a.queue {
		b.read.Wait()
	}
}
