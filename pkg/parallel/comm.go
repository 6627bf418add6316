package parallel

import "fmt"

// Communicator connects the processes of a multi-process run (ranks
// 0…Size−1), such as the ranks of an MPI job. Every rank must make the same
// calls in the same order, from one goroutine at a time.
type Communicator interface {
	// Rank returns this process's rank and Size the number of ranks.
	Rank() int
	Size() int
	// Allgather sends send to every rank and fills recv with every rank's
	// send, in rank order; every rank sends the same length and
	// len(recv) = Size()·len(send).
	Allgather(send, recv []byte) error
	// Bcast copies root's buf into every other rank's buf.
	Bcast(buf []byte, root int) error
	// AllreduceFloat32 and AllreduceFloat64 replace buf, in place, by the
	// element-wise sum of every rank's buf, in an order the implementation
	// chooses (so the bits may differ from any fixed-order sum).
	AllreduceFloat32(buf []float32) error
	AllreduceFloat64(buf []float64) error
	// Barrier returns when every rank has called it.
	Barrier() error
}

// Local is the Communicator of a single process: rank 0 of 1. Its zero
// value is ready to use.
type Local struct{}

// Rank implements Communicator.
func (Local) Rank() int { return 0 }

// Size implements Communicator.
func (Local) Size() int { return 1 }

// Allgather implements Communicator: recv becomes a copy of send.
func (Local) Allgather(send, recv []byte) error {
	if len(recv) != len(send) {
		return fmt.Errorf("parallel: allgather of %d bytes into %d", len(send), len(recv))
	}
	copy(recv, send)
	return nil
}

// Bcast implements Communicator: with one rank there is nothing to send.
func (Local) Bcast(buf []byte, root int) error {
	if root != 0 {
		return fmt.Errorf("parallel: broadcast from rank %d of 1", root)
	}
	return nil
}

// Barrier implements Communicator.
func (Local) Barrier() error { return nil }

// AllreduceFloat32 implements Communicator: the sum of one buffer.
func (Local) AllreduceFloat32([]float32) error { return nil }

// AllreduceFloat64 implements Communicator: the sum of one buffer.
func (Local) AllreduceFloat64([]float64) error { return nil }
