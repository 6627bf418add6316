//go:build !amd64 || noasm

package gemm

// bestPath is the portable path: this build has no assembly kernels.
func bestPath() string { return "portable" }

// paths returns the kernels of the named path, nil if this build lacks it.
func paths(name string) (*path[float32], *path[float64]) {
	if name == "portable" {
		return portable32, portable64
	}
	return nil, nil
}

// gatherAsm reports false: this build has no assembly gather.
func gatherAsm[T Float](dst, src []T, ld, rows, kc, width int) bool { return false }
