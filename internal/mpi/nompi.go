//go:build !mpi

package mpi

// Available reports whether this build can run under MPI: not without the
// mpi build tag.
const Available = false
