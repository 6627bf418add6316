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

// LocalRanks returns how many ranks of the job run on this machine, as
// the launcher says (Open MPI's OMPI_COMM_WORLD_LOCAL_SIZE, MPICH's
// MPI_LOCALNRANKS, Slurm's SLURM_NTASKS_PER_NODE): they share its memory.
// 1 when no launcher says.
func LocalRanks() int {
	for _, v := range []string{"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS_PER_NODE"} {
		if n, err := strconv.Atoi(os.Getenv(v)); err == nil && n > 0 {
			return n
		}
	}
	return 1
}
