package train

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"

	"github.com/densetrain/densetrain/internal/floatslice"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/parallel"
)

// Training across processes (Options.Comm with more than one rank): see
// the package doc. This file holds the two gradSum strategies for it, and
// the checks that the ranks start from the same point.

// ranks is what the two strategies across processes share: the
// communicator, and the caller's context, whose cancellation every rank
// agrees on at the step's exchange.
type ranks struct {
	comm parallel.Communicator
	ctx  context.Context
}

// owned returns the lanes this rank computes when a step has n lanes.
func (x ranks) owned(n int) (lo, hi int) { return x.ownedBy(x.comm.Rank(), n) }

// ownedBy returns the lanes rank r computes when a step has n lanes.
func (x ranks) ownedBy(r, n int) (lo, hi int) {
	s := x.comm.Size()
	return r * n / s, (r + 1) * n / s
}

// stopCode returns this rank's stop flag and the exit code its context's
// cause carries (0 if none).
func (x ranks) stopCode() (bool, int) {
	if x.ctx.Err() == nil {
		return false, 0
	}
	var ec interface{ ExitCode() int }
	if errors.As(context.Cause(x.ctx), &ec) && ec.ExitCode() > 0 && ec.ExitCode() < 256 {
		return true, ec.ExitCode()
	}
	return true, 0
}

// laneExchange moves the lanes between the ranks at every step, then sums
// all of them with the local tree: the single process's arithmetic.
type laneExchange[T nn.Float] struct {
	ranks
	tree       *localTree[T]
	laneBytes  int // one lane: gradient, loss sum, metric counts
	slots      int // lanes per rank, at most
	send, recv []byte
}

// exchangeHeader is the bytes before a rank's lanes: its stop flag.
const exchangeHeader = 8

func newLaneExchange[T nn.Float](ctx context.Context, tree *localTree[T], comm parallel.Communicator) *laneExchange[T] {
	var z T
	s := tree.s
	x := &laneExchange[T]{ranks: ranks{comm, ctx}, tree: tree,
		laneBytes: len(s.grads[0])*int(unsafe.Sizeof(z)) + 8 + 8*len(s.acc[0])}
	x.slots = (len(s.grads) + comm.Size() - 1) / comm.Size()
	x.send = make([]byte, exchangeHeader+x.slots*x.laneBytes)
	x.recv = make([]byte, comm.Size()*len(x.send))
	return x
}

func (x *laneExchange[T]) sum(p *parallel.Pool, n int) (float64, bool, error) {
	if err := x.swap(n); err != nil {
		return 0, false, err
	}
	return x.tree.sum(p, n)
}

// swap sends this rank's lanes [lo, hi) of a step with n lanes, receives
// the others', and reports a cancellation on any rank as context.Canceled.
func (x *laneExchange[T]) swap(n int) error {
	rank := x.comm.Rank()
	lo, hi := x.owned(n)
	clear(x.send[:exchangeHeader])
	if stop, code := x.stopCode(); stop {
		x.send[0], x.send[1] = 1, byte(code) // and how the stopping rank will exit, for the others
	}
	for i := lo; i < hi; i++ {
		x.pack(x.send[exchangeHeader+(i-lo)*x.laneBytes:], i)
	}
	if err := x.comm.Allgather(x.send, x.recv); err != nil {
		return err
	}
	stopped, code := -1, 0
	for r := range x.comm.Size() {
		block := x.recv[r*len(x.send):]
		if block[0] != 0 && stopped < 0 {
			stopped, code = r, int(block[1])
		}
		if r == rank {
			continue
		}
		rlo, rhi := x.ownedBy(r, n)
		for i := rlo; i < rhi; i++ {
			x.unpack(block[exchangeHeader+(i-rlo)*x.laneBytes:], i)
		}
	}
	if stopped >= 0 {
		return fmt.Errorf("stopped on rank %d: %w", stopped, stopCause{code})
	}
	return nil
}

func (x *laneExchange[T]) pack(b []byte, i int) {
	s := x.tree.s
	n := copy(b, floatslice.AsBytes(s.grads[i]))
	binary.LittleEndian.PutUint64(b[n:], math.Float64bits(s.loss[i]))
	for k, v := range s.acc[i] {
		binary.LittleEndian.PutUint64(b[n+8+8*k:], math.Float64bits(v))
	}
}

