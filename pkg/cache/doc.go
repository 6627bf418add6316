// Package cache keeps a CSV table as a binary block cache: parsed once, in
// bounded memory, then read as many times as training needs with no
// parse, from disk, whatever the table's size beside memory.
//
// # What it owns
//
// A cache is a directory of two files. rows.bin holds the rows in blocks
// of BlockRows rows (the last one shorter): the block's matrix rows
// (csvdata's values, in the schema's one-hot layout, NaN where a number is
// missing, in the training precision), then its targets (a float64 a row
// and target: the number, or for a text target the index of its value in
// the header's list), then each row's file line (8 bytes). cache.json,
// written last and only once rows.bin is whole, holds what csvdata's
// Summary says of the file, the source's size, modification and change
// times, inode and CRC-32C, the read options and precision the rows were made with, and a
// CRC-32C per block.
//
// Open reuses a cache whose source and options are those given, rebuilds
// one whose source changed (Options.Note says why), and refuses a damaged
// one with an error naming the file and the block. Each reads the blocks in
// order (verifying each one's checksum): prep fits its statistics over
// them. ReadRows reads rows by index with pread (no mmap: memory use is
// what the process holds, and an I/O error is an error, not a SIGBUS).
//
// # What it must not do
//
// It knows nothing of preprocessing or training: it gives raw rows.
package cache
