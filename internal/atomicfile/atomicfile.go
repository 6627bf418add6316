package atomicfile

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/densetrain/densetrain/internal/fifo"
	"github.com/densetrain/densetrain/internal/fileinfo"
)

// maxLinks bounds the symbolic links followed, as the kernel does.
const maxLinks = 40

// Target is an output path, checked.
type Target struct {
	// Path is the path as given, the one messages name.
	Path string
	// Real is the file that is written: Path with its symbolic links
	// followed (it may not exist yet).
	Real string
	// InPlace says Real is a character device, a named pipe or a file
	// reached through /proc/self/fd (/dev/stdout), written directly
	// (appended to) rather than replaced.
	InPlace bool
}

// Check resolves path and checks that it can be written: its directory
// exists and is writable, and it is a regular file, a new one, a character
// device or a named pipe — not a directory or any other kind of file.
func Check(path string) (Target, error) {
	t := Target{Path: path, Real: path}
	if path == "" {
		return t, errors.New("empty output path")
	}
	st, err := os.Stat(path) // through every link, /proc's magic ones too
	switch {
	case err == nil && st.IsDir():
		return t, fmt.Errorf("%s: is a directory", path)
	case err == nil && st.Mode()&(fs.ModeCharDevice|fs.ModeNamedPipe) != 0:
		t.InPlace = true
		if err := unix.Access(path, unix.W_OK); err != nil {
			return t, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return t, nil
	case err == nil && !st.Mode().IsRegular():
		return t, fmt.Errorf("%s: not a regular file (%s): refusing to replace it", path, fileinfo.Kind(st.Mode()))
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return t, &os.PathError{Op: "stat", Path: path, Err: fileinfo.Cause(err)}
	}
	real, viaProc, err := resolve(path)
	if err != nil {
		return t, err
	}
	t.Real = real
	if st != nil && viaProc {
		// A file reached through /proc/self/fd (/dev/stdout redirected to
		// a file): the descriptor's file is written, not replaced.
		t.Real, t.InPlace = path, true
		return t, nil
	}
	dir := filepath.Dir(real)
	dst, err := os.Stat(dir)
	switch {
	case err != nil:
		return t, fmt.Errorf("%s: the directory %s: %w", path, dir, fileinfo.Cause(err))
	case !dst.IsDir():
		return t, fmt.Errorf("%s: %s is not a directory", path, dir)
	}
	if err := unix.Access(dir, unix.W_OK); err != nil {
		return t, fmt.Errorf("%s: the directory %s is not writable: %w", path, dir, err)
	}
	return t, nil
}

// resolve follows the symbolic links of path's last element (and those
// its targets name), to the file that would be written: one that does not
// exist yet is fine. It says whether the way went through /proc.
func resolve(path string) (string, bool, error) {
	p, viaProc := path, false
	for range maxLinks {
		abs, _ := filepath.Abs(p)
		viaProc = viaProc || strings.HasPrefix(abs, "/proc/")
		st, err := os.Lstat(p)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			return p, viaProc, nil
		}
		to, err := os.Readlink(p)
		if err != nil {
			return "", false, err
		}
		if !filepath.IsAbs(to) {
			to = filepath.Join(filepath.Dir(p), to)
		}
		p = to
	}
	return "", false, fmt.Errorf("%s: too many levels of symbolic links", path)
}

// Write checks path (see Check), then calls fn with a buffered writer and,
// if fn and every write succeed, makes the output path's content: a
// regular file is written to a temporary file next to it, synced, renamed
// over it and its directory synced; a device or pipe is written in place.
// A new file gets mode 0644 (the existing file's mode when there is one).
// On any error the temporary file is removed and the file is left as it
// was. Errors name path, never the temporary file.
func Write(path string, fn func(io.Writer) error) error {
	return WriteContext(context.Background(), path, fn)
}

// WriteContext is Write whose wait for a named pipe's reader ends with
// ctx (the error then wraps ctx's error).
func WriteContext(ctx context.Context, path string, fn func(io.Writer) error) error {
	t, err := Check(path)
	if err != nil {
		return err
	}
	return t.WriteContext(ctx, fn)
}

// Write is the package's Write for a checked target.
func (t Target) Write(fn func(io.Writer) error) error {
	return t.WriteContext(context.Background(), fn)
}

// WriteContext is the package's WriteContext for a checked target.
func (t Target) WriteContext(ctx context.Context, fn func(io.Writer) error) (err error) {
	defer func() {
		err = rename(err, t)
	}()
	if t.InPlace {
		f, err := fifo.Open(ctx, t.Real, os.O_WRONLY|os.O_APPEND)
		if err != nil {
			return err
		}
		defer f.Close()
		w := bufio.NewWriterSize(f, 1<<20)
		if err := fn(w); err != nil {
			return err
		}
		if err := w.Flush(); err != nil {
			return err
		}
		return f.Close()
	}
	dir, base := filepath.Split(t.Real)
	if dir == "" {
		dir = "."
	}
	f, err := createTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			removeTemp(f.Name())
		}
	}()
	mode := os.FileMode(0o644)
	if st, serr := os.Stat(t.Real); serr == nil {
		mode = st.Mode().Perm()
	}
	if err = f.Chmod(mode); err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err = fn(w); err != nil {
		return err
	}
	if err = w.Flush(); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), t.Real); err != nil {
		return err
	}
	forget(f.Name())
	if d, derr := os.Open(dir); derr == nil {
		defer d.Close()
		if serr := d.Sync(); serr != nil {
			return fmt.Errorf("atomicfile: sync %s: %w", dir, serr)
		}
	}
	return nil
}

// rename makes the errors of writing t name t.Path instead of the
// temporary or real file. An error about another file — one that the
// writing function read, say — is left as it is.
func rename(err error, t Target) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe) && pe.Path != t.Path && t.writes(pe.Path):
		return &fs.PathError{Op: pe.Op, Path: t.Path, Err: pe.Err}
	case errors.As(err, &le):
		return &fs.PathError{Op: "replace", Path: t.Path, Err: le.Err}
	}
	return err
}

// writes reports whether p is a file that writing t touches: the real
// file, or a temporary file next to it.
func (t Target) writes(p string) bool {
	if p == t.Real {
		return true
	}
	dir, base := filepath.Split(t.Real)
	return filepath.Clean(filepath.Dir(p)) == filepath.Clean(dir+".") && strings.HasPrefix(filepath.Base(p), "."+base+".tmp-")
}

// The temporary files being written, so that a process stopped by a signal
// can remove them (RemoveTemps) before it exits.
var (
	tempMu sync.Mutex
	temps  = map[string]bool{}
)

func createTemp(dir, pattern string) (*os.File, error) {
	tempMu.Lock()
	defer tempMu.Unlock()
	f, err := os.CreateTemp(dir, pattern)
	if err == nil {
		temps[f.Name()] = true
	}
	return f, err
}

func removeTemp(name string) {
	tempMu.Lock()
	defer tempMu.Unlock()
	os.Remove(name)
	delete(temps, name)
}

func forget(name string) {
	tempMu.Lock()
	defer tempMu.Unlock()
	delete(temps, name)
}

// RemoveTemps removes the temporary files of the writes in progress; a
// process that exits at once on a signal calls it first. Writes still
// running then fail.
func RemoveTemps() {
	tempMu.Lock()
	defer tempMu.Unlock()
	for name := range temps {
		os.Remove(name)
		delete(temps, name)
	}
}
