package main

import (
	"context"
	"fmt"
	"image/color"
	"io"
	"math"

	"github.com/densetrain/densetrain/internal/atomicfile"
	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tabular"
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
	return writePlot(ctx, path, p, 6*vg.Inch, 4*vg.Inch)
}

// writePlot writes the plot, w by h, into a PNG file, atomically.
func writePlot(ctx context.Context, path string, p *plot.Plot, w, h vg.Length) error {
	wt, err := p.WriterTo(w, h, "png")
	if err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	return atomicfile.WriteContext(ctx, path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}

// maxPlotColumns is how many columns plotImportance draws at most: the
// first by mean importance.
const maxPlotColumns = 40

// plotImportance draws the mean importance of each column (the first
// maxPlotColumns) as a horizontal bar, the most important at the top,
// with its sd as an error bar, into a PNG file, written atomically.
func plotImportance(ctx context.Context, path string, imp *tabular.Importance) error {
	cols := imp.Columns[:min(len(imp.Columns), maxPlotColumns)]
	if len(cols) == 0 {
		return fmt.Errorf("--plot: no columns to draw")
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("permutation importance (%s drop, %d shuffles)", imp.Metric, imp.Repeats)
	if len(cols) < len(imp.Columns) {
		p.Title.Text += fmt.Sprintf(", top %d of %d columns", len(cols), len(imp.Columns))
	}
	p.X.Label.Text = "mean decrease in " + imp.Metric
	p.Add(plotter.NewGrid())
	n := len(cols)
	means, names := make(plotter.Values, n), make([]string, n)
	bars := &plotter.XErrorBars{XYs: make(plotter.XYs, n), XErrors: make(plotter.XErrors, n), LineStyle: plotter.DefaultLineStyle, CapWidth: plotter.DefaultCapWidth}
	for i, c := range cols { // bottom to top: the least important of those drawn first
		k := n - 1 - i
		means[k], names[k] = c.Mean, csvdata.ListName(c.Name)
		bars.XYs[k] = plotter.XY{X: c.Mean, Y: float64(k)}
		bars.XErrors[k].Low, bars.XErrors[k].High = c.SD, c.SD
	}
	bar, err := plotter.NewBarChart(means, vg.Points(10))
	if err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	bar.Horizontal = true
	bar.Color = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	bar.LineStyle.Width = 0
	p.Add(bar, bars)
	pad := 0.05 * (p.X.Max - p.X.Min) // room for the caps at the ends
	p.X.Max += pad
	if p.X.Min < 0 {
		p.X.Min -= pad
	}
	p.NominalY(names...)
	return writePlot(ctx, path, p, 6*vg.Inch, vg.Length(n)*0.25*vg.Inch+1.5*vg.Inch)
}
