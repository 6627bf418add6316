package tabular

import (
	"errors"
	"io/fs"
	"os"
)

// checkCacheDir checks that dir (Config.Cache) can hold a cache before
// one is opened or built: a directory, a symbolic link to one, or a path
// not there yet (made then). Anything else is a *SettingError, found
// before a build would fail on it with a less clear message (open
// FILE/cache.json: not a directory; mkdir LINK: file exists).
func checkCacheDir(dir string) error {
	st, err := os.Stat(dir) // through symbolic links
	switch {
	case err == nil && st.IsDir():
		return nil
	case err == nil:
		return settingError("Cache", dir, "not a directory (%s)", fileKind(st.Mode()))
	case !errors.Is(err, fs.ErrNotExist):
		return settingError("Cache", dir, "%v", unwrapPath(err))
	}
	if to, lerr := os.Readlink(dir); lerr == nil {
		return settingError("Cache", dir, "a symbolic link to %s, which does not exist", to)
	}
	return nil
}

// fileKind names the kind of a file that is not a directory.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "mode " + m.Type().String()
}

// unwrapPath returns the cause of a path error, whose path the message
// names already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
