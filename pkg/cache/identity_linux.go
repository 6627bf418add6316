package cache

import (
	"io/fs"
	"syscall"
)

// changeOf returns the file's change time (ctime, which tools that copy a
// file with its modification time — cp -p, rsync -t — cannot set back)
// and its inode.
func changeOf(st fs.FileInfo) (int64, uint64) {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return s.Ctim.Nano(), s.Ino
	}
	return 0, 0
}
