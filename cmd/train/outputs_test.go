package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// snapshot records every file of dir (through no link) and its bytes.
func snapshot(t *testing.T, dir string) map[string]string {
	files := map[string]string{}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		st, err := os.Lstat(p)
		require.NoError(t, err)
		switch {
		case st.Mode()&os.ModeSymlink != 0:
			to, _ := os.Readlink(p)
			files[e.Name()] = "link to " + to
		case st.Mode().IsRegular():
			b, _ := os.ReadFile(p)
			files[e.Name()] = string(b)
		default:
			files[e.Name()] = st.Mode().Type().String()
		}
	}
	return files
}

// TestOutputPathsAreCheckedFirst: every output path of fit and predict
// is checked before any training, and a bad one is refused with exit 2
// and one line, every file (inputs, outputs, links, sockets) as it was.
func TestOutputPathsAreCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	iris, err := os.ReadFile("../../testdata/iris.csv")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(at("data.csv"), iris, 0o644))
	require.NoError(t, os.Symlink("data.csv", at("data-link.csv")))
	code, _, errText := runCLI("fit", "--data", at("data.csv"), "--out", at("model.st"), "--epochs", "1", "--quiet", "--hidden", "4")
	require.Equal(t, 0, code, errText)
	require.NoError(t, os.Symlink("model.st.ckpt", at("ckpt-link.csv")))
	require.NoError(t, os.Mkdir(at("adir"), 0o755))
	l, err := net.Listen("unix", at("sock"))
	require.NoError(t, err)
	defer l.Close()
	fit := func(args ...string) []string {
		return append([]string{"fit", "--data", at("data.csv"), "--epochs", "1", "--quiet", "--hidden", "4"}, args...)
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"out in a missing directory", fit("--out", at("none/m.st")), "--out: " + at("none/m.st") + ": the directory " + at("none") + ": no such file or directory"},
		{"history in a missing directory", fit("--out", at("model.st"), "--history", at("none/h.csv")), "--history: " + at("none/h.csv") + ": the directory"},
		{"plot in a missing directory", fit("--out", at("model.st"), "--plot", at("none/p.png")), "--plot: " + at("none/p.png") + ": the directory"},
		{"out is the data", fit("--out", at("data.csv")), "--out " + at("data.csv") + ": the same file as --data, which it would overwrite"},
		{"out is a link to the data", fit("--out", at("data-link.csv")), "the same file as --data"},
		{"out is the validation table", fit("--out", at("v.csv"), "--val", at("v.csv")), "the same file as --val"},
		{"history is out", fit("--out", at("h.csv"), "--history", at("h.csv")), "--history " + at("h.csv") + ": the same file as --out"},
		{"plot is out", fit("--out", at("p.png"), "--plot", at("p.png")), "--plot " + at("p.png") + ": the same file as --out"},
		{"history is the checkpoint", fit("--out", at("model.st"), "--checkpoint-every", "1", "--history", at("ckpt-link.csv")), "the same file as --checkpoint-every"},
		{"out is a directory", fit("--out", at("adir")), "--out: " + at("adir") + ": is a directory"},
		{"out is a socket", fit("--out", at("sock")), "not a regular file (a socket): refusing to replace it"},
		{"predictions over the data", []string{"predict", "--model", at("model.st"), "--data", at("data.csv"), "--out", at("data-link.csv")}, "the same file as --data"},
		{"predictions over the model", []string{"predict", "--model", at("model.st"), "--data", at("data.csv"), "--out", at("model.st")}, "the same file as --model"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := snapshot(t, dir)
			code, stdout, stderr := runCLI(c.args...)
			assert.Equal(t, 2, code, stderr)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, c.want)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
			assert.Equal(t, before, snapshot(t, dir), "files changed")
		})
	}
}

