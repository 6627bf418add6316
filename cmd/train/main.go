// Command train is densetrain's command-line tool: it trains Dense networks
// on CSV files and uses the models it saves.
//
// Usage:
//
//	train fit --data FILE [--target COL] [flags]    train and save a model
//	train cv --data FILE [--folds K] [fit's flags]   cross-validate: per-fold metrics, mean ± sd
//	train cache --data FILE --cache DIR              parse once into a block cache (fit --cache DIR)
//	train predict --model MODEL --data FILE [--out FILE]
//	train evaluate --model MODEL --data FILE [--json]
//	train importance --model MODEL --data FILE [--repeats N] [--json] [--out FILE.csv|.json] [--plot FILE.png]
//	train summary --model MODEL [--json]
//	train export --model MODEL --out FILE.onnx       the model as ONNX, preprocessing inside
//	train serve --model MODEL [--addr HOST:PORT]     serve it over HTTP (KServe V2)
//	train xor [flags]                                 the tutorial's XOR demo
//	train help
//
// Results go to stdout, logs and progress to stderr. Exit codes: 0 success,
// 1 training or writing an output failed (it diverged, the disk is full),
// 2 bad usage or bad input, 141 a broken pipe (the reader of an output left),
// 130, 143 and 129 stopped by SIGINT, SIGTERM and SIGHUP (fit writes a
// checkpoint first when it has --checkpoint-every; serve drains).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/densetrain/densetrain/internal/atomicfile"
)

const usage = `usage: train <command> [flags]

commands:
  fit         train a model on a CSV file and save it
  cv          cross-validate fit's settings on a CSV file: k folds, metrics, mean ± sd
  cache       build the binary block cache of a CSV file (fit --cache trains from it)
  predict     write a model's predictions for a CSV file
  evaluate    report a model's loss and metrics on a CSV file
  importance  rank a CSV file's columns by permutation importance for a model
  summary     describe a saved model
  export      write a model as ONNX, with its preprocessing inside
  serve       serve a model over HTTP (KServe V2 inference protocol)
  xor         train the tutorial's XOR network and print its predictions
  help        show this help

run "train <command> -h" for a command's flags
`

// usageErr marks errors that are the user's: bad flags or bad input files
// (exit code 2).
type usageErr struct{ err error }

func (u usageErr) Error() string { return u.err.Error() }
func (u usageErr) Unwrap() error { return u.err }

// usageError marks err as a usage error.
func usageError(err error) error { return usageErr{err} }

// writeErr marks an error while writing an output (disk full, I/O error, a
// reader gone): exit code 1 — the input and the flags were fine — or 141
// for a broken pipe, as SIGPIPE ends a program writing to standard output.
// An output that cannot be created at all is found before any work by
// checkOutputs, and is a usage error.
type writeErr struct{ err error }

func (w writeErr) Error() string { return w.err.Error() }
func (w writeErr) Unwrap() error { return w.err }

// writeError marks err, from writing an output, as a write error; nil stays
// nil, and a cancellation by a signal stays what it is.
func writeError(err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	return writeErr{err}
}

// checkedWriter keeps the first error of its writes, so that a command
// whose results could not be written (a full disk) does not exit 0: fmt's
// printing functions return errors that commands do not look at.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}

// brokenPipe is the exit code of a write to a pipe whose reader has gone,
// 128 + SIGPIPE, silent as a program killed by SIGPIPE is.
const brokenPipe = 128 + int(syscall.SIGPIPE)

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP) // SIGHUP: the terminal closed, the ssh link dropped
	go func() {
		s, ok := <-sigs
		if !ok {
			return
		}
		cancel(interrupted{s.(syscall.Signal)})
		// A second signal stops the process at once, leaving no
		// temporary file behind.
		if s, ok = <-sigs; ok {
			atomicfile.RemoveTemps()
			os.Exit(interrupted{s.(syscall.Signal)}.ExitCode())
		}
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	signal.Stop(sigs)
	close(sigs)
	os.Exit(code)
}

// interrupted is the cause of the context's cancellation when a signal
// stops the command: it exits with 128 + the signal's number, as shells
// report a process killed by that signal (130 for SIGINT, 143 for SIGTERM,
// 129 for SIGHUP).
type interrupted struct{ sig syscall.Signal }

func (i interrupted) Error() string { return "interrupted by " + signalName(i.sig) }

// ExitCode is 128 + the signal's number; under MPI the other ranks exit
// with it too.
func (i interrupted) ExitCode() int { return 128 + int(i.sig) }

// signalName names the signals main catches as shells do (SIGINT, not
// "interrupt").
func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return s.String()
}

// commands maps each command's name to its function (one file each):
// flags in args, results on stdout, logs on stderr; an error's kind picks
// the exit code (exitCode).
var commands = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) error{
	"fit":        fitCommand,
	"cv":         cvCommand,
	"cache":      cacheCommand,
	"predict":    predictCommand,
	"evaluate":   evaluateCommand,
	"importance": importanceCommand,
	"summary":    summaryCommand,
	"export":     exportCommand,
	"serve":      serveCommand,
	"xor":        xorCommand,
}

// run executes a command line and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if _, err := fmt.Fprint(stdout, usage); err != nil {
			fmt.Fprintf(stderr, "train help: %v\n", err)
			return 1
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "train: unknown command %q (run \"train help\")\n", args[0])
		return 2
	}
	out := &checkedWriter{w: stdout}
	err := cmd(ctx, args[1:], out, stderr)
	if err == nil && out.err != nil { // a result that never reached standard output
		err = writeError(out.err)
	}
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, syscall.EPIPE):
		return brokenPipe
	}
	fmt.Fprintf(stderr, "train %s: %s\n", args[0], errorText(ctx, err))
	return exitCode(ctx, err)
}

// errorText is a command's error as it says it: an interruption by a
// signal as the signal and what it stopped, without Go's "context
// canceled" after it.
func errorText(ctx context.Context, err error) string {
	var sig interrupted
	if errors.Is(err, context.Canceled) && errors.As(context.Cause(ctx), &sig) {
		if what := strings.TrimSuffix(err.Error(), ": "+context.Canceled.Error()); what != context.Canceled.Error() {
			return fmt.Sprintf("%v: %s", sig, what)
		}
		return fmt.Sprint(sig)
	}
	return err.Error()
}

// exitCode is the exit code for a command's error: 0, 2 for bad usage or
// input, 128 + the signal's number when a signal stopped it, 141 for a
// broken pipe, else 1 (a failed training, a failed write).
func exitCode(ctx context.Context, err error) int {
	// This process's signal, else the one that stopped another MPI rank.
	var stop interface{ ExitCode() int }
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, context.Canceled) && (errors.As(context.Cause(ctx), &stop) || errors.As(err, &stop)) && stop.ExitCode() > 0:
		return stop.ExitCode()
	case errors.Is(err, syscall.EPIPE):
		return brokenPipe
	case errors.As(err, new(writeErr)):
		return 1
	case errors.As(err, new(usageErr)):
		return 2
	default:
		return 1
	}
}
