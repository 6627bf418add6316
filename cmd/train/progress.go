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
// terminal — its total the training rows from the first epoch on, the
// running loss and the samples per second — and leaves the epoch's log
// line when the epoch ends.
type progress struct {
	w      io.Writer
	epochs int
	rows   int // training rows (TrainState.Samples)
	start  time.Time
	bar    *progressbar.ProgressBar
}

func (p *progress) OnTrainBegin(s nn.TrainState) error {
	p.rows = s.Samples()
	return nil
}

func (p *progress) OnEpochBegin(_ nn.TrainState, epoch int) error {
	p.start = time.Now()
	p.bar = progressbar.NewOptions(p.rows,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", epoch, p.epochs)),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetRenderBlankState(true), // the total at once, even for an epoch shorter than the throttle
		progressbar.OptionClearOnFinish(),
	)
	return nil
}

func (p *progress) OnBatchEnd(_ nn.TrainState, epoch, _, samples int, loss float64) error {
	p.bar.Describe(fmt.Sprintf("epoch %d/%d loss %.4f %s", epoch, p.epochs, loss, rate(samples, time.Since(p.start))))
	return p.bar.Set(samples)
}

func (p *progress) OnEpochEnd(_ nn.TrainState, log *nn.EpochLog) error {
	if err := p.bar.Finish(); err != nil {
		return err
	}
	fmt.Fprintln(p.w, log.Line(p.epochs))
	return nil
}

// rate writes samples per second, with k or M past a thousand or a million.
func rate(samples int, d time.Duration) string {
	if d <= 0 {
		return ""
	}
	r := float64(samples) / d.Seconds()
	switch {
	case r >= 1e6:
		return fmt.Sprintf("%.1fM samples/s", r/1e6)
	case r >= 1e3:
		return fmt.Sprintf("%.1fk samples/s", r/1e3)
	}
	return fmt.Sprintf("%.0f samples/s", r)
}
