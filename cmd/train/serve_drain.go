package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// hangupCancels returns ctx cancelled also by SIGHUP (the terminal closed,
// the ssh session dropped), with interrupted{SIGHUP} as its cause, so that
// serve drains its requests then as on SIGTERM; stop releases the signal.
func hangupCancels(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		select {
		case <-hup:
			cancel(interrupted{syscall.SIGHUP})
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(hup)
		cancel(nil)
	}
}

// drainCutOff is serve's error when requests were still running at the
// drain deadline: it is a cancellation by the signal (cause), so that the
// command exits with 128 + the signal's number, as one stopped by it.
type drainCutOff struct {
	cause    error // interrupted, normally
	deadline time.Duration
	requests int
	name     bool // name the signal (main did not catch it)
}

func (d drainCutOff) Error() string {
	s := "s"
	if d.requests == 1 {
		s = ""
	}
	msg := fmt.Sprintf("drain deadline %v passed; %d request%s cut off", d.deadline, d.requests, s)
	if i, ok := d.cause.(interrupted); ok && d.name {
		name := signalName(i.sig)
		if i.sig == syscall.SIGHUP {
			name = "SIGHUP"
		}
		msg = "interrupted by " + name + ": " + msg
	}
	return msg
}

// Unwrap makes the error a cancellation by its cause.
func (d drainCutOff) Unwrap() []error { return []error{context.Canceled, d.cause} }

// ExitCode is the cause's exit code (128 + the signal's number), else 1.
func (d drainCutOff) ExitCode() int {
	var c interface{ ExitCode() int }
	if errors.As(d.cause, &c) {
		return c.ExitCode()
	}
	return 1
}

// activeConns counts the server's connections that are in a request
// (http.StateActive): reading one, running its handler or answering.
type activeConns struct {
	mu     sync.Mutex
	active map[net.Conn]bool
}

// track is the server's ConnState hook.
func (a *activeConns) track(c net.Conn, s http.ConnState) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.active == nil {
		a.active = map[net.Conn]bool{}
	}
	if s == http.StateActive {
		a.active[c] = true
	} else {
		delete(a.active, c)
	}
}

// count is the number of active connections.
func (a *activeConns) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.active)
}