func (x *laneExchange[T]) unpack(b []byte, i int) {
	s := x.tree.s
	n := copy(floatslice.AsBytes(s.grads[i]), b)
	s.loss[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[n:]))
	for k := range s.acc[i] {
		s.acc[i][k] = math.Float64frombits(binary.LittleEndian.Uint64(b[n+8+8*k:]))
	}
}

// allreduceSum is the fast path (Options.CommAllreduce): it sums this
// rank's lanes of a step with the local tree, then across the ranks with
// the communicator's all-reduce, whose order is MPI's. The stop count, the
// sum of the stopping ranks' exit codes and of their squares (equal codes
// pass on), the loss sum and the metric counts travel in a float64 side
// buffer.
type allreduceSum[T nn.Float] struct {
	ranks
	s    laneSums[T]
	side []float64 // stop count, exit code sum, loss sum, exit code square sum, metric counts
}

func newAllreduceSum[T nn.Float](ctx context.Context, s laneSums[T], comm parallel.Communicator) *allreduceSum[T] {
	return &allreduceSum[T]{ranks: ranks{comm, ctx}, s: s, side: make([]float64, 4+len(s.acc[0]))}
}

func (x *allreduceSum[T]) sum(_ *parallel.Pool, n int) (float64, bool, error) {
	lo, hi := x.owned(n)
	s := x.s
	g := s.grads[0]
	clear(x.side)
	if stop, code := x.stopCode(); stop {
		x.side[0], x.side[1], x.side[3] = 1, float64(code), float64(code*code)
	}
	acc := x.side[4:]
	if hi > lo {
		parallel.TreeAddInto(s.grads[lo:hi], 0, len(g), nn.AddInto[T])
		parallel.TreeSumInto(s.acc[lo:hi], 0, len(acc))
		if lo != 0 {
			copy(g, s.grads[lo])
		}
		x.side[2] = parallel.TreeSum(s.loss[lo:hi])
		copy(acc, s.acc[lo])
	} else {
		clear(g) // this rank has no lane in this (short) step
	}
	var err error
	if unsafe.Sizeof(g[0]) == 4 {
		err = x.comm.AllreduceFloat32(floatslice.As32(g))
	} else {
		err = x.comm.AllreduceFloat64(floatslice.As64(g))
	}
	if err != nil {
		return 0, false, err
	}
	if err := x.comm.AllreduceFloat64(x.side); err != nil {
		return 0, false, err
	}
	if n := x.side[0]; n > 0 {
		code := 0
		if n*x.side[3] == x.side[1]*x.side[1] { // every stopping rank has the same code
			code = int(x.side[1] / n)
		}
		return 0, false, fmt.Errorf("stopped on %g rank(s): %w", x.side[0], stopCause{code})
	}
	copy(s.acc[0], acc)
	return x.side[2], false, nil
}

// stopCause is context.Canceled as seen by every rank of a job that one
// rank's cancellation stopped; ExitCode carries that rank's exit code (a
// cause with an ExitCode method, such as a signal's), 0 when it had none.
type stopCause struct{ code int }

func (s stopCause) Error() string { return context.Canceled.Error() }
func (s stopCause) Unwrap() error { return context.Canceled }

// ExitCode returns the exit code of the rank that stopped the job, or 0.
func (s stopCause) ExitCode() int { return s.code }

// Agreed reports that every rank stopped at this point: the ranks agreed
// on the stop at a step's exchange (a cancellation one rank sees alone
// leaves the others in a collective).
func (s stopCause) Agreed() bool { return true }

// agree checks that every rank has the same fingerprint of data, model and
// options (a fixed-length hash) and then gives every rank rank 0's
// parameters.
func agree[T nn.Float](comm parallel.Communicator, fingerprint string, params []T) error {
	if r, err := parallel.FirstDiffering(comm, []byte(fingerprint)); err != nil || r >= 0 {
		if err == nil {
			err = fmt.Errorf("train: rank %d has other data, model or training options than rank %d", r, comm.Rank())
		}
		return err
	}
	return comm.Bcast(floatslice.AsBytes(params), 0)
}

// agreeOnResume checks that every rank resumed from the same point.
func agreeOnResume(comm parallel.Communicator, epoch, batches, steps int) error {
	b := fmt.Appendf(nil, "%020d %020d %020d", epoch, batches, steps) // the same length on every rank
	if r, err := parallel.FirstDiffering(comm, b); err != nil || r >= 0 {
		if err == nil {
			err = errors.New("train: the ranks resumed from different checkpoints (is the checkpoint on a file system they share?)")
		}
		return err
	}
	return nil
}
