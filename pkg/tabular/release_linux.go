package tabular

import "syscall"

// release tells the kernel that the whole pages of b will not be read
// again: they leave the process's resident memory (b is never read or
// written after; the garbage collector does not scan its object, which
// holds no pointers).
func release(b []byte) {
	const page = 4096
	start := (page - int(unsafeAddr(b)%page)) % page
	if len(b) <= start+page {
		return
	}
	end := start + (len(b)-start)/page*page
	_ = syscall.Madvise(b[start:end], syscall.MADV_DONTNEED) // a hint: memory stays held if it fails
}
