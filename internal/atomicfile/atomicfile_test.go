package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func TestWriteReplacesWholeOrNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.bin")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o644))

	boom := errors.New("boom")
	err := Write(path, func(w io.Writer) error {
		_, _ = w.Write([]byte("half"))
		return boom
	})
	assert.ErrorIs(t, err, boom)
	got, _ := os.ReadFile(path)
	assert.Equal(t, "old", string(got))

	require.NoError(t, Write(path, func(w io.Writer) error {
		_, err := w.Write([]byte("new"))
		return err
	}))
	got, _ = os.ReadFile(path)
	assert.Equal(t, "new", string(got))
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm())
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 1, "no temporary file left behind")
}

func TestWriteIntoMissingDirectoryFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope", "f")
	err := Write(path, func(io.Writer) error { return nil })
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.Equal(t, path+": the directory "+filepath.Dir(path)+": no such file or directory", err.Error(), "names the file asked for")
}

func TestSymlinkIsFollowedAndKept(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.bin")
	link := filepath.Join(dir, "link.bin")
	require.NoError(t, os.WriteFile(real, []byte("old"), 0o600))
	require.NoError(t, os.Symlink("real.bin", link))
	require.NoError(t, Write(link, func(w io.Writer) error { _, err := w.Write([]byte("new")); return err }))
	st, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, st.Mode()&os.ModeSymlink, "the link stays a link")
	got, _ := os.ReadFile(real)
	assert.Equal(t, "new", string(got))
	st, _ = os.Stat(real)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "the target's mode is kept")
	// A dangling link: its target is created.
	dangling := filepath.Join(dir, "dangling")
	require.NoError(t, os.Symlink(filepath.Join(dir, "new.bin"), dangling))
	require.NoError(t, Write(dangling, func(w io.Writer) error { _, err := w.Write([]byte("x")); return err }))
	got, _ = os.ReadFile(filepath.Join(dir, "new.bin"))
	assert.Equal(t, "x", string(got))
	// A loop of links is an error, not a hang.
	require.NoError(t, os.Symlink("loop2", filepath.Join(dir, "loop1")))
	require.NoError(t, os.Symlink("loop1", filepath.Join(dir, "loop2")))
	_, err = Check(filepath.Join(dir, "loop1"))
	assert.ErrorContains(t, err, "too many levels of symbolic links")
}

func TestDevicesAndPipesAreWrittenInPlace(t *testing.T) {
	require.NoError(t, Write(os.DevNull, func(w io.Writer) error { _, err := w.Write([]byte("gone")); return err }))
	st, err := os.Stat(os.DevNull)
	require.NoError(t, err)
	assert.NotZero(t, st.Mode()&os.ModeCharDevice, "/dev/null is still a device")

	fifo := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, unix.Mkfifo(fifo, 0o600))
	got := make(chan string)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- string(b)
	}()
	require.NoError(t, Write(fifo, func(w io.Writer) error { _, err := w.Write([]byte("piped")); return err }))
	assert.Equal(t, "piped", <-got)
	st, err = os.Lstat(fifo)
	require.NoError(t, err)
	assert.NotZero(t, st.Mode()&os.ModeNamedPipe, "still a pipe")
}

func TestOtherKindsAreRefused(t *testing.T) {
	dir := t.TempDir()
	_, err := Check(dir)
	assert.EqualError(t, err, dir+": is a directory")
	sock := filepath.Join(dir, "s.sock")
	l, err := net.Listen("unix", sock)
	require.NoError(t, err)
	defer l.Close()
	err = Write(sock, func(io.Writer) error { t.Fatal("must not be called"); return nil })
	assert.EqualError(t, err, sock+": not a regular file (a socket): refusing to replace it")
	file := filepath.Join(dir, "f")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err = Check(filepath.Join(file, "x"))
	assert.ErrorContains(t, err, "not a directory")
	_, err = Check("")
	assert.Error(t, err)
}

func TestErrorsNeverNameTheTemporaryFile(t *testing.T) {
	m := Target{Path: "m.st", Real: "m.st"}
	err := rename(&os.LinkError{Op: "rename", Old: "./.m.st.tmp-123", New: "m.st", Err: unix.EXDEV}, m)
	assert.EqualError(t, err, "replace m.st: invalid cross-device link")
	err = rename(&os.PathError{Op: "write", Path: "./.m.st.tmp-123", Err: unix.ENOSPC}, m)
	assert.EqualError(t, err, "write m.st: no space left on device")
	link := Target{Path: "out/link.st", Real: "/data/real.st"}
	err = rename(&os.PathError{Op: "write", Path: "/data/.real.st.tmp-9", Err: unix.ENOSPC}, link)
	assert.EqualError(t, err, "write out/link.st: no space left on device")
}

// TestErrorsOfOtherFilesStay: an error the writing function returns about
// another file (an input it read) keeps that file's name.
func TestErrorsOfOtherFilesStay(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.csv")
	err := Write(out, func(io.Writer) error {
		return &os.PathError{Op: "read", Path: "input.csv", Err: unix.EIO}
	})
	assert.EqualError(t, err, "read input.csv: input/output error")
	_, serr := os.Stat(out)
	assert.True(t, os.IsNotExist(serr))
}

func TestRemoveTemps(t *testing.T) {
	dir := t.TempDir()
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- Write(filepath.Join(dir, "out"), func(w io.Writer) error {
			close(started)
			<-release
			_, err := w.Write([]byte("late"))
			return err
		})
	}()
	<-started
	entries, _ := os.ReadDir(dir)
	require.Len(t, entries, 1, "the temporary file exists while writing")
	RemoveTemps()
	entries, _ = os.ReadDir(dir)
	assert.Empty(t, entries)
	close(release)
	assert.Error(t, <-done, "the write cannot complete once its file is gone")
	entries, _ = os.ReadDir(dir)
	assert.Empty(t, entries)
}

// TestProcFdIsWrittenInPlace: /dev/stdout redirected to a file is
// /proc/self/fd/1, a link to that file: it is written through the
// descriptor, not replaced by a new file the shell does not hold.
func TestProcFdIsWrittenInPlace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "redirected")
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	before, err := f.Stat()
	require.NoError(t, err)
	fd := fmt.Sprintf("/proc/self/fd/%d", f.Fd())
	tg, err := Check(fd)
	require.NoError(t, err)
	assert.True(t, tg.InPlace)
	require.NoError(t, Write(fd, func(w io.Writer) error { _, err := w.Write([]byte("rows\n")); return err }))
	after, err := os.Stat(path)
	require.NoError(t, err)
	assert.True(t, os.SameFile(before, after), "the same file, not a new one renamed over it")
	got, _ := os.ReadFile(path)
	assert.Equal(t, "rows\n", string(got))
}
