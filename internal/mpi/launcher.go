package mpi

import (
	"errors"
	"os"
	"strconv"
)

// ErrNotBuilt is what Init returns in a build without the mpi tag.
var ErrNotBuilt = errors.New("this binary was built without MPI support (build it with -tags mpi, with libopenmpi-dev installed)")

// UnderLauncher reports whether this process is one of several started by
// mpirun (Open MPI sets OMPI_COMM_WORLD_SIZE) or another PMI launcher. A
// job of one task (srun -n1) is not one. Without MPI support the command
// then refuses to run rather than train once per rank.
func UnderLauncher() bool {
	for _, v := range []string{"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"} {
		if n, err := strconv.Atoi(os.Getenv(v)); err == nil && n > 1 {
			return true
		}
	}
	return false
}
