package nn

import (
	"errors"
	"runtime"
	"sync/atomic"
	"time"
)

// ErrBusy is the error of a call that would race with a trainer
// (train.Fit) on the same model: a second Fit, a Fit while a read of the
// weights runs, or a read (Predict, WriteTo, train.Evaluate,
// train.Gradient) while Fit changes the weights — that is while Fit runs,
// but not while its callbacks run, when any goroutine may read the model
// (see Model).
var ErrBusy = errors.New("nn: the model is in use by a trainer (train.Fit)")

// Guard guards a Model against training racing with itself or with the calls that
// read the weights. It counts those reads in flight; Fit sets fitting for
// its whole run and closed while it may write the weights, that is all the
// time but while callbacks run.
type Guard struct{ n atomic.Int64 }

// The bits of Guard.n above the count of reads.
const (
	fitting = 1 << 62
	closed  = 1 << 61
)

// BeginFit marks the start of a Fit; it fails with ErrBusy if another Fit,
// or a read, runs.
func (u *Guard) BeginFit() error {
	if !u.n.CompareAndSwap(0, fitting|closed) {
		return ErrBusy
	}
	return nil
}

// EndFit marks the end of a Fit.
func (u *Guard) EndFit() {
	for {
		n := u.n.Load()
		if u.n.CompareAndSwap(n, n&^(fitting|closed)) {
			return
		}
	}
}

// BeginRead counts one more read of the weights; it fails with ErrBusy
// while Fit may write them. Each successful call needs an EndRead.
func (u *Guard) BeginRead() error {
	for {
		n := u.n.Load()
		if n&closed != 0 {
			return ErrBusy
		}
		if u.n.CompareAndSwap(n, n+1) {
			return nil
		}
	}
}

// EndRead ends a read that BeginRead counted.
func (u *Guard) EndRead() { u.n.Add(-1) }

// Open lets reads in while Fit runs its callbacks.
func (u *Guard) Open() { u.n.Add(-closed) }

// Close waits for the reads let in by Open to end and shuts out new ones.
func (u *Guard) Close() {
	for i := 0; !u.n.CompareAndSwap(fitting, fitting|closed); i++ {
		if i < 16 {
			runtime.Gosched()
		} else {
			time.Sleep(50 * time.Microsecond)
		}
	}
}

// acquire is the guard of a call that reads the weights (Predict,
// Evaluate, Gradient, WriteTo): it fails with ErrBusy while Fit may change
// them; after it succeeds, release must follow. In eval.go:
//
//	if err := m.acquire(); err != nil {
//		return …, err
//	}
//	defer m.release()
func (m *Model[T]) acquire() error { return m.guard.BeginRead() }

// release ends a call that acquire let in.
func (m *Model[T]) release() { m.guard.EndRead() }

// Guard returns the model's guard, which a trainer holds for its whole run
// (BeginFit, EndFit) and opens to reads while its callbacks run (Open,
// Close); readers of the weights outside this package take BeginRead and
// EndRead. BeginFit, EndFit, Open and Close are for a trainer only: a
// reader that called them would let reads race with its steps.
func (m *Model[T]) Guard() *Guard { return &m.guard }