// TestOutputsThroughLinksAndDevices: a symbolic link as output keeps being
// a link, its target replaced; a device is written in place, never
// replaced (as root, one made with mknod; /dev/null for everyone).
func TestOutputsThroughLinksAndDevices(t *testing.T) {
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	require.NoError(t, os.WriteFile(at("target.st"), []byte("old"), 0o644))
	require.NoError(t, os.Symlink("target.st", at("link.st")))
	code, _, stderr := runCLI("fit", "--data", "../../testdata/iris.csv", "--out", at("link.st"), "--epochs", "1", "--quiet", "--hidden", "4")
	require.Equal(t, 0, code, stderr)
	st, err := os.Lstat(at("link.st"))
	require.NoError(t, err)
	assert.NotZero(t, st.Mode()&os.ModeSymlink, "still a link")
	b, _ := os.ReadFile(at("target.st"))
	assert.NotEqual(t, "old", string(b), "its target was written")

	devices := []string{os.DevNull}
	if os.Geteuid() == 0 {
		require.NoError(t, syscall.Mknod(at("null"), syscall.S_IFCHR|0o666, 1<<8|3)) // /dev/null's numbers
		devices = append(devices, at("null"))
	}
	for _, dev := range devices {
		for _, args := range [][]string{
			{"fit", "--data", "../../testdata/iris.csv", "--out", dev, "--epochs", "1", "--quiet", "--hidden", "4"},
			{"predict", "--model", at("target.st"), "--data", "../../testdata/iris.csv", "--out", dev},
		} {
			code, _, stderr := runCLI(args...)
			require.Equal(t, 0, code, stderr)
			st, err := os.Lstat(dev)
			require.NoError(t, err)
			assert.NotZero(t, st.Mode()&os.ModeCharDevice, "%s is still a device after %s", dev, args[0])
		}
	}
}

// A write error is never "bad input": a full disk is exit 1 with one line
// naming the output, whether the output is standard output or --out; a
// reader that leaves early is exit 141 (SIGPIPE's), both ways.
func TestWriteErrorsHaveOneExitCode(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	bin := binary(t)
	model := filepath.Join(t.TempDir(), "digits.safetensors")
	code, _, errOut := drive(t, bin, "fit", "--data", "../../testdata/digits.csv", "--epochs", "1", "--quiet", "--out", model)
	require.Equal(t, 0, code, errOut)
	predict := []string{"predict", "--model", model, "--data", "../../testdata/digits.csv"}

	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	require.NoError(t, err)
	defer full.Close()
	for _, c := range []struct {
		name string
		args []string
		out  *os.File
	}{
		{"stdout is /dev/full", predict, full},
		{"--out /dev/full", append(slices.Clone(predict), "--out", "/dev/full"), nil},
		{"export --out /dev/full", []string{"export", "--model", model, "--out", "/dev/full"}, nil},
		{"summary to /dev/full", []string{"summary", "--model", model}, full},
		{"summary --json to /dev/full", []string{"summary", "--model", model, "--json"}, full},
		{"evaluate to /dev/full", []string{"evaluate", "--model", model, "--data", "../../testdata/digits.csv"}, full},
		{"xor to /dev/full", []string{"xor", "--quiet", "--epochs", "3"}, full},
		{"help to /dev/full", []string{"help"}, full},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(bin, c.args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if c.out != nil {
				cmd.Stdout = c.out
			}
			err := cmd.Run()
			assert.Equal(t, 1, procExitCode(t, err), stderr.String())
			assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), stderr.String())
			assert.Contains(t, stderr.String(), "no space left on device")
		})
	}
	for _, c := range []struct {
		name string
		args []string
	}{{"stdout", predict}, {"--out /dev/stdout", append(slices.Clone(predict), "--out", "/dev/stdout")}} {
		t.Run("reader leaves, "+c.name, func(t *testing.T) {
			cmd := exec.Command(bin, c.args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			r, err := cmd.StdoutPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			_, err = io.ReadFull(r, make([]byte, 100))
			require.NoError(t, err)
			r.Close()
			err = cmd.Wait()
			if ws := cmd.ProcessState.Sys().(syscall.WaitStatus); ws.Signaled() {
				assert.Equal(t, syscall.SIGPIPE, ws.Signal())
			} else {
				assert.Equal(t, 141, procExitCode(t, err), stderr.String())
			}
			assert.Empty(t, stderr.String())
		})
	}
}

// fit --out /dev/stdout writes the model alone there: the closing line of
// metrics goes to stderr, so the file loads.
func TestFitModelToStdout(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "m.st"))
	require.NoError(t, err)
	cmd := exec.Command(bin, "fit", "--data", "../../testdata/iris.csv", "--epochs", "2", "--quiet", "--out", "/dev/stdout")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = f, &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	require.NoError(t, f.Close())
	assert.Contains(t, stderr.String(), "loss ")
	code, _, errOut := drive(t, bin, "summary", "--model", f.Name())
	assert.Equal(t, 0, code, errOut)
}
