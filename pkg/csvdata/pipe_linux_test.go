package csvdata

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestNamedPipe: a path that cannot be read at any offset (a FIFO, as
// the shell's <(zcat data.csv.gz) gives) is copied to a spool and read
// like a file.
func TestNamedPipe(t *testing.T) {
	content := "a,c,y\n1,,0\n2,blue,1\n3,red,0\n"
	want, err := Read[float32](write(t, content), Options{})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, unix.Mkfifo(path, 0o600))
	go func() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		_, _ = f.WriteString(content)
		_ = f.Close()
	}()
	got, err := Read[float32](path, Options{})
	require.NoError(t, err)
	assert.Equal(t, want.X, got.X)
	assert.Equal(t, want.Schema, got.Schema)
	// A directory is refused by name.
	_, err = Read[float32](t.TempDir(), Options{})
	assert.ErrorContains(t, err, "is a directory")
}
