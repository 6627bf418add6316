//go:build !mpi

package mpi

// Comm stands for MPI_COMM_WORLD in a build without MPI; Init never
// returns one.
type Comm struct{}

// Init fails with ErrNotBuilt.
func Init() (*Comm, error) { return nil, ErrNotBuilt }

// Rank, Size, Allgather, Bcast, Barrier and Alltoallv implement
// parallel.Communicator; they are never reached.
func (*Comm) Rank() int                   { return 0 }
func (*Comm) Size() int                   { return 1 }
func (*Comm) Allgather(_, _ []byte) error { return ErrNotBuilt }
func (*Comm) Bcast([]byte, int) error     { return ErrNotBuilt }
func (*Comm) Barrier() error              { return ErrNotBuilt }
func (*Comm) Alltoallv([]byte, []int, []byte, []int) error {
	return ErrNotBuilt
}
func (*Comm) AllreduceFloat32([]float32) error { return ErrNotBuilt }
func (*Comm) AllreduceFloat64([]float64) error { return ErrNotBuilt }

// Finalize and Abort do nothing.
func (*Comm) Finalize() error { return nil }
func (*Comm) Abort(int)       {}
