package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/densetrain/densetrain/internal/atomicfile"
	"github.com/densetrain/densetrain/pkg/csvdata"
)

// A command's files: the ones it reads and the ones it writes, each with
// the flag that names it.
type namedPath struct{ flag, path string }

// checkOutputs checks, before any work, every file a command will write:
// it can be written (atomicfile.Check: its directory exists and is
// writable; it is not a directory, socket or block device), and it is not
// the same file as another output or as an input. Outputs are written
// independently at the end; after this check only the disk can fail them.
func checkOutputs(outs, ins []namedPath) error {
	for i, o := range outs {
		if _, err := atomicfile.Check(o.path); err != nil {
			return fmt.Errorf("--%s: %w", o.flag, csvdata.ShortPath(err))
		}
		for _, p := range outs[:i] {
			if sameFile(o.path, p.path) {
				return fmt.Errorf("--%s %s: the same file as --%s", o.flag, o.path, p.flag)
			}
		}
		for _, in := range ins {
			if in.path != "-" && in.path != "" && sameFile(o.path, in.path) {
				return fmt.Errorf("--%s %s: the same file as --%s, which it would overwrite", o.flag, o.path, in.flag)
			}
		}
	}
	return nil
}

// sameFile reports whether two paths name one file: the same device and
// inode when both exist, else the same absolute path once symbolic links
// are followed. Two character devices (/dev/null twice) are never the
// same output: nothing is replaced there.
func sameFile(a, b string) bool {
	sa, erra := os.Stat(a)
	sb, errb := os.Stat(b)
	if erra == nil && errb == nil {
		if sa.Mode()&os.ModeCharDevice != 0 {
			return false
		}
		return os.SameFile(sa, sb)
	}
	return real(a) == real(b)
}

// real is path made absolute with its symbolic links followed, as far as
// they lead to existing files.
func real(path string) string {
	ta, err := atomicfile.Check(path)
	p := path
	if err == nil {
		p = ta.Real
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	dir, base := filepath.Split(p)
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		p = filepath.Join(d, base)
	}
	return filepath.Clean(p)
}

// isStdout reports whether path names the file this process's standard
// output is (/dev/stdout, or the file or pipe it is redirected to).
func isStdout(path string) bool {
	out, err := os.Stdout.Stat()
	if err != nil {
		return false
	}
	st, err := os.Stat(path)
	return err == nil && os.SameFile(st, out)
}
