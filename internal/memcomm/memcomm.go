// Package memcomm is a communicator (a pkg/parallel Communicator) for
// ranks that are goroutines of one process: tests of multi-rank code run
// without MPI. Its all-reduce sums in rank order. It imports nothing of
// the module, being below pkg/parallel in the house.
package memcomm

import (
	"fmt"
	"sync"
	"unsafe"
)

// group is what the ranks of one communicator share.
type group struct {
	mu     sync.Mutex
	cond   *sync.Cond
	size   int
	count  int
	gen    int
	shared []byte
	posts  []post // each rank's Alltoallv send
}

type post struct {
	send   []byte
	counts []int
}

// Comm is one rank's communicator.
type Comm struct {
	g    *group
	rank int
}

// New returns the communicators of a group of size ranks, rank r's at r.
func New(size int) []*Comm {
	g := &group{size: size, posts: make([]post, size)}
	g.cond = sync.NewCond(&g.mu)
	cs := make([]*Comm, size)
	for r := range cs {
		cs[r] = &Comm{g, r}
	}
	return cs
}

// Rank returns the rank.
func (c *Comm) Rank() int { return c.rank }

// Size returns the number of ranks.
func (c *Comm) Size() int { return c.g.size }

// Barrier is parallel.Communicator's.
func (c *Comm) Barrier() error {
	g := c.g
	g.mu.Lock()
	defer g.mu.Unlock()
	gen := g.gen
	if g.count++; g.count == g.size {
		g.count, g.gen = 0, g.gen+1
		g.cond.Broadcast()
		return nil
	}
	for gen == g.gen {
		g.cond.Wait()
	}
	return nil
}

// Allgather is parallel.Communicator's.
func (c *Comm) Allgather(send, recv []byte) error {
	g := c.g
	if len(recv) != g.size*len(send) {
		return fmt.Errorf("allgather of %d into %d", len(send), len(recv))
	}
	g.mu.Lock()
	if len(g.shared) != len(recv) {
		g.shared = make([]byte, len(recv))
	}
	copy(g.shared[c.rank*len(send):], send)
	g.mu.Unlock()
	c.Barrier()
	g.mu.Lock()
	copy(recv, g.shared)
	g.mu.Unlock()
	return c.Barrier()
}

// Alltoallv is parallel.Communicator's.
func (c *Comm) Alltoallv(send []byte, sendCounts []int, recv []byte, recvCounts []int) error {
	g := c.g
	g.mu.Lock()
	g.posts[c.rank] = post{send, sendCounts}
	g.mu.Unlock()
	c.Barrier()
	g.mu.Lock()
	at := 0
	var err error
	for q := range g.size {
		p := g.posts[q]
		off := 0
		for k := range c.rank {
			off += p.counts[k]
		}
		if p.counts[c.rank] != recvCounts[q] {
			err = fmt.Errorf("alltoallv: rank %d sends %d bytes to rank %d, which expects %d", q, p.counts[c.rank], c.rank, recvCounts[q])
		} else {
			copy(recv[at:at+recvCounts[q]], p.send[off:off+p.counts[c.rank]])
		}
		at += recvCounts[q]
	}
	g.mu.Unlock()
	if berr := c.Barrier(); err == nil {
		err = berr
	}
	return err
}

// AllreduceFloat32 is parallel.Communicator's.
func (c *Comm) AllreduceFloat32(buf []float32) error { return allreduce(c, buf) }

// AllreduceFloat64 is parallel.Communicator's.
func (c *Comm) AllreduceFloat64(buf []float64) error { return allreduce(c, buf) }

// allreduce sums the ranks' buffers in rank order, through Allgather.
func allreduce[T float32 | float64](c *Comm, buf []T) error {
	size := int(unsafe.Sizeof(buf[0]))
	send := unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), len(buf)*size)
	recv := make([]byte, c.g.size*len(send))
	if err := c.Allgather(send, recv); err != nil {
		return err
	}
	clear(buf)
	for r := range c.g.size {
		part := unsafe.Slice((*T)(unsafe.Pointer(&recv[r*len(send)])), len(buf))
		for i, v := range part {
			buf[i] += v
		}
	}
	return nil
}

// Bcast is parallel.Communicator's.
func (c *Comm) Bcast(buf []byte, root int) error {
	g := c.g
	if c.rank == root {
		g.mu.Lock()
		g.shared = append(g.shared[:0], buf...)
		g.mu.Unlock()
	}
	c.Barrier()
	if c.rank != root {
		g.mu.Lock()
		copy(buf, g.shared)
		g.mu.Unlock()
	}
	return c.Barrier()
}
