package csvdata

import (
	"unsafe"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sys/unix"
)

// hugePages asks the kernel to back a large new buffer with transparent
// huge pages before it is first written: one fault per 2 MiB instead of
// per 4 KiB. First touch of the matrix is otherwise where most of the
// kernel time of a read goes (on VMs a fault costs microseconds). It is a
// hint: errors are ignored. The pages are then faulted in by the workers
// in parallel (MADV_POPULATE_WRITE).
func hugePages[T any](s []T, workers int) {
	var z T
	n := uintptr(len(s)) * unsafe.Sizeof(z)
	if n < 4<<20 {
		return
	}
	const huge = 2 << 20
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), n)
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	lo, hi := (start+huge-1)&^(huge-1), (start+n)&^(huge-1)
	if hi <= lo {
		return
	}
	_ = unix.Madvise(b[lo-start:hi-start], unix.MADV_HUGEPAGE)
	// Fault the pages in now, a share per worker: one thread faulting
	// the whole matrix is slower than leaving it to the parsers.
	// Kernels before 5.14 lack MADV_POPULATE_WRITE: the hint is ignored.
	pages, w := (hi-lo)/huge, uintptr(max(workers, 1))
	var g errgroup.Group
	for k := range w {
		a, z := lo+k*pages/w*huge, lo+(k+1)*pages/w*huge
		if z > a {
			g.Go(func() error { return unix.Madvise(b[a-start:z-start], unix.MADV_POPULATE_WRITE) })
		}
	}
	_ = g.Wait()
}
