package nn

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"

	"github.com/densetrain/densetrain/pkg/parallel"
)

// Training across processes (FitOptions.Comm with more than one rank).
//
// Every rank holds the whole data set, draws the same seeded batches and
// cuts them into the same micro-shards and lanes as a single process. Rank
// r computes the contiguous lanes [r·L/R, (r+1)·L/R) of a step with its own
// workers; then one Allgather hands every rank every lane's gradient, loss
// sum and metric counts, and every rank reduces all L lanes with the same
// fixed tree and applies the same update. The arithmetic is therefore
// exactly the single process's with the same shard layout — the model file
// is the same, byte for byte, whatever the number of ranks and workers —
// at the price of sending lanes rather than per-rank partial sums.
//
// Cancellation is agreed at the same exchange: each rank sends a flag, and
// if any rank's context was cancelled every rank stops at that same step.
// Only rank 0 writes checkpoints.

// exchange moves the lanes between the ranks at every step.
type exchange[T Float] struct {
	comm       parallel.Communicator
	ctx        context.Context // the caller's: its cancellation is agreed on
	laneBytes  int             // one lane: gradient, loss sum, metric counts
	slots      int             // lanes per rank, at most
	send, recv []byte

	fast bool      // sum with the communicator's all-reduce instead (FitOptions.CommAllreduce)
	side []float64 // with fast: stop count, exit code, loss sum, metric counts
}

// exchangeHeader is the bytes before a rank's lanes: its stop flag.
const exchangeHeader = 8

func newExchange[T Float](comm parallel.Communicator, ctx context.Context, params, metrics, maxLanes int, fast bool) *exchange[T] {
	var z T
	x := &exchange[T]{comm: comm, ctx: ctx, laneBytes: params*int(unsafe.Sizeof(z)) + 8 + 8*metrics, fast: fast}
	if fast {
		x.side = make([]float64, 4+metrics)
		return x
	}
	x.slots = (maxLanes + comm.Size() - 1) / comm.Size()
	x.send = make([]byte, exchangeHeader+x.slots*x.laneBytes)
	x.recv = make([]byte, comm.Size()*len(x.send))
	return x
}

// stopCode returns this rank's stop flag and the exit code its context's
// cause carries (0 if none).
func (x *exchange[T]) stopCode() (bool, int) {
	if x.ctx.Err() == nil {
		return false, 0
	}
	var ec interface{ ExitCode() int }
	if errors.As(context.Cause(x.ctx), &ec) && ec.ExitCode() > 0 && ec.ExitCode() < 256 {
		return true, ec.ExitCode()
	}
	return true, 0
}

// allreduce is the fast path (FitOptions.CommAllreduce): it sums this
// rank's lanes of a step with n lanes into lanes[0] with the local tree,
// then across the ranks with the communicator's all-reduce, whose order is
// MPI's; the stop count, the sum of the stopping ranks' exit codes and of
// their squares (equal codes pass on), the loss sum and the metric counts
// (into laneAcc[0]) travel in a float64 side buffer. It returns the step's
// loss sum. It does not use Model.SetReducer's reducer.
func (x *exchange[T]) allreduce(t *trainer[T], n int) (float64, error) {
	lo, hi := x.owned(x.comm.Rank(), n)
	g := t.lanes[0]
	clear(x.side)
	if stop, code := x.stopCode(); stop {
		x.side[0], x.side[1], x.side[3] = 1, float64(code), float64(code*code)
	}
	acc := x.side[4:]
	if hi > lo {
		parallel.TreeAddInto(t.lanes[lo:hi], 0, len(g), addInto[T])
		parallel.TreeSumInto(t.laneAcc[lo:hi], 0, len(acc))
		if lo != 0 {
			copy(g, t.lanes[lo])
		}
		x.side[2] = parallel.TreeSum(t.laneLoss[lo:hi])
		copy(acc, t.laneAcc[lo])
	} else {
		clear(g) // this rank has no lane in this (short) step
	}
	var err error
	if unsafe.Sizeof(g[0]) == 4 {
		err = x.comm.AllreduceFloat32(as32(g))
	} else {
		err = x.comm.AllreduceFloat64(as64(g))
	}
	if err != nil {
		return 0, err
	}
	if err := x.comm.AllreduceFloat64(x.side); err != nil {
		return 0, err
	}
	if n := x.side[0]; n > 0 {
		code := 0
		if n*x.side[3] == x.side[1]*x.side[1] { // every stopping rank has the same code
			code = int(x.side[1] / n)
		}
		return 0, fmt.Errorf("stopped on %g rank(s): %w", x.side[0], stopCause{code})
	}
	copy(t.laneAcc[0], acc)
	return x.side[2], nil
}

