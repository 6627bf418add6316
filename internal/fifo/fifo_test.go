package fifo

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func mkfifo(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "pipe")
	require.NoError(t, syscall.Mkfifo(p, 0o600))
	return p
}

// A cancelled context ends the wait for a peer, for readers and writers,
// with the context's cause and no goroutine left (goleak).
func TestCancelReleasesTheWait(t *testing.T) {
	stop := errors.New("stopped by the test")
	for _, flag := range []int{os.O_RDONLY, os.O_WRONLY | os.O_APPEND} {
		p := mkfifo(t)
		ctx, cancel := context.WithCancelCause(context.Background())
		time.AfterFunc(50*time.Millisecond, func() { cancel(stop) })
		f, err := Open(ctx, p, flag)
		assert.Nil(t, f)
		assert.ErrorIs(t, err, context.Canceled, "flag %#x", flag)
		assert.ErrorContains(t, err, p)
	}
}

// With a peer, Open opens the pipe as os.OpenFile does.
func TestPeerArrives(t *testing.T) {
	p := mkfifo(t)
	go func() {
		time.Sleep(20 * time.Millisecond)
		w, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err == nil {
			w.Write([]byte("a,b\n"))
			w.Close()
		}
	}()
	f, err := Open(context.Background(), p, os.O_RDONLY)
	require.NoError(t, err)
	defer f.Close()
	b, err := io.ReadAll(f)
	require.NoError(t, err)
	assert.Equal(t, "a,b\n", string(b))
}

// Regular files and missing ones behave as with os.OpenFile.
func TestRegularFiles(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(p, []byte("x"), 0o644))
	f, err := Open(context.Background(), p, os.O_RDONLY)
	require.NoError(t, err)
	f.Close()
	_, err = Open(context.Background(), p+"-missing", os.O_RDONLY)
	assert.ErrorIs(t, err, os.ErrNotExist)
}
