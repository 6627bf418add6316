package floatslice

import (
	"unsafe"

	"github.com/densetrain/densetrain/pkg/tensor"
)

// As32 views s as a []float32 over the same memory. T's underlying type
// must be float32 (callers switch on the element size first): the memory
// layouts are then identical.
func As32[T tensor.Float](s []T) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// As64 views s as a []float64 over the same memory. T's underlying type
// must be float64 (callers switch on the element size first).
func As64[T tensor.Float](s []T) []float64 {
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// AsBytes views s as its bytes, in place, for hashing and for sending.
func AsBytes[T tensor.Float](s []T) []byte {
	var z T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(z)))
}
