//go:build (amd64 || arm64) && !noasm

package inflate

import "unsafe"

// load reads the 8 bytes at b[i:], little-endian, unchecked: the callers
// keep i+8 within b.
func load(b []byte, i int) uint64 {
	return *(*uint64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), i))
}

// store writes v as the 8 bytes at b[i:], little-endian, unchecked.
func store(b []byte, i int, v uint64) {
	*(*uint64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), i)) = v
}
