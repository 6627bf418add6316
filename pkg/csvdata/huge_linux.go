package csvdata

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugePages asks the kernel to back a large new buffer with transparent
// huge pages before it is first written: one fault per 2 MiB instead of
// per 4 KiB. First touch of the matrix is otherwise where most of the
// kernel time of a read goes (on VMs a fault costs microseconds). It is a
// hint: errors are ignored.
func hugePages[T any](s []T) {
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
}
