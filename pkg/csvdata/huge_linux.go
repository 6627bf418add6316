package csvdata

import (
	"unsafe"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sys/unix"
)

// prefault faults in the pages of a large new buffer before it is first
// written, a share per thread in parallel (MADV_POPULATE_WRITE), asking
// for transparent huge pages first (MADV_HUGEPAGE) when huge is set. It is
// a hint: errors are ignored; kernels before 5.14 lack
// MADV_POPULATE_WRITE, and where transparent huge pages are off the pages
// stay small.
//
// On the virtual machines measured, most of a read's time went to the
// first write into each fresh 4 KiB page of the matrix, when the
// hypervisor backs it: 0.5–0.7 s for 356 MB on one core, counted as user
// time, whatever the guest did before (populating small pages saves the
// guest's own faults, about 0.3 s, not that). With huge pages the AMD VM
// read the 1M-row mixed file in 0.51 s instead of 0.87 s (user CPU 0.6
// against 1.3 s) and MNIST in 0.27 s instead of 0.37 s, in the ingest
// benchmark; numpy asks for huge pages the same way for arrays of 4 MiB
// and more. (An earlier round, on an Intel VM, judged them by kernel time
// alone and went without.) A gzip file is read with small pages: its read
// is bound by the inflater's core, the workers have time to spare for the
// faults of small pages as they write, while populating huge ones up front
// competes with the inflater (the mixed file's .gz: 1.62–1.78 s with
// small pages, 1.87–2.27 s with huge ones, alternated).
func prefault[T any](s []T, threads int, huge bool) {
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
	if huge {
		_ = unix.Madvise(b[lo-start:hi-start], unix.MADV_HUGEPAGE)
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
