//go:build !mpi

package mpi

import (
	"errors"
	"os"
	"strconv"
)

// Available reports whether this build can run under MPI: not without the
// mpi build tag.
const Available = false

// ErrNotBuilt is returned by Init in a build without the mpi tag.
var ErrNotBuilt = errors.New("this binary was built without MPI support (build it with -tags mpi, with libopenmpi-dev installed)")

// Comm stands for MPI_COMM_WORLD in a build without MPI; Init never
// returns one.
type Comm struct{}

// UnderLauncher reports whether this process was started by mpirun (Open
// MPI sets OMPI_COMM_WORLD_SIZE) or another PMI launcher; without MPI
// support the command then refuses to run rather than train once per rank.
func UnderLauncher() bool {
	for _, v := range []string{"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"} {
		if n, err := strconv.Atoi(os.Getenv(v)); err == nil && n > 1 {
			return true // a job of one task (srun -n1) is not one
		}
	}
	return false
}

// Init fails with ErrNotBuilt.
func Init() (*Comm, error) { return nil, ErrNotBuilt }

// Rank, Size, Allgather, Bcast and Barrier implement
// parallel.Communicator; they are never reached.
func (*Comm) Rank() int                        { return 0 }
func (*Comm) Size() int                        { return 1 }
func (*Comm) Allgather(_, _ []byte) error      { return ErrNotBuilt }
func (*Comm) Bcast([]byte, int) error          { return ErrNotBuilt }
func (*Comm) Barrier() error                   { return ErrNotBuilt }
func (*Comm) AllreduceFloat32([]float32) error { return ErrNotBuilt }
func (*Comm) AllreduceFloat64([]float64) error { return ErrNotBuilt }

// Finalize and Abort do nothing.
func (*Comm) Finalize() error { return nil }
func (*Comm) Abort(int)       {}
