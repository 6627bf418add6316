//go:build !linux

package cache

// Prefetch does nothing outside Linux.
func (c *Cache[T]) Prefetch(rows []int) {}

// willNeed does nothing outside Linux.
func (c *Cache[T]) willNeed(off, n int64) {}
