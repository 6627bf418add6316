package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/densetrain/densetrain/internal/atomicfile"
	"github.com/densetrain/densetrain/pkg/train"
)

// writeHistory writes the per-epoch history as CSV (one column per logged
// quantity) or JSON lines, atomically; a named pipe's wait for its reader
// ends with ctx.
func writeHistory(ctx context.Context, path string, h *train.History) error {
	if len(h.Epochs) == 0 {
		return nil
	}
	first := h.Epochs[0]
	names := []string{"loss"}
	names = append(names, slices.Sorted(maps.Keys(first.Metrics))...)
	if !math.IsNaN(first.ValLoss) {
		names = append(names, "val_loss")
		for _, k := range slices.Sorted(maps.Keys(first.ValMetrics)) {
			names = append(names, "val_"+k)
		}
	}
	names = append(names, "lr")
	if strings.HasSuffix(path, ".csv") {
		return atomicfile.WriteContext(ctx, path, func(w io.Writer) error { return historyCSV(w, names, h) })
	}
	return atomicfile.WriteContext(ctx, path, func(w io.Writer) error {
		for _, e := range h.Epochs {
			rec := map[string]any{"epoch": e.Epoch, "seconds": e.Duration.Seconds(), "train_seconds": e.TrainTime.Seconds()}
			for _, n := range names {
				if v, ok := e.Value(n); ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
					rec[n] = v
				}
			}
			b, err := json.Marshal(rec)
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintf(w, "%s\n", b); err != nil {
				return err
			}
		}
		return nil
	})
}

// historyCSV writes the history as CSV through encoding/csv: the epoch,
// the quantities named, and the epoch's times.
func historyCSV(w io.Writer, names []string, h *train.History) error {
	cw := csv.NewWriter(w)
	rec := append(append([]string{"epoch"}, names...), "seconds", "train_seconds")
	if err := cw.Write(rec); err != nil {
		return err
	}
	for _, e := range h.Epochs {
		rec = append(rec[:0], strconv.Itoa(e.Epoch))
		for _, n := range names {
			v, _ := e.Value(n)
			rec = append(rec, strconv.FormatFloat(v, 'g', -1, 64))
		}
		rec = append(rec, strconv.FormatFloat(e.Duration.Seconds(), 'f', 4, 64), strconv.FormatFloat(e.TrainTime.Seconds(), 'f', 4, 64))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
