// Package atomicfile writes output files so that readers see either the old
// content or the complete new one, never a partial file: the content goes
// to a temporary file in the same directory, which is synced and then
// renamed over the target.
//
// A symbolic link is followed: the file it points to is replaced and the
// link stays a link. A character device or a named pipe (/dev/null,
// /dev/stdout, a FIFO another process reads) is written in place, never
// replaced. Anything else that is not a regular file — a directory, a
// socket, a block device — is refused. Check says all this before any
// work is done, so that a long computation does not end in an error it
// could have had at its start.
package atomicfile
