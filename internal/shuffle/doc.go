// Package shuffle permutes and splits row indices as math/rand/v2 does —
// the same permutation from the same generator — but in steps that a
// context can stop: a shuffle of tens of millions of rows takes seconds,
// and a signal must be answered within a fraction of one.
package shuffle
