package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomBytes is an endless stream of seeded random bytes.
type randomBytes struct{ rng *rand.Rand }

func (r randomBytes) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r.rng.Uint32())
	}
	return len(p), nil
}

// TestEndlessInputIsRefusedAtOnce: a device or pipe that never ends and
// holds no text is refused with one line naming what was given, as it is
// copied, rather than copied to the temporary directory until the disk is
// full. The timeout is generous: it only keeps a regression from hanging.
func TestEndlessInputIsRefusedAtOnce(t *testing.T) {
	bin := binary(t)
	out := filepath.Join(t.TempDir(), "m")
	cases := []struct {
		name, data string
		stdin      *randomBytes
		want       string
	}{
		{"/dev/zero", "/dev/zero", nil, "/dev/zero:1:1: NUL byte: not a text file"},
		{"/dev/urandom", "/dev/urandom", nil, "train fit: /dev/urandom:"},
		{"a pipe of random bytes", "-", &randomBytes{rand.New(rand.NewPCG(3, 4))}, "train fit: stdin:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "fit", "--data", c.data, "--quiet", "--out", out)
			if c.stdin != nil {
				cmd.Stdin = c.stdin
			}
			var e bytes.Buffer
			cmd.Stderr = &e
			err := cmd.Run()
			require.NoError(t, ctx.Err(), "the refusal came before the timeout")
			require.Error(t, err)
			assert.Equal(t, 2, procExitCode(t, err))
			assert.Equal(t, 1, strings.Count(e.String(), "\n"), "one line: %.300q", e.String())
			assert.Contains(t, e.String(), c.want)
		})
	}
}

// TestStreamErrorsNameTheStream: a copy of standard input that fails
// (here: beyond the file size limit) is reported for standard input,
// never by the name of the temporary file it was copied to.
func TestStreamErrorsNameTheStream(t *testing.T) {
	bin := binary(t)
	out := filepath.Join(t.TempDir(), "m")
	cmd := exec.Command("sh", "-c", `ulimit -f 64 && exec "$0" "$@"`, bin, "fit", "--data", "-", "--quiet", "--out", out)
	cmd.Stdin = strings.NewReader("a,b,y\n" + strings.Repeat("1,2,0\n3,4,1\n", 100_000))
	var e bytes.Buffer
	cmd.Stderr = &e
	err := cmd.Run()
	require.Error(t, err)
	assert.Equal(t, 2, procExitCode(t, err))
	assert.Equal(t, "train fit: stdin: copying it to the temporary directory (TMPDIR): write: file too large\n", e.String())
	assert.NotContains(t, e.String(), os.TempDir())
}
