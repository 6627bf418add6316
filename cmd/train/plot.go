package main

import (
	"context"
	"fmt"
	"image/color"
	"io"
	"math"

	"github.com/densetrain/densetrain/internal/atomicfile"
	"github.com/densetrain/densetrain/pkg/train"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// plotLoss draws the training and validation loss per epoch into a PNG
// file, written atomically.
func plotLoss(ctx context.Context, path string, h *train.History) error {
	p := plot.New()
	p.Title.Text = "loss per epoch"
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "loss"
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	for _, s := range []struct {
		name, key string
	}{{"train", "loss"}, {"validation", "val_loss"}} {
		vals := h.Values(s.key)
		if vals == nil {
			continue
		}
		pts := make(plotter.XYs, 0, len(vals))
		for i, v := range vals {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				pts = append(pts, plotter.XY{X: float64(i + 1), Y: v})
			}
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("--plot: %w", err)
		}
		line.Width = vg.Points(1.5)
		if s.key == "val_loss" {
			line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			line.Color = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
		}
		p.Add(line)
		p.Legend.Add(s.name, line)
	}
	wt, err := p.WriterTo(6*vg.Inch, 4*vg.Inch, "png")
	if err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	return atomicfile.WriteContext(ctx, path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}
