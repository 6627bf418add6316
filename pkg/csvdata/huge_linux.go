package csvdata

import (
	"unsafe"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sys/unix"
)

// prefault faults in the pages of a large new buffer before it is first
// written, a share per worker in parallel (MADV_POPULATE_WRITE): one
// thread faulting the whole matrix is slower than leaving it to the
// parsers, and faulting it a page at a time as they write costs a trap
// per 4 KiB. It is a hint: errors are ignored, and kernels before 5.14,
// which lack MADV_POPULATE_WRITE, ignore it.
//
// It used to ask for transparent huge pages too (MADV_HUGEPAGE). On the
// virtual machines measured that made the kernel time of a read both
// larger and erratic (median 0.74 s against 0.21 s for a 356 MB matrix,
// 0.36 to 1.25 s over six runs): a huge page needs 2 MiB of contiguous
// guest memory, which the hypervisor has often not backed yet, while
// small pages come from memory recently freed and still backed.
func prefault[T any](s []T, workers int) {
	var z T
	n := uintptr(len(s)) * unsafe.Sizeof(z)
	if n < 4<<20 {
		return
	}
	const page = 2 << 20 // the share's unit: large, aligned
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), n)
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	lo, hi := (start+page-1)&^(page-1), (start+n)&^(page-1)
	if hi <= lo {
		return
	}
	pages, w := (hi-lo)/page, uintptr(max(workers, 1))
	var g errgroup.Group
	for k := range w {
		a, z := lo+k*pages/w*page, lo+(k+1)*pages/w*page
		if z > a {
			g.Go(func() error { return unix.Madvise(b[a-start:z-start], unix.MADV_POPULATE_WRITE) })
		}
	}
	_ = g.Wait()
}
