package csvdata

import (
	"bytes"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sys/unix"
)

// prefault prepares the pages of a large new buffer before it is first
// written. Where transparent huge pages are on, it asks for them
// (MADV_HUGEPAGE) and leaves the faults to the writers, one per 2 MiB;
// elsewhere it faults small pages in, a share per thread in parallel
// (MADV_POPULATE_WRITE), rather than take a trap per 4 KiB as they are
// written. It is a hint: errors are ignored (kernels before 5.14 lack
// MADV_POPULATE_WRITE).
//
// On the virtual machines measured, most of a read's time went to the
// first write into each fresh 4 KiB page of the matrix, when the
// hypervisor backs it: 0.5–0.7 s for 356 MB on one core, counted as user
// time, whatever the guest did before (populating small pages saves the
// guest's own faults, about 0.3 s, not that). With huge pages faulted by
// the workers as they write, the AMD VM reads the 1M-row mixed file in
// 0.52–0.58 s against 0.86–0.94 s with populated small pages (user CPU 0.6
// against 1.3 s) and 0.60–1.0 s with huge pages populated up front, which
// holds the workers back and varies with the memory the kernel must
// gather; its .gz in 1.44–1.51 s against 1.49–1.58 s; MNIST in 0.20–0.23 s
// against 0.39–0.45 s (back-to-back runs alternated). numpy asks for huge
// pages the same way for arrays of 4 MiB and more. (An earlier round, on
// an Intel VM, judged huge pages by kernel time alone and went without.)
func prefault[T any](s []T, threads int) {
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
	if hugePages() && unix.Madvise(b[lo-start:hi-start], unix.MADV_HUGEPAGE) == nil {
		return
	}
	pages, w := (hi-lo)/page, uintptr(max(threads, 1))
	var g errgroup.Group
	for k := range w {
		a, z := lo+k*pages/w*page, lo+(k+1)*pages/w*page
		if z > a {
			g.Go(func() error { return unix.Madvise(b[a-start:z-start], unix.MADV_POPULATE_WRITE) })
		}
	}
	_ = g.Wait()
}

// hugePages reports whether transparent huge pages may be asked for
// (enabled "always" or "madvise").
var hugePages = sync.OnceValue(func() bool {
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	return err == nil && !bytes.Contains(b, []byte("[never]"))
})
