//go:build mpi

package mpi

/*
#cgo pkg-config: ompi
#include <mpi.h>
#include <stdlib.h>

static int dt_init(int *provided) {
	int flag = 0;
	MPI_Initialized(&flag);
	if (flag) {
		MPI_Query_thread(provided);
		return MPI_SUCCESS;
	}
	return MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, provided);
}
static int dt_serialized(void) { return MPI_THREAD_SERIALIZED; }
static int dt_rank(int *r) { return MPI_Comm_rank(MPI_COMM_WORLD, r); }
static int dt_size(int *s) { return MPI_Comm_size(MPI_COMM_WORLD, s); }
static int dt_allgather(void *send, void *recv, int n) {
	return MPI_Allgather(send, n, MPI_BYTE, recv, n, MPI_BYTE, MPI_COMM_WORLD);
}
static int dt_bcast(void *buf, int n, int root) { return MPI_Bcast(buf, n, MPI_BYTE, root, MPI_COMM_WORLD); }
static int dt_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
static int dt_allreduce_f32(void *buf, int n) { return MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD); }
static int dt_allreduce_f64(void *buf, int n) { return MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD); }
static int dt_finalize(void) { return MPI_Finalize(); }
static int dt_abort(int code) { return MPI_Abort(MPI_COMM_WORLD, code); }
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"unsafe"
)

// Comm is MPI_COMM_WORLD as a parallel.Communicator. MPI is initialized
// with MPI_THREAD_SERIALIZED: calls may come from any goroutine (and so any
// OS thread), never two at once.
type Comm struct{ rank, size int }

// Init initializes MPI and returns the world communicator.
func Init() (*Comm, error) {
	var provided C.int
	if rc := C.dt_init(&provided); rc != C.MPI_SUCCESS {
		return nil, fmt.Errorf("mpi: MPI_Init_thread failed (%d)", int(rc))
	}
	if provided < C.dt_serialized() {
		return nil, errors.New("mpi: this MPI does not provide MPI_THREAD_SERIALIZED")
	}
	var r, s C.int
	if rc := C.dt_rank(&r); rc != C.MPI_SUCCESS {
		return nil, fmt.Errorf("mpi: MPI_Comm_rank failed (%d)", int(rc))
	}
	if rc := C.dt_size(&s); rc != C.MPI_SUCCESS {
		return nil, fmt.Errorf("mpi: MPI_Comm_size failed (%d)", int(rc))
	}
	return &Comm{rank: int(r), size: int(s)}, nil
}

// Rank implements parallel.Communicator.
func (c *Comm) Rank() int { return c.rank }

// Size implements parallel.Communicator.
func (c *Comm) Size() int { return c.size }

// Allgather implements parallel.Communicator.
func (c *Comm) Allgather(send, recv []byte) error {
	if len(recv) != c.size*len(send) {
		return fmt.Errorf("mpi: allgather of %d bytes from %d ranks into %d", len(send), c.size, len(recv))
	}
	if len(send) > math.MaxInt32 {
		return fmt.Errorf("mpi: allgather of %d bytes: more than MPI's int count", len(send))
	}
	if len(send) == 0 {
		return nil
	}
	if rc := C.dt_allgather(unsafe.Pointer(&send[0]), unsafe.Pointer(&recv[0]), C.int(len(send))); rc != C.MPI_SUCCESS {
		return fmt.Errorf("mpi: MPI_Allgather failed (%d)", int(rc))
	}
	return nil
}

// Bcast implements parallel.Communicator.
func (c *Comm) Bcast(buf []byte, root int) error {
	if len(buf) > math.MaxInt32 {
		return fmt.Errorf("mpi: broadcast of %d bytes: more than MPI's int count", len(buf))
	}
	if len(buf) == 0 {
		return nil
	}
	if rc := C.dt_bcast(unsafe.Pointer(&buf[0]), C.int(len(buf)), C.int(root)); rc != C.MPI_SUCCESS {
		return fmt.Errorf("mpi: MPI_Bcast failed (%d)", int(rc))
	}
	return nil
}

// Barrier implements parallel.Communicator.
func (c *Comm) Barrier() error {
	if rc := C.dt_barrier(); rc != C.MPI_SUCCESS {
		return fmt.Errorf("mpi: MPI_Barrier failed (%d)", int(rc))
	}
	return nil
}

// AllreduceFloat32 implements parallel.Communicator with MPI_Allreduce.
func (c *Comm) AllreduceFloat32(buf []float32) error {
	if len(buf) == 0 {
		return nil
	}
	return allreduce(unsafe.Pointer(&buf[0]), len(buf), false)
}

// AllreduceFloat64 implements parallel.Communicator with MPI_Allreduce.
func (c *Comm) AllreduceFloat64(buf []float64) error {
	if len(buf) == 0 {
		return nil
	}
	return allreduce(unsafe.Pointer(&buf[0]), len(buf), true)
}

// allreduce sums n floats (float64 when f64) at p in place across the ranks.
func allreduce(p unsafe.Pointer, n int, f64 bool) error {
	if n > math.MaxInt32 {
		return fmt.Errorf("mpi: all-reduce of %d values: more than MPI's int count", n)
	}
	var rc C.int
	if f64 {
		rc = C.dt_allreduce_f64(p, C.int(n))
	} else {
		rc = C.dt_allreduce_f32(p, C.int(n))
	}
	if rc != C.MPI_SUCCESS {
		return fmt.Errorf("mpi: MPI_Allreduce failed (%d)", int(rc))
	}
	return nil
}

// Finalize shuts MPI down; call it once, at the end.
func (c *Comm) Finalize() error {
	if rc := C.dt_finalize(); rc != C.MPI_SUCCESS {
		return fmt.Errorf("mpi: MPI_Finalize failed (%d)", int(rc))
	}
	return nil
}

// Abort ends every rank of the job with the exit code.
func (c *Comm) Abort(code int) { C.dt_abort(C.int(code)) }
