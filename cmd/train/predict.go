package main

import (
	"context"
	"errors"
	"io"

	"github.com/densetrain/densetrain/internal/atomicfile"
	"github.com/densetrain/densetrain/pkg/tabular"
)

// predictCommand writes a model's predictions for a table as CSV
// (tabular.Predictions.WriteCSV, through encoding/csv) to stdout or,
// atomically, to --out, which is checked before anything is read. A
// signal stops the output: nothing is left at --out.
func predictCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, u := newUseFlags("predict", "CSV file to predict; the target columns may be absent")
	out := fs.String("out", "", "write the predictions to this CSV file instead of stdout")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	var outs []namedPath
	if *out != "" {
		outs = append(outs, namedPath{"out", *out})
	}
	m, o, err := u.open(stderr, outs...)
	if err != nil {
		return err
	}
	// The table is read and predicted a part at a time (tabular's
	// PredictParts), so that a file of any size takes the memory of a
	// part; what it reads wrong is the user's error (inputFailure keeps it
	// apart from the output's).
	write := func(w io.Writer) error {
		pw := tabular.NewPredictionWriter(ctxWriter{ctx, w})
		if err := m.PredictParts(ctx, source(u.data), o, pw.Write); err != nil {
			if errors.As(err, new(*tabular.InputError)) {
				return inputFailure{err}
			}
			return err
		}
		return pw.Flush()
	}
	var err2 error
	if *out == "" {
		err2 = write(stdout)
	} else {
		err2 = atomicfile.WriteContext(ctx, *out, write)
	}
	if f, ok := err2.(inputFailure); ok {
		return userError(flagError(fs, f.err))
	}
	return writeError(err2)
}

// inputFailure carries an input error through an output's writer, hiding
// it from the writer's error wrapping (atomicfile names its own path in a
// *fs.PathError it finds).
type inputFailure struct{ err error }

func (f inputFailure) Error() string { return f.err.Error() }

// ctxWriter stops a long output when ctx is cancelled: its writes fail
// with the context's error.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
