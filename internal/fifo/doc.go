// Package fifo opens files that may be named pipes (FIFOs) so that a
// context can stop the wait: opening a pipe blocks until a peer opens its
// other end, in a system call that no signal handler of a Go program can
// interrupt. Open releases such a wait by opening the other end itself,
// without waiting, and closing it at once.
//
// It owns nothing else: reading and writing the file are the caller's.
package fifo
