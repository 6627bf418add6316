//go:build netlib

package nn

// With the netlib build tag, OpenBLAS (single-threaded) replaces gonum's
// pure-Go BLAS for every matrix product.
import _ "github.com/densetrain/densetrain/internal/openblas"
