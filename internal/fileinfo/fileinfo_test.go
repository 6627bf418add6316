package fileinfo

import (
	"errors"
	"io/fs"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestKindAndCause(t *testing.T) {
	for m, want := range map[fs.FileMode]string{
		0o644:                             "a regular file",
		fs.ModeDevice | fs.ModeCharDevice: "a character device",
		fs.ModeDevice:                     "a block device",
		fs.ModeNamedPipe:                  "a named pipe",
		fs.ModeSocket:                     "a socket",
		fs.ModeSymlink:                    "mode L---------",
	} {
		assert.Equal(t, want, Kind(m))
	}
	cause := errors.New("gone")
	assert.Equal(t, cause, Cause(&os.PathError{Op: "open", Path: "x", Err: cause}))
	assert.Equal(t, cause, Cause(cause))
}
