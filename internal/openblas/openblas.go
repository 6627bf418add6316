//go:build netlib

// Package openblas, built only with the netlib tag, installs OpenBLAS
// (through gonum.org/v1/netlib's cgo bindings) as the implementation behind
// gonum's blas32 and blas64, and makes it single-threaded: densetrain's
// workers are the one parallelism knob, each running its own serial BLAS.
// Import it for its side effect.
package openblas

/*
#cgo LDFLAGS: -lopenblas
void openblas_set_num_threads(int);
int openblas_get_num_threads(void);
*/
import "C"

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

func init() {
	C.openblas_set_num_threads(1)
	blas32.Use(netlib.Implementation{})
	blas64.Use(netlib.Implementation{})
}

// Threads returns the number of threads OpenBLAS uses (1 once installed).
func Threads() int { return int(C.openblas_get_num_threads()) }

// setThreads changes the number of threads OpenBLAS uses (tests only).
func setThreads(n int) { C.openblas_set_num_threads(C.int(n)) }
