//go:build !amd64 || noasm

package numscan

// Available reports whether the kernels run on this CPU: never in this
// build.
const Available = false

func scanFloat32(dst []float32, rec []byte, i int, sep byte) (int, int) { return 0, i }

func scanFloat64(dst []float64, rec []byte, i int, sep byte) (int, int) { return 0, i }
