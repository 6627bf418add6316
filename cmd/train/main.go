// Command train is densetrain's command-line tool.
//
// Usage:
//
//	train xor [--epochs N] [--lr F] [--seed N] [--workers N] [--quiet]
//	train help
//
// xor trains the tutorial's XOR network (2→3 sigmoid, 3→4 sigmoid, 4→1
// linear, squared error, per-sample SGD) and prints its predictions as CSV on
// stdout; the per-epoch loss lines go to stderr. Exit codes: 0 success,
// 1 training failed, 2 bad usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

const usage = `usage: train <command> [flags]

commands:
  xor    train the tutorial's XOR network and print its predictions
  help   show this help

run "train <command> -h" for a command's flags
`

// usageErr marks errors that are the user's: exit code 2.
type usageErr struct{ err error }

func (u usageErr) Error() string { return u.err.Error() }
func (u usageErr) Unwrap() error { return u.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes a command line and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "xor":
		err = xorCommand(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "train: unknown command %q (run \"train help\")\n", args[0])
		return 2
	}
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageErr)):
		fmt.Fprintf(stderr, "train %s: %v\n", args[0], err)
		return 2
	default:
		fmt.Fprintf(stderr, "train %s: %v\n", args[0], err)
		return 1
	}
}

// usageError marks err as a usage error.
func usageError(err error) error { return usageErr{err} }
