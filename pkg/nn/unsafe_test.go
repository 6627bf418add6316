package nn

import "unsafe"

func uintptrOf[T Float](s []T) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(s))) }
