package nn

import (
	"errors"
	"runtime"
	"sync/atomic"
	"time"
)

// ErrBusy is the error of a call that would race with Fit on the same
// model: a second Fit, a Fit while Predict or Evaluate runs, or Predict,
// Evaluate, Gradient or WriteTo while Fit changes the weights — that is
// while Fit runs, but not while its callbacks run, when any goroutine may
// read the model (see Model).
var ErrBusy = errors.New("nn: the model is in use by Fit")

// use guards a Model against Fit racing with itself or with the calls that
// read the weights. It counts those reads in flight; Fit sets fitting for
// its whole run and closed while it may write the weights, that is all the
// time but while callbacks run.
type use struct{ n atomic.Int64 }

// The bits of use.n above the count of reads.
const (
	fitting = 1 << 62
	closed  = 1 << 61
)

// beginFit marks the start of a Fit; it fails with ErrBusy if another Fit,
// or a read, runs.
func (u *use) beginFit() error {
	if !u.n.CompareAndSwap(0, fitting|closed) {
		return ErrBusy
	}
	return nil
}

// endFit marks the end of a Fit.
func (u *use) endFit() {
	for {
		n := u.n.Load()
		if u.n.CompareAndSwap(n, n&^(fitting|closed)) {
			return
		}
	}
}

// beginRead counts one more read of the weights; it fails with ErrBusy
// while Fit may write them. Each successful call needs an endRead.
func (u *use) beginRead() error {
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

// endRead ends a read that beginRead counted.
func (u *use) endRead() { u.n.Add(-1) }

// open lets reads in while Fit runs its callbacks.
func (u *use) open() { u.n.Add(-closed) }

// close waits for the reads let in by open to end and shuts out new ones.
func (u *use) close() {
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
func (m *Model[T]) acquire() error { return m.use.beginRead() }

// release ends a call that acquire let in.
func (m *Model[T]) release() { m.use.endRead() }