// owned returns the lanes rank r computes when a step has n lanes.
func (x *exchange[T]) owned(r, n int) (lo, hi int) {
	s := x.comm.Size()
	return r * n / s, (r + 1) * n / s
}

// swap sends this rank's lanes [lo, hi) of a step with n lanes, receives
// the others', and reports a cancellation on any rank as context.Canceled.
func (x *exchange[T]) swap(t *trainer[T], n int) error {
	rank := x.comm.Rank()
	lo, hi := x.owned(rank, n)
	clear(x.send[:exchangeHeader])
	if stop, code := x.stopCode(); stop {
		x.send[0], x.send[1] = 1, byte(code) // and how the stopping rank will exit, for the others
	}
	for i := lo; i < hi; i++ {
		x.pack(x.send[exchangeHeader+(i-lo)*x.laneBytes:], t, i)
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
		rlo, rhi := x.owned(r, n)
		for i := rlo; i < rhi; i++ {
			x.unpack(block[exchangeHeader+(i-rlo)*x.laneBytes:], t, i)
		}
	}
	if stopped >= 0 {
		return fmt.Errorf("stopped on rank %d: %w", stopped, stopCause{code})
	}
	return nil
}

// stopCause is context.Canceled as seen by every rank of a job that one
// rank's cancellation stopped; ExitCode carries that rank's exit code (a
// cause with an ExitCode method, such as a signal's), 0 when it had none.
type stopCause struct{ code int }

func (s stopCause) Error() string { return context.Canceled.Error() }
func (s stopCause) Unwrap() error { return context.Canceled }

// ExitCode returns the exit code of the rank that stopped the job, or 0.
func (s stopCause) ExitCode() int { return s.code }

func (x *exchange[T]) pack(b []byte, t *trainer[T], i int) {
	n := copy(b, asBytes(t.lanes[i]))
	binary.LittleEndian.PutUint64(b[n:], math.Float64bits(t.laneLoss[i]))
	for k, v := range t.laneAcc[i] {
		binary.LittleEndian.PutUint64(b[n+8+8*k:], math.Float64bits(v))
	}
}

func (x *exchange[T]) unpack(b []byte, t *trainer[T], i int) {
	n := copy(asBytes(t.lanes[i]), b)
	t.laneLoss[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[n:]))
	for k := range t.laneAcc[i] {
		t.laneAcc[i][k] = math.Float64frombits(binary.LittleEndian.Uint64(b[n+8+8*k:]))
	}
}

// agree checks that every rank has the same fingerprint of data, model and
// options (a fixed-length hash) and then gives every rank rank 0's
// parameters.
func agree[T Float](comm parallel.Communicator, fingerprint string, params []T) error {
	if r, err := firstDiffering(comm, []byte(fingerprint)); err != nil || r >= 0 {
		if err == nil {
			err = fmt.Errorf("nn: fit: rank %d has other data, model or training options than rank %d", r, comm.Rank())
		}
		return err
	}
	return comm.Bcast(asBytes(params), 0)
}

// agreeOnResume checks that every rank resumed from the same point.
func agreeOnResume(comm parallel.Communicator, epoch, batches, steps int) error {
	b := fmt.Appendf(nil, "%020d %020d %020d", epoch, batches, steps) // the same length on every rank
	if r, err := firstDiffering(comm, b); err != nil || r >= 0 {
		if err == nil {
			err = errors.New("nn: fit: the ranks resumed from different checkpoints (is the checkpoint on a file system they share?)")
		}
		return err
	}
	return nil
}

// firstDiffering gathers every rank's b (of the same length on every rank)
// and returns the first rank whose b differs from this rank's, or −1.
func firstDiffering(comm parallel.Communicator, b []byte) (int, error) {
	all := make([]byte, comm.Size()*len(b))
	if err := comm.Allgather(b, all); err != nil {
		return 0, err
	}
	for r := range comm.Size() {
		if string(all[r*len(b):(r+1)*len(b)]) != string(b) {
			return r, nil
		}
	}
	return -1, nil
}
