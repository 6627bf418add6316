package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/serve"
)

// servingGCPercent is the GC target of train serve unless GOGC is set.
const servingGCPercent = 400

// serveCommand serves a model over HTTP (package serve) until ctx is
// cancelled or SIGHUP comes: then it stops accepting connections, lets the
// requests in flight finish (--drain-timeout at most) and returns nil, so
// that SIGINT, SIGTERM and SIGHUP exit 0. Requests still running at the
// deadline are cut off, and the error says how many (exit 128 + the
// signal's number). Bad flags, a model that does not load and an address
// that cannot be listened on are usage errors.
func serveCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve")
	model := fs.String("model", "", "model file written by train fit (required)")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0: any free port, printed)")
	name := fs.String("name", "", "model name in the URLs (default: the model file's base name without extension)")
	maxBody := fs.Int64("max-body", serve.DefaultMaxBody, "largest request body in bytes, and inflated size of a gzip body (larger: 413); twice it bounds the bodies held at once (over it: wait, then 503)")
	maxRows := fs.Int("max-rows", serve.DefaultMaxRows, "most rows in one request (more: 413)")
	strict := fs.Bool("strict", false, "a category not seen in training is a 400 error (default: encoded as all zeros)")
	logRequests := fs.Bool("log-requests", false, "log one line per request to stderr")
	drain := fs.Duration("drain-timeout", 10*time.Second, "on SIGINT, SIGTERM or SIGHUP, how long requests in flight may take to finish")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := requireFlags(namedPath{"model", *model}); err != nil {
		return err
	}
	if _, port, err := net.SplitHostPort(*addr); err != nil || port == "" {
		// "" would listen on every interface at a random port.
		return usageError(fmt.Errorf("--addr %q: want HOST:PORT (127.0.0.1:8080; :8080 for every interface; port 0 for a free one)", *addr))
	}
	if *drain <= 0 {
		return usageError(fmt.Errorf("--drain-timeout must be > 0, not %v", *drain))
	}
	if *maxBody <= 0 {
		return usageError(fmt.Errorf("--max-body must be > 0, not %d", *maxBody))
	}
	if *maxRows <= 0 {
		return usageError(fmt.Errorf("--max-rows must be > 0, not %d", *maxRows))
	}
	if *name == "" {
		base := filepath.Base(*model)
		*name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	if *name == "" || strings.Contains(*name, "/") {
		return usageError(fmt.Errorf("--name %s: want a non-empty name without '/'", csvdata.Quote(*name)))
	}
	m, err := loadModel(*model)
	if err != nil {
		return err
	}
	if os.Getenv("GOGC") == "" {
		// A request leaves some 40 KB of garbage and the live heap is a
		// few MB: at the default GOGC=100 a collection would start every
		// hundred requests or so, and its pauses and background work on
		// two cores show in the latency tail. Five times the live heap
		// is still a few tens of MB. GOGC in the environment wins.
		debug.SetGCPercent(servingGCPercent)
	}
	o := serve.Options{Name: *name, Strict: *strict, MaxBody: *maxBody, MaxRows: *maxRows, Hints: serveHint}
	if *logRequests {
		o.Log = stderr
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return usageError(fmt.Errorf("--addr %s: %w", *addr, err))
	}
	var active activeConns
	srv := &http.Server{
		Handler:           serve.NewHandler(m, o),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ConnState:         active.track,
	}
	outer := ctx
	ctx, stop := hangupCancels(ctx)
	defer stop()
	fmt.Fprintf(stderr, "serving %s as %s on http://%s\n", *model, *name, ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), *drain)
	defer cancel()
	err = srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		n := active.count()
		srv.Close()
		if n > 0 {
			<-done
			// main names the signal it caught; SIGHUP, when only
			// serve caught it, is named by the error.
			return drainCutOff{cause: context.Cause(ctx), deadline: *drain, requests: n, name: outer.Err() == nil}
		}
		// Only connections that had not sent a request yet were
		// left (net/http waits 5 s for those): nothing was cut off.
		err = nil
	}
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	fmt.Fprintln(stderr, "stopped serving")
	return nil
}

// serveHint names the flags that change what a client's error advises: the
// server's --strict, and fit's --precision for a float64 model.
func serveHint(h csvdata.Hint) string {
	switch h.Field {
	case "Float64":
		return "--precision f64 (train fit)"
	case "Strict":
		return "the server's --strict"
	}
	return ""
}
