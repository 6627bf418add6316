// Package atomicfile writes files so that readers see either the old
// content or the complete new one, never a partial file: the content goes
// to a temporary file in the same directory, which is synced and then
// renamed over the target.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write calls fn with a buffered writer on a temporary file next to path
// and, if fn and every write succeed, syncs the file, renames it to path
// and syncs the directory. The file gets mode 0644 (the existing file's
// mode when path exists). On any error the temporary file is removed and
// path is left untouched.
func Write(path string, fn func(io.Writer) error) (err error) {
	defer func() {
		// Errors name path, not the temporary file.
		var pe *os.PathError
		if errors.As(err, &pe) && pe.Path != path {
			err = &os.PathError{Op: pe.Op, Path: path, Err: pe.Err}
		}
	}()
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	mode := os.FileMode(0o644)
	if st, serr := os.Stat(path); serr == nil {
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
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		defer d.Close()
		if serr := d.Sync(); serr != nil {
			return fmt.Errorf("atomicfile: sync %s: %w", dir, serr)
		}
	}
	return nil
}
