// Package inflate decompresses gzip streams (RFC 1952 members around
// RFC 1951 deflate data), as compress/gzip does, in about half the CPU
// time of github.com/klauspost/compress/gzip, the fastest Go inflater
// before it.
//
// A gzip file is the slowest stage of reading a CSV file: one stream that
// one core must inflate, byte after byte, while the parse runs on the
// others. On a 2-vCPU AMD EPYC VM (2026-12-02, BenchmarkInflate, the
// three readers in one run, -count 3) the 236 MB mixed table of
// benchmarks/synth, gzipped (103 MB), inflates in 0.56–0.62 s here,
// 1.18–1.20 s with klauspost's reader and 1.47–1.50 s with compress/gzip;
// MNIST's training CSV, gzipped, in 85–97 ms against 188–191 ms and
// 234–237 ms.
//
// The decoder follows the design of Eric Biggers' libdeflate, not its
// code: Huffman codes are decoded by one lookup in a table indexed by
// the next 11 (literal/length) or 8 (distance) bits, with subtables for
// longer codes, each entry carrying the symbol's value, its code length
// and its count of extra bits; the bit buffer is refilled 8 bytes at a
// time without a branch; matches are copied a word at a time, into an
// output buffer with room to spare. The loop that does this needs 8
// bytes of input and 266 of output ahead of it, and the input is padded
// with zeros at its end, so a truncated stream is found by counting the
// bits taken, not by testing for the end at every symbol.
//
// Like compress/gzip, a Reader reads one member after another and checks
// each member's CRC-32 and size; it returns ErrHeader, ErrChecksum,
// io.ErrUnexpectedEOF for a stream cut short, or a CorruptError at the
// byte where the deflate data stops making sense. Unlike compress/gzip,
// and like GNU gzip -d, it ignores zero bytes after the last member, and
// names other bytes there a TrailingError (compress/gzip: ErrHeader, or
// io.ErrUnexpectedEOF when they are fewer than a header's 10).
package inflate
