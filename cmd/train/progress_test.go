package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/densetrain/densetrain/pkg/tabular"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/schollz/progressbar/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The progress bar knows its total from the first epoch on (no spinner).
func TestProgressShowsTheTotalFromEpochOne(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{w: &buf, epochs: 2}
	_, err := tabular.Fit(context.Background(), tabular.File("../../testdata/iris.csv"),
		tabular.Config{Epochs: 2, Ensemble: 1, NoEarlyStopping: true, Callbacks: []train.Callback{p}})
	require.NoError(t, err)
	out := buf.String()
	first := out[:strings.Index(out, "epoch 1/2 loss")]
	assert.Contains(t, first, "/150)", "epoch 1's bar has its total: %q", first)
	assert.Contains(t, out, "epoch 2/2 loss")
}

func TestRate(t *testing.T) {
	assert.Equal(t, "", rate(10, 0))
	assert.Equal(t, "500 samples/s", rate(1000, 2*time.Second))
	assert.Equal(t, "52.3k samples/s", rate(52300, time.Second))
	assert.Equal(t, "1.5M samples/s", rate(3_000_000, 2*time.Second))
}

// The bar's line fits the terminal: the parts left out as it narrows keep
// the widest line (a 10-column bar, the longest description) within it;
// on terminals too narrow for any part, progressbar narrows the bar.
func TestBarFitsTheTerminal(t *testing.T) {
	assert.Equal(t, barParts{true, true, true}, fitParts(0, 200, 60000), "unknown width")
	assert.Equal(t, barParts{true, true, true}, fitParts(150, 200, 60000))
	assert.Equal(t, barParts{}, fitParts(30, 200, 60000))
	for _, width := range []int{30, 45, 50, 60, 66, 75, 80, 100, 150} {
		parts := fitParts(width, 200, 7_199_999)
		var buf bytes.Buffer
		opts := []progressbar.Option{progressbar.OptionSetWriter(&buf), progressbar.OptionSetWidth(10),
			progressbar.OptionSetElapsedTime(parts.time), progressbar.OptionSetPredictTime(parts.time)}
		if parts.count {
			opts = append(opts, progressbar.OptionShowCount())
		}
		bar := progressbar.NewOptions(7_199_999, opts...)
		d := "epoch 200/200 loss 123456.7890"
		if parts.rate {
			d += " " + rate(999_900, time.Second)
		}
		bar.Describe(d)
		require.NoError(t, bar.Set(7_199_998))
		longest := 0
		for _, line := range strings.Split(buf.String(), "\r") {
			longest = max(longest, utf8.RuneCountInString(strings.TrimRight(line, " ")))
		}
		if parts != (barParts{}) { // a part is shown only where a 10-column bar fits beside it
			assert.Less(t, longest, width, "width %d, parts %+v: %q", width, parts, buf.String())
		}
		if width >= 40 { // the rest of the line fits: progressbar narrows the bar itself on a terminal
			assert.Less(t, longest-10, width, "width %d, parts %+v: %q", width, parts, buf.String())
		}
	}
}
