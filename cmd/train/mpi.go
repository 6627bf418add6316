package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/densetrain/densetrain/internal/mpi"
	"github.com/densetrain/densetrain/pkg/tabular"
	"github.com/densetrain/densetrain/pkg/train"
)

// fitUnderMPI runs fit as one rank of an MPI job (--mpi, --mpi-allreduce,
// or a process started by mpirun): it initializes MPI on a locked OS
// thread, sets c.comm to MPI_COMM_WORLD for fit to read, and finalizes
// MPI when fit returns. A failure that the other ranks do not meet at the
// same point (see agreedError), or a panic, aborts the whole job with
// this rank's exit code instead, so that no rank waits forever in a
// collective. Without MPI in the build (no -tags mpi) it is a usage
// error.
func fitUnderMPI(ctx context.Context, c *fitConfig, stderr io.Writer, fit func() error) (err error) {
	runtime.LockOSThread() // every MPI call, Init to Finalize, on one thread
	defer runtime.UnlockOSThread()
	comm, err := mpi.Init()
	if errors.Is(err, mpi.ErrNotBuilt) {
		if !c.mpi && !c.mpiAllreduce {
			return usageError(fmt.Errorf("started by an MPI launcher, but %w", err))
		}
		return usageError(fmt.Errorf("--mpi: %w", err))
	}
	if err != nil {
		return err
	}
	c.comm = comm
	defer func() {
		p := recover()
		agreed := agreedError(err) && !(c.mpiAllreduce && errors.As(err, new(*train.DivergenceError)))
		if comm.Size() > 1 && (p != nil || !agreed) {
			// A failure of this rank alone would leave the others
			// waiting in a collective: end the job now. (With
			// --mpi-allreduce even a divergence may not be met by
			// every rank at once: MPI does not promise the same bits.)
			if p != nil {
				err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
			}
			fmt.Fprintf(stderr, "train %s (rank %d of %d): %s\n", cmp.Or(c.command, "fit"), comm.Rank(), comm.Size(), errorText(ctx, err))
			comm.Abort(exitCode(ctx, err))
		}
		comm.Finalize()
		if p != nil {
			panic(p)
		}
	}()
	return fit()
}

// agreedError reports whether every rank of a job ends with err at the same
// point: success, an agreed interruption (one the ranks agreed on at a
// collective, which says so with an Agreed method: a training step's, with
// rank 0's checkpoint written before the ranks finalize, or a cache
// build's), a divergence, which the identical arithmetic of all ranks
// meets at the same step, or a setting tabular.Fit refuses (every rank has
// the same flags and data, and meets it before training). An interruption
// one rank saw alone — a signal to it while it read its data — is not:
// the others may be waiting for it in a collective, and the job is ended.
func agreedError(err error) bool {
	var agreed interface{ Agreed() bool }
	return err == nil || errors.Is(err, context.Canceled) && errors.As(err, &agreed) && agreed.Agreed() ||
		errors.As(err, new(*train.DivergenceError)) || errors.As(err, new(*tabular.SettingError))
}
