package parallel

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync/atomic"

	"github.com/densetrain/densetrain/internal/cpus"
	"golang.org/x/sync/errgroup"
)

// Pool is a fixed set of worker goroutines that run batches of indexed tasks
// for the coordinator goroutine. It exists only inside the body of Run.
//
// Dispatching a batch with Do allocates nothing, so a training loop can call
// it every step.
type Pool struct {
	ctx     context.Context
	workers int
	start   []chan struct{} // one per worker: a new batch is ready
	done    chan error      // one value per worker and batch
	quit    chan struct{}   // closed when the body of Run returns

	task       func(worker, i int) error
	n          int64
	next       atomic.Int64
	failed     atomic.Bool // a task failed: hand out no more
	mustFinish bool        // run every task even if the context is cancelled
	panicked   atomic.Pointer[string]
}

// Workers returns the number of worker goroutines.
func (p *Pool) Workers() int { return p.workers }

// Context returns the context the pool runs under.
func (p *Pool) Context() context.Context { return p.ctx }

// Run starts workers goroutines (GOMAXPROCS when workers is 0), calls body
// on the calling goroutine with a Pool that drives them, then stops the
// workers and waits for all of them. It returns body's error or, if body
// succeeded, the first error of a worker.
func Run(ctx context.Context, workers int, body func(*Pool) error) error {
	n, want := cpus.Workers(workers)
	if want != "" {
		return fmt.Errorf("parallel: %d workers: %s", workers, want)
	}
	workers = n
	g, gctx := errgroup.WithContext(ctx)
	p := &Pool{
		ctx:     gctx,
		workers: workers,
		start:   make([]chan struct{}, workers),
		done:    make(chan error, workers),
		quit:    make(chan struct{}),
	}
	for w := range workers {
		p.start[w] = make(chan struct{}, 1)
		g.Go(func() error { return p.work(w) })
	}
	err := func() error {
		defer close(p.quit) // stop the workers even if body panics
		return body(p)
	}()
	if werr := g.Wait(); err == nil {
		err = werr
	}
	return err
}

// work is the loop of worker w: wait for a batch, run tasks until none are
// left, report, repeat until quit.
func (p *Pool) work(w int) error {
	for {
		select {
		case <-p.quit:
			return nil
		case <-p.start[w]:
		}
		var err error
		for err == nil && !p.failed.Load() {
			i := p.next.Add(1) - 1
			if i >= p.n {
				break
			}
			if !p.mustFinish {
				err = p.ctx.Err()
			}
			if err == nil {
				err = p.run(w, int(i))
			}
		}
		if err != nil {
			p.failed.Store(true)
		}
		p.done <- err
	}
}

// errPanicked stands for a task's panic until Do re-raises it.
var errPanicked = errors.New("parallel: task panicked")

// run runs one task, turning a panic into errPanicked so that the worker
// survives to report and Do can re-raise it on the coordinator goroutine.
func (p *Pool) run(w, i int) (err error) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprintf("parallel: task %d on worker %d panicked: %v\n%s", i, w, r, debug.Stack())
			p.panicked.CompareAndSwap(nil, &msg)
			err = errPanicked
		}
	}()
	return p.task(w, i)
}

// Do runs task(worker, i) for every i in [0, n) on the workers and returns
// when all have finished. Tasks are handed out in increasing order of i to
// whichever worker is free; task must therefore give the same result
// whatever worker runs it. Each worker runs its tasks one at a time, so a
// task may use per-worker state indexed by worker without locking. A
// single task (n = 1) runs on the calling goroutine as worker 0, sparing
// two goroutine switches (a step of a batch of one lane, say).
//
// Do returns the first error of a task (no further tasks are started after
// it), or the context's error once the context is cancelled (remaining tasks
// are then skipped). A task's panic is re-raised by Do on the calling
// goroutine. Do must be called from the goroutine running Run's body.
func (p *Pool) Do(n int, task func(worker, i int) error) error {
	if err := p.ctx.Err(); err != nil {
		return err
	}
	return p.dispatch(n, task, false)
}

// Finish is Do for work that must not be left half done, such as applying
// an update: once started, every task runs even if the context is
// cancelled meanwhile. It still stops at a task's error.
func (p *Pool) Finish(n int, task func(worker, i int) error) error {
	return p.dispatch(n, task, true)
}

func (p *Pool) dispatch(n int, task func(worker, i int) error, mustFinish bool) error {
	if n <= 0 {
		return nil
	}
	if n == 1 { // one task: run it here, as worker 0 (idle meanwhile), with no hand-off
		err := task(0, 0)
		if cerr := p.ctx.Err(); cerr != nil && !mustFinish {
			return cerr
		}
		return err
	}
	p.task, p.n, p.mustFinish = task, int64(n), mustFinish
	p.next.Store(0)
	p.failed.Store(false)
	active := min(p.workers, n)
	for w := range active {
		p.start[w] <- struct{}{}
	}
	var first error
	for range active {
		if err := <-p.done; err != nil && first == nil {
			first = err
		}
	}
	p.task = nil
	if msg := p.panicked.Swap(nil); msg != nil {
		panic(*msg)
	}
	if err := p.ctx.Err(); err != nil && !mustFinish {
		return err
	}
	return first
}
