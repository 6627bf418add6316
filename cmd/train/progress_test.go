package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/tabular"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The progress bar knows its total from the first epoch on (no spinner).
func TestProgressShowsTheTotalFromEpochOne(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{w: &buf, epochs: 2}
	_, err := tabular.Fit(context.Background(), tabular.File("../../testdata/iris.csv"),
		tabular.Config{Epochs: 2, Patience: -1, Callbacks: []nn.Callback{p}})
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
