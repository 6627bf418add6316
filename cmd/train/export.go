package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/densetrain/densetrain/internal/atomicfile"
	"github.com/densetrain/densetrain/pkg/tabular"
)

// exportCommand writes a model's ONNX form, with its preprocessing and
// label decoding inside (tabular.Model.ExportONNX). The output path is
// checked before the model is read; a model that cannot be exported (a
// custom layer, a padded category) is bad input that names the model:
// exit 2, nothing written; a failed write is exit 1.
func exportCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export")
	model := fs.String("model", "", "model file written by train fit (required)")
	out := fs.String("out", "", "ONNX file to write, atomically (required)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := requireFlags(namedPath{"model", *model}, namedPath{"out", *out}); err != nil {
		return err
	}
	if err := checkOutputs([]namedPath{{"out", *out}}, []namedPath{{"model", *model}}); err != nil {
		return usageError(err)
	}
	m, err := loadModel(*model)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var onnx bytes.Buffer // made whole first: a model ONNX cannot express opens nothing
	if err := m.WriteONNX(&onnx); err != nil {
		if errors.As(err, new(*tabular.InputError)) {
			return usageError(fmt.Errorf("--model %s: %w", *model, err))
		}
		return err
	}
	return writeError(atomicfile.WriteContext(ctx, *out, func(w io.Writer) error { _, err := w.Write(onnx.Bytes()); return err }))
}
