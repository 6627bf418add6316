package cache

import (
	"errors"

	"golang.org/x/sys/unix"
)

// residentEvery is how many prefetched rows pass between two looks at
// whether the rows are in the page cache already.
const residentEvery = 1 << 16

// Prefetch asks the kernel to start reading the matrix rows rows into the
// page cache (POSIX_FADV_WILLNEED, one call a row, answered at once): the
// reads of rows a later ReadRows wants are then in flight together, many
// at a time, rather than one at a time per caller. It costs 0.2 µs a row
// where the rows are in the page cache already; so every residentEvery
// rows it looks whether the rows of the call are (a read that may not
// wait, RWF_NOWAIT, per row), and asks for none until the next look if
// they all were. It is a hint; errors are ignored. One goroutine calls it.
func (c *Cache[T]) Prefetch(rows []int) {
	c.pf.left -= len(rows)
	if c.pf.left <= 0 {
		c.pf.left, c.pf.skip = residentEvery, c.resident(rows)
	}
	if c.pf.skip {
		return
	}
	size := int64(c.cols) * int64(c.valueBytes())
	fd := int(c.f.Fd())
	for _, r := range rows {
		_ = unix.Fadvise(fd, c.rowOffset(r), size, unix.FADV_WILLNEED)
	}
}

// resident reports whether the first byte of each row is in the page
// cache.
func (c *Cache[T]) resident(rows []int) bool {
	var b [1]byte
	fd := int(c.f.Fd())
	for _, r := range rows {
		if _, err := unix.Preadv2(fd, [][]byte{b[:]}, c.rowOffset(r), unix.RWF_NOWAIT); errors.Is(err, unix.EAGAIN) {
			return false
		} else if err != nil {
			return false // RWF_NOWAIT unknown to this kernel: prefetch
		}
	}
	return true
}

// willNeed asks the kernel to start reading n bytes of rows.bin at off.
func (c *Cache[T]) willNeed(off, n int64) {
	_ = unix.Fadvise(int(c.f.Fd()), off, n, unix.FADV_WILLNEED)
}
