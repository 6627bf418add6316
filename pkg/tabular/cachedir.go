package tabular

import (
	"errors"
	"io/fs"
	"os"

	"github.com/densetrain/densetrain/internal/fileinfo"
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
		return settingError("Cache", dir, "not a directory (%s)", fileinfo.Kind(st.Mode()))
	case !errors.Is(err, fs.ErrNotExist):
		return settingError("Cache", dir, "%v", fileinfo.Cause(err))
	}
	if to, lerr := os.Readlink(dir); lerr == nil {
		return settingError("Cache", dir, "a symbolic link to %s, which does not exist", to)
	}
	return nil
}
