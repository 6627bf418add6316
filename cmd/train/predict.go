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
	// part; what it reads wrong is the user's error.
	write := func(w io.Writer) error {
		pw := tabular.NewPredictionWriter(ctxWriter{ctx, w})
		if err := m.PredictParts(ctx, source(u.data), o, pw.Write); err != nil {
			return err
		}
		return pw.Flush()
	}
	if *out == "" {
		err = write(stdout)
	} else {
		err = atomicfile.WriteContext(ctx, *out, write)
	}
	if errors.As(err, new(*tabular.InputError)) {
		return userError(flagError(fs, err))
	}
	return writeError(err)
}

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
