package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/densetrain/densetrain/internal/atomicfile"
	"github.com/densetrain/densetrain/pkg/nn"
)

// writeHistory writes the per-epoch history as CSV (one column per logged
// quantity) or JSON lines, atomically.
func writeHistory(path string, h *nn.History) error {
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
	return atomicfile.Write(path, func(w io.Writer) error {
		csv := strings.HasSuffix(path, ".csv")
		if csv {
			fmt.Fprintf(w, "epoch,%s,seconds,train_seconds\n", strings.Join(names, ","))
		}
		for _, e := range h.Epochs {
			if csv {
				fmt.Fprintf(w, "%d", e.Epoch)
				for _, n := range names {
					v, _ := e.Value(n)
					fmt.Fprintf(w, ",%s", strconv.FormatFloat(v, 'g', -1, 64))
				}
				fmt.Fprintf(w, ",%.4f,%.4f\n", e.Duration.Seconds(), e.TrainTime.Seconds())
				continue
			}
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
