package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/densetrain/densetrain/pkg/train"
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
	parts  barParts // what fits the terminal's width
	bar    *progressbar.ProgressBar
}

// barParts says which parts of the bar's line are shown.
type barParts struct{ rate, count, time bool }

// fitParts chooses the parts of the bar's line that fit a terminal of
// width columns with a bar of 10 columns at least — the rate, then the
// row count, then the times are left out as it narrows — so that the line
// never wraps, which would leave a line behind at every redraw. A width of
// 0 (unknown) shows every part.
func fitParts(width, epochs, rows int) barParts {
	p := barParts{rate: true, count: true, time: true}
	if width <= 0 {
		return p
	}
	digits := len(strconv.Itoa(max(epochs, rows)))
	need := func() int {
		n := len("epoch /  loss 123456.7890") + 2*len(strconv.Itoa(epochs)) // the description
		n += len(" 100% |") + 10 + len("| ")                                // the bar
		if p.rate {
			n += len(" 999.9k samples/s")
		}
		if p.count {
			n += 2*digits + len("(/) ")
		}
		if p.time {
			n += len(" [59m59s:59m59s]")
		}
		return n + 1 // the cursor's column
	}
	for _, drop := range []*bool{&p.rate, &p.count, &p.time} {
		if need() <= width {
			break
		}
		*drop = false
	}
	return p
}

// termWidth is the width of the terminal w writes to, or 0.
func termWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return width
}

func (p *progress) OnTrainBegin(s train.TrainState) error {
	p.rows = s.Samples()
	return nil
}

func (p *progress) OnEpochBegin(_ train.TrainState, epoch int) error {
	p.start = time.Now()
	p.parts = fitParts(termWidth(p.w), p.epochs, p.rows)
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", epoch, p.epochs)),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionSetRenderBlankState(true), // the total at once, even for an epoch shorter than the throttle
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetElapsedTime(p.parts.time),
		progressbar.OptionSetPredictTime(p.parts.time),
	}
	if p.parts.count {
		opts = append(opts, progressbar.OptionShowCount())
	}
	p.bar = progressbar.NewOptions(p.rows, opts...)
	return nil
}

func (p *progress) OnBatchEnd(_ train.TrainState, epoch, _, samples int, loss float64) error {
	d := fmt.Sprintf("epoch %d/%d loss %.4f", epoch, p.epochs, loss)
	if p.parts.rate {
		d += " " + rate(samples, time.Since(p.start))
	}
	p.bar.Describe(d)
	return p.bar.Set(samples)
}

func (p *progress) OnEpochEnd(_ train.TrainState, log *train.EpochLog) error {
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

// byteBar returns the callbacks of a progress bar of bytes read on w, for
// a long read such as a cache's build: size sets its total (0: unknown,
// a spinner), add moves it on.
func byteBar(w io.Writer, desc string) (size func(int64), add func(int)) {
	var bar *progressbar.ProgressBar
	size = func(n int64) {
		if n <= 0 {
			n = -1
		}
		bar = progressbar.NewOptions64(n, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(desc),
			progressbar.OptionShowBytes(true), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
	}
	add = func(n int) {
		if bar == nil {
			return
		}
		_ = bar.Add(n)
		if max := bar.GetMax64(); max > 0 && bar.State().CurrentNum >= max {
			_ = bar.Finish() // cleared: the lines after it start clean
		}
	}
	return size, add
}
