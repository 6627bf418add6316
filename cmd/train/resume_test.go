package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestResumeWithAnotherLearningRate: fit --resume with another --lr trains
// on at the new rate, says so in one stderr line, and the history shows it.
func TestResumeWithAnotherLearningRate(t *testing.T) {
	bin := binary(t)
	out := filepath.Join(t.TempDir(), "m")
	args := []string{"fit", "--data", "../../testdata/iris.csv", "--checkpoint-every", "1", "--lr-schedule", "constant", "--out", out, "--quiet"}
	code, _, errOut := drive(t, bin, append(args, "--epochs", "2")...)
	require.Equal(t, 0, code, errOut)
	args[len(args)-1] = "--history=" + out + ".csv" // not quiet: notices and epoch lines on stderr
	code, _, errOut = drive(t, bin, append(args, "--epochs", "3", "--resume", "--lr", "0.0004")...)
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	assert.Equal(t, "resuming after epoch 2 with learning rate 0.0004: the checkpoint's run was given 0.001 (and was at 0.001)", lines[0])
	assert.Equal(t, 1, strings.Count(errOut, "resuming"))
	hist := historyWithoutTimes(t, out+".csv")
	lr := len(hist[0]) - 1
	require.Equal(t, "lr", hist[0][lr])
	assert.Equal(t, []string{"0.001", "0.001", "0.0004"}, []string{hist[1][lr], hist[2][lr], hist[3][lr]})
}
