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
// is read. It is safe for concurrent use.
type BlockReader[T tensor.Float] struct {
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
		lo := k * c.h.BlockRows
		copy(dst.Row(i)[:c.cols], x[(r-lo)*c.cols:(r-lo+1)*c.cols])
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
	var hb *heldBlock[T]
	if b.lru.Len() >= b.max { // reuse the least recently used block's storage
		e := b.lru.Back()
		hb = e.Value.(*heldBlock[T])
		delete(b.held, hb.k)
		b.lru.Remove(e)
	} else {
		hb = &heldBlock[T]{x: make([]T, c.h.BlockRows*c.cols)}
	}
	hb.k = k
	copy(hb.x, unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b.buf))), n*c.cols)) // the block's values (buf is T-aligned)
	b.held[k] = b.lru.PushFront(hb)
	return hb.x, nil
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
