package cache

import (
	"container/list"
	"sync"
	"unsafe"

	"github.com/densetrain/densetrain/pkg/tensor"
)

// BlockReader reads rows a block at a time, holding the last blocks it
// read: for rows asked for in runs of few blocks at a time (a windowed
// shuffle, validation in row order), a read of a block serves all its
// rows, where ReadRows makes one read a row. Each block is verified as it
// is read, then made what its rows are read as (Prepare). It is safe for
// concurrent use.
type BlockReader[T tensor.Float] struct {
	// Width and Prepare, when set, make each block read Width columns
	// wide, its first Cols() the cache's values, and hand it to Prepare
	// (which may make the rest of the columns from them): ReadRows then
	// gives rows of Width columns as Prepare left them.
	Width   int
	Prepare func(x tensor.Matrix[T]) error

	c    *Cache[T]
	max  int // blocks held
	mu   sync.Mutex
	held map[int]*list.Element // block → its element in lru, whose value is *heldBlock
	lru  *list.List            // most recently used first
	buf  []byte
}

type heldBlock[T tensor.Float] struct {
	k int
	x []T // the block's matrix rows
}

// NewBlockReader returns a BlockReader of c that holds up to blocks
// blocks (at least 2).
func NewBlockReader[T tensor.Float](c *Cache[T], blocks int) *BlockReader[T] {
	return &BlockReader[T]{c: c, max: max(blocks, 2), held: map[int]*list.Element{}, lru: list.New()}
}

// ReadRows is Cache.ReadRows through the blocks held.
func (b *BlockReader[T]) ReadRows(rows []int, dst tensor.Matrix[T]) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.c
	for i, r := range rows {
		k := r / c.h.BlockRows
		x, err := b.block(k)
		if err != nil {
			return err
		}
		lo, w := k*c.h.BlockRows, b.width()
		copy(dst.Row(i)[:w], x[(r-lo)*w:(r-lo+1)*w])
	}
	return nil
}

// block returns block k's rows, reading it if it is not held.
func (b *BlockReader[T]) block(k int) ([]T, error) {
	if e, ok := b.held[k]; ok {
		b.lru.MoveToFront(e)
		return e.Value.(*heldBlock[T]).x, nil
	}
	c := b.c
	if b.buf == nil { // bytes of 8-byte words: the values start aligned
		words := make([]uint64, (c.h.BlockRows*c.rowBytes()+7)/8)
		b.buf = unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), c.h.BlockRows*c.rowBytes())
	}
	_, n, err := c.readBlock(k, b.buf)
	if err != nil {
		return nil, err
	}
	w := b.width()
	var hb *heldBlock[T]
	if b.lru.Len() >= b.max { // reuse the least recently used block's storage
		e := b.lru.Back()
		hb = e.Value.(*heldBlock[T])
		delete(b.held, hb.k)
		b.lru.Remove(e)
	} else {
		hb = &heldBlock[T]{x: make([]T, c.h.BlockRows*w)}
	}
	hb.k = -1
	raw := unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b.buf))), n*c.cols) // the block's values (buf is T-aligned)
	x := tensor.NewMatrix(n, w, hb.x[:n*w])
	for r := range n {
		copy(x.Row(r)[:c.cols], raw[r*c.cols:(r+1)*c.cols])
	}
	if b.Prepare != nil {
		if err := b.Prepare(x); err != nil {
			b.lru.PushBack(hb) // its storage, for the next block
			return nil, err
		}
	}
	hb.k = k
	b.held[k] = b.lru.PushFront(hb)
	return hb.x, nil
}

// width is the columns of a block as held.
func (b *BlockReader[T]) width() int {
	if b.Width > 0 {
		return b.Width
	}
	return b.c.cols
}

// Prefetch asks the kernel to start reading the blocks of rows that are
// not held (one call a block).
func (b *BlockReader[T]) Prefetch(rows []int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.c
	last := -1
	for _, r := range rows {
		k := r / c.h.BlockRows
		if k == last {
			continue
		}
		last = k
		if _, ok := b.held[k]; ok {
			continue
		}
		_, n, off := c.block(k)
		c.willNeed(off, int64(n)*int64(c.rowBytes()))
	}
}
