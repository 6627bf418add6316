package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// interruptArgs is a fit long enough to be interrupted (several seconds),
// with plain per-epoch lines on stderr.
func interruptArgs(out string, extra ...string) []string {
	// One network: a run with checkpoints trains one by default, the run
	// without them an ensemble (digits has under 50 000 rows).
	return append([]string{"fit", "--data", "../../testdata/digits.csv", "--hidden", "64", "--batch", "2",
		"--epochs", "30", "--workers", "2", "--ensemble", "1", "--out", out}, extra...)
}

// startFit starts the binary and returns it with a channel that receives
// each stderr line; the stderr text is also collected in errText.
func startFit(t *testing.T, bin string, args []string, errText *bytes.Buffer) (*exec.Cmd, chan string) {
	cmd := exec.Command(bin, args...)
	pipe, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			errText.WriteString(sc.Text() + "\n")
			lines <- sc.Text()
		}
		close(lines)
	}()
	return cmd, lines
}

// waitFor reads lines until one starts with prefix.
func waitFor(t *testing.T, lines chan string, prefix string) {
	timeout := time.After(60 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			require.True(t, ok, "the run ended before printing %q", prefix)
			if strings.HasPrefix(l, prefix) {
				return
			}
		case <-timeout:
			t.Fatalf("no %q line within a minute", prefix)
		}
	}
}

func procExitCode(t *testing.T, err error) int {
	if err == nil {
		return 0
	}
	ee, ok := err.(*exec.ExitError)
	require.True(t, ok, "%v", err)
	return ee.ExitCode()
}

// TestKillAndResumeGiveTheUninterruptedModel: SIGKILL in the middle of
// training, then --resume from the last epoch checkpoint; and SIGINT and
// SIGTERM and SIGHUP, which stop after writing a checkpoint of the exact
// step (mid-epoch) and exit with 130, 143 and 129. Every resumed run writes the model file
// of the run that was never interrupted, byte for byte.
func TestKillAndResumeGiveTheUninterruptedModel(t *testing.T) {
	if testing.Short() {
		t.Skip("trains several times")
	}
	bin := binary(t)
	dir := t.TempDir()
	straight := filepath.Join(dir, "straight")
	code, _, errOut := drive(t, bin, interruptArgs(straight, "--quiet", "--history", straight+".csv")...)
	require.Equal(t, 0, code, errOut)
	want, err := os.ReadFile(straight)
	require.NoError(t, err)
	wantHist := historyWithoutTimes(t, straight+".csv")

	for _, c := range []struct {
		name string
		sig  syscall.Signal
		code int
	}{{"SIGKILL", syscall.SIGKILL, -1}, {"SIGINT", syscall.SIGINT, 130}, {"SIGTERM", syscall.SIGTERM, 143}, {"SIGHUP", syscall.SIGHUP, 129}} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, c.name)
			args := interruptArgs(out, "--checkpoint-every", "1")
			cmd, errText, err := signalInEpoch3(t, bin, args, c.sig)
			if c.sig == syscall.SIGKILL {
				ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
				require.True(t, ws.Signaled(), "killed: %v", err)
			} else {
				assert.Equal(t, c.code, procExitCode(t, err), errText.String())
				last := strings.TrimSpace(errText.String())
				last = last[strings.LastIndexByte(last, '\n')+1:]
				t.Log(last)
				assert.Contains(t, last, "interrupted by "+c.name)
				assert.Contains(t, last, "checkpoint "+out+".ckpt written")
				assert.NotContains(t, errText.String(), "goroutine", "no stack trace")
			}
			_, err = os.Stat(out)
			assert.True(t, os.IsNotExist(err), "an interrupted run wrote the model")
			_, err = os.Stat(out + ".ckpt")
			require.NoError(t, err, "no checkpoint to resume from")

			code, _, errOut := drive(t, bin, append(args, "--resume", "--quiet", "--history", out+".csv")...)
			require.Equal(t, 0, code, errOut)
			got, err := os.ReadFile(out)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(want, got), "the resumed run's model differs from the uninterrupted run's")
			assert.Equal(t, wantHist, historyWithoutTimes(t, out+".csv"), "the resumed run's history")
		})
	}
}

// signalInEpoch3 starts fit with args, sends it sig once epoch 3 runs
// (the epoch-1 checkpoint is on disk) and returns it once it has ended,
// with its stderr and its error.
func signalInEpoch3(t *testing.T, bin string, args []string, sig syscall.Signal) (*exec.Cmd, *bytes.Buffer, error) {
	var errText bytes.Buffer
	cmd, lines := startFit(t, bin, args, &errText)
	t.Cleanup(func() { cmd.Process.Kill() }) // if the test stops early
	waitFor(t, lines, "epoch 2/")
	time.Sleep(30 * time.Millisecond) // into epoch 3
	require.NoError(t, cmd.Process.Signal(sig))
	for range lines {
	}
	err := cmd.Wait()
	return cmd, &errText, err
}

// killAndResume runs fit with killed (its args, which write the model to
// out with checkpoints every epoch), kills it with SIGKILL in epoch 3,
// checks that it left a checkpoint and no model, runs fit with resumed
// and --resume, and returns the checkpoint the killed run left and the
// resumed run's model.
func killAndResume(t *testing.T, bin, out string, killed, resumed []string) (ckpt, model []byte) {
	t.Helper()
	cmd, _, _ := signalInEpoch3(t, bin, killed, syscall.SIGKILL)
	require.True(t, cmd.ProcessState.Sys().(syscall.WaitStatus).Signaled())
	ckpt, err := os.ReadFile(out + ".ckpt")
	require.NoError(t, err, "no checkpoint to resume from")
	_, err = os.Stat(out)
	require.True(t, os.IsNotExist(err), "a killed run wrote the model")
	code, _, errOut := drive(t, bin, append(resumed, "--resume", "--quiet")...)
	require.Equal(t, 0, code, errOut)
	model, err = os.ReadFile(out)
	require.NoError(t, err)
	return ckpt, model
}

// historyWithoutTimes reads a --history CSV without its timing columns.
func historyWithoutTimes(t *testing.T, path string) [][]string {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	var keep []int
	for i, h := range recs[0] {
		if !strings.HasSuffix(h, "seconds") {
			keep = append(keep, i)
		}
	}
	out := make([][]string, len(recs))
	for r, rec := range recs {
		for _, i := range keep {
			out[r] = append(out[r], rec[i])
		}
	}
	return out
}
