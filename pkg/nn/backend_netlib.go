//go:build netlib

package nn

// With the netlib build tag, OpenBLAS (single-threaded) replaces gonum's
// pure-Go BLAS for every matrix product.
import _ "github.com/densetrain/densetrain/internal/openblas"

// BLASPath names the kernels that compute this build's matrix products:
// "openblas" in the netlib build (which of its kernels OpenBLAS picked for
// the CPU, OPENBLAS_VERBOSE=2 tells).
func BLASPath() string { return "openblas" }
