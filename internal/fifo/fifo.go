package fifo

import (
	"context"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// releaseFor bounds how long Open tries to release a wait it gave up: the
// waiting goroutine is in open(2) within microseconds of starting, so this
// is only reached if another process keeps the pipe busy.
const releaseFor = time.Second

// Open opens name as os.OpenFile(name, flag, 0) does. When name is a named
// pipe, the open waits for a peer; if ctx ends first, the wait is
// released and Open returns ctx's error (in a *fs.PathError), with no file
// left open and no goroutine left behind. flag is os.O_RDONLY or
// includes os.O_WRONLY (O_RDWR never waits).
func Open(ctx context.Context, name string, flag int) (*os.File, error) {
	st, err := os.Stat(name)
	if err != nil || st.Mode()&fs.ModeNamedPipe == 0 || flag&os.O_RDWR != 0 {
		return os.OpenFile(name, flag, 0)
	}
	if err := ctx.Err(); err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: ctx.Err()}
	}
	type result struct {
		f   *os.File
		err error
	}
	done := make(chan result, 1)
	go func() {
		f, err := os.OpenFile(name, flag, 0)
		done <- result{f, err}
	}()
	select {
	case r := <-done:
		return r.f, r.err
	case <-ctx.Done():
	}
	// A reader releases a waiting writer; a writer (which fails with ENXIO
	// until the reader is waiting) releases a waiting reader.
	other := os.O_WRONLY
	if flag&os.O_WRONLY != 0 {
		other = os.O_RDONLY
	}
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(releaseFor)
	for {
		if p, err := os.OpenFile(name, other|syscall.O_NONBLOCK, 0); err == nil {
			p.Close()
		}
		select {
		case r := <-done:
			if r.f != nil {
				r.f.Close()
			}
			return nil, &fs.PathError{Op: "open", Path: name, Err: ctx.Err()}
		case <-deadline:
			go func() { // the open returns when a peer comes
				if r := <-done; r.f != nil {
					r.f.Close()
				}
			}()
			return nil, &fs.PathError{Op: "open", Path: name, Err: ctx.Err()}
		case <-tick.C:
		}
	}
}
