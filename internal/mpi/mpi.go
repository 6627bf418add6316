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
static int dt_alltoallv(void *send, int *scounts, int *sdispls, void *recv, int *rcounts, int *rdispls) {
	return MPI_Alltoallv(send, scounts, sdispls, MPI_BYTE, recv, rcounts, rdispls, MPI_BYTE, MPI_COMM_WORLD);
}
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
	if err := check(C.dt_init(&provided), "MPI_Init_thread"); err != nil {
		return nil, err
	}
	if provided < C.dt_serialized() {
		return nil, errors.New("mpi: this MPI does not provide MPI_THREAD_SERIALIZED")
	}
	var r, s C.int
	if err := check(C.dt_rank(&r), "MPI_Comm_rank"); err != nil {
		return nil, err
	}
	if err := check(C.dt_size(&s), "MPI_Comm_size"); err != nil {
		return nil, err
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
	return check(C.dt_allgather(unsafe.Pointer(&send[0]), unsafe.Pointer(&recv[0]), C.int(len(send))), "MPI_Allgather")
}

// Bcast implements parallel.Communicator.
func (c *Comm) Bcast(buf []byte, root int) error {
	if len(buf) > math.MaxInt32 {
		return fmt.Errorf("mpi: broadcast of %d bytes: more than MPI's int count", len(buf))
	}
	if len(buf) == 0 {
		return nil
	}
	return check(C.dt_bcast(unsafe.Pointer(&buf[0]), C.int(len(buf)), C.int(root)), "MPI_Bcast")
}

// Alltoallv implements parallel.Communicator.
func (c *Comm) Alltoallv(send []byte, sendCounts []int, recv []byte, recvCounts []int) error {
	if len(sendCounts) != c.size || len(recvCounts) != c.size {
		return fmt.Errorf("mpi: alltoallv with %d and %d counts for %d ranks", len(sendCounts), len(recvCounts), c.size)
	}
	// The counts and offsets in C memory: cgo lets no Go pointer to Go
	// pointers pass, and MPI wants C ints.
	ints := (*[1 << 28]C.int)(C.malloc(C.size_t(4 * c.size * int(unsafe.Sizeof(C.int(0))))))[: 4*c.size : 4*c.size]
	defer C.free(unsafe.Pointer(&ints[0]))
	sc, sd, rc, rd := ints[:c.size], ints[c.size:2*c.size], ints[2*c.size:3*c.size], ints[3*c.size:]
	var so, ro int
	for q := range c.size {
		if sendCounts[q] < 0 || recvCounts[q] < 0 || so+sendCounts[q] > math.MaxInt32 || ro+recvCounts[q] > math.MaxInt32 {
			return fmt.Errorf("mpi: alltoallv of %d and %d bytes: more than MPI's int count", so+sendCounts[q], ro+recvCounts[q])
		}
		sc[q], sd[q], rc[q], rd[q] = C.int(sendCounts[q]), C.int(so), C.int(recvCounts[q]), C.int(ro)
		so, ro = so+sendCounts[q], ro+recvCounts[q]
	}
	if so > len(send) || ro > len(recv) {
		return fmt.Errorf("mpi: alltoallv of %d bytes from a buffer of %d, %d into %d", so, len(send), ro, len(recv))
	}
	var one [1]byte // MPI wants a valid address even for no bytes
	sp, rp := unsafe.Pointer(&one[0]), unsafe.Pointer(&one[0])
	if len(send) > 0 {
		sp = unsafe.Pointer(&send[0])
	}
	if len(recv) > 0 {
		rp = unsafe.Pointer(&recv[0])
	}
	return check(C.dt_alltoallv(sp, &sc[0], &sd[0], rp, &rc[0], &rd[0]), "MPI_Alltoallv")
}

// Barrier implements parallel.Communicator.
func (c *Comm) Barrier() error {
	return check(C.dt_barrier(), "MPI_Barrier")
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
	return check(rc, "MPI_Allreduce")
}

// Finalize shuts MPI down; call it once, at the end.
func (c *Comm) Finalize() error {
	return check(C.dt_finalize(), "MPI_Finalize")
}

// Abort ends every rank of the job with the exit code.
func (c *Comm) Abort(code int) { C.dt_abort(C.int(code)) }

// check turns an MPI return code into an error naming the call.
func check(rc C.int, call string) error {
	if rc != C.MPI_SUCCESS {
		return fmt.Errorf("mpi: %s failed (%d)", call, int(rc))
	}
	return nil
}
