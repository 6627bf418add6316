// Package mpi is densetrain's thin cgo seam over the MPI C API (Open MPI
// from Debian: libopenmpi-dev), built only with the mpi build tag. It
// implements parallel.Communicator. Without the tag Init fails with
// ErrNotBuilt, so the default build needs neither cgo nor MPI.
package mpi
