// Package fileinfo names what messages about files need: the kind of a
// file, and the cause of an error about a path the message names itself.
package fileinfo

import (
	"errors"
	"io/fs"
)

// Kind names the kind of a file that is not a directory: "a regular
// file", "a character device", "a block device", "a named pipe", "a
// socket", else its mode.
func Kind(m fs.FileMode) string {
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

// Cause returns the cause of a path error, for a message that names the
// path itself (err when it is none).
func Cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
