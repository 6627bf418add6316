package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress is a callback that draws one progress bar per epoch on a
// terminal, with the samples per second and the running loss, and leaves
// the epoch's log line when the epoch ends.
type progress struct {
	w      io.Writer
	epochs int
	rows   int // training rows, learnt in the first epoch (an open bar until then)
	bar    *progressbar.ProgressBar
}

func (p *progress) OnEpochBegin(_ nn.TrainState, epoch int) error {
	rows := p.rows
	if rows == 0 {
		rows = -1
	}
	p.bar = progressbar.NewOptions(rows,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", epoch, p.epochs)),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("samples"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
	return nil
}

func (p *progress) OnBatchEnd(_ nn.TrainState, epoch, _, samples int, loss float64) error {
	p.rows = max(p.rows, samples)
	p.bar.Describe(fmt.Sprintf("epoch %d/%d loss %.4f", epoch, p.epochs, loss))
	return p.bar.Set(samples)
}

func (p *progress) OnEpochEnd(_ nn.TrainState, log *nn.EpochLog) error {
	if err := p.bar.Finish(); err != nil {
		return err
	}
	fmt.Fprintln(p.w, log.Line(p.epochs))
	return nil
}
