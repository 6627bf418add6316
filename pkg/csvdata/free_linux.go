package csvdata

import (
	"os"

	"golang.org/x/sys/unix"
)

// freeSpace returns the bytes free to this user on f's file system, or
// −1 when unknown.
func freeSpace(f *os.File) int64 {
	var st unix.Statfs_t
	if unix.Fstatfs(int(f.Fd()), &st) != nil {
		return -1
	}
	return int64(st.Bavail) * st.Bsize
}
