package parallel

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"

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

	task func(worker, i int) error
	n    int64
	next atomic.Int64
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
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers < 0 {
		return fmt.Errorf("parallel: %d workers, want at least 1", workers)
	}
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
		for err == nil {
			i := p.next.Add(1) - 1
			if i >= p.n {
				break
			}
			if err = p.ctx.Err(); err == nil {
				err = p.task(w, int(i))
			}
		}
		p.done <- err
	}
}

// Do runs task(worker, i) for every i in [0, n) on the workers and returns
// when all have finished. Tasks are handed out in increasing order of i to
// whichever worker is free; task must therefore give the same result
// whatever worker runs it. Each worker runs its tasks one at a time, so a
// task may use per-worker state indexed by worker without locking.
// Do returns the first error of a task, or the context's error once the
// context is cancelled (remaining tasks are then skipped). Do must be called
// from the goroutine running Run's body.
func (p *Pool) Do(n int, task func(worker, i int) error) error {
	if err := p.ctx.Err(); err != nil {
		return err
	}
	if n <= 0 {
		return nil
	}
	p.task, p.n = task, int64(n)
	p.next.Store(0)
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
	if err := p.ctx.Err(); err != nil {
		return err
	}
	return first
}
