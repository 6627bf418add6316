// Package floatslice views a slice of a tensor.Float element type as the
// concrete slice type of the same element size, without copying: the one
// place the engine reinterprets its generic slices for assembly kernels,
// BLAS and message passing (used by pkg/nn, pkg/train and internal/gemm).
package floatslice
