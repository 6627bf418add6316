// Package csvdata reads a CSV table with a header line into a contiguous
// float32 or float64 feature matrix and target columns, fast enough that
// loading is not where training time goes. It knows nothing of models.
//
// # What it owns, and what it must not do
//
// Bytes to cells to columns: decompression, separators, quoting, NA tokens,
// type inference, the matrix, and errors that carry file, line and column.
// It knows no models, training or preprocessing fitted on rows, and names
// no command-line flag: its errors and hints name Options fields.
//
// # Inputs
//
// A file, plain or gzip (known by its magic bytes, whatever its name), or
// a stream (ReadFrom, or a path that is a pipe), which is first copied as it
// comes to an unlinked temporary file — checked on the way, so that what is
// not text (/dev/zero, a gzip stream of zeros) is refused at its first bytes,
// and bounded by Options.MaxSpoolBytes (by default most of the free space). Fields are separated by ',', ';', tab or '|',
// sniffed from the header (Options.Delimiter to say it). A UTF-8 byte order
// mark, CRLF line ends, quoted fields and blank lines are tolerated; bytes
// that are not UTF-8 in a text value are an error at their position.
// UTF-16 and UTF-32 text (by its byte-order mark, or the NUL bytes beside
// its ASCII letters) and CR-only line ends (old Mac text) are refused at
// the file's start, named, with the conversion that reads them. Every
// field is trimmed of surrounding spaces and tabs, quoted or not: a cell
// means the same to a reader that gets it without its quotes.
//
// # Reading
//
// The text is read once, in fixed-size chunks, decompressed on the way
// (internal/inflate, ahead of the reader in a goroutine of its own): a reader
// goroutine cuts the next chunk at record boundaries (and checks it is
// text: no NUL byte, no inner byte-order mark, no line longer than
// Options.MaxRecordBytes) while the workers parse the records of the one
// before straight into their rows of the final one-hot matrix. Runs of
// plain numbers go through vector kernels (internal/numscan, AVX2) where
// the CPU has them, with the same bits as the byte loop. The
// categories are those of a schema, or those of the first chunk, read for
// them before it is parsed; a category met only later goes through
// per-worker dictionaries, merged and sorted at the end, and the rows are
// then moved to the wider layout, so the result does not depend on the
// worker count. The rows are sized from the first chunk and the file's
// size (a gzip file's recorded size), growing by half if that falls short;
// their pages are transparent huge pages where the system has them, else
// faulted in before the workers write them (see prefault).
// Peak memory is the matrix (twice in that late-category case), a
// category code per text cell, a float64 per target (a string when it is
// text), a flag per row, and a few chunk buffers with their record index
// (12 bytes a record) — the lines are kept as runs of consecutive lines;
// it is checked against Options.MemoryBudget before it is allocated. A
// column's type is
// guessed from its first present value in the first 256 KiB, and the
// whole file confirms it: one missing there, and found to hold only text
// later, is read again as categories.
//
// A file larger than memory, or several files of one table, is read in
// parts (Open, OpenFiles): whole records, each part parsed as a file of
// the header and those records; Learn merges what the parts find into
// what a read of the whole would, and Parts reads them again with that
// schema, so that the parts' rows are the whole read's, bit for bit.
// ReadFiles reads several files into one Table that way.
//
// # Types and missing values
//
// A cell is missing when it is empty or one of DefaultNA and Options.NA.
// A column is numeric when every present value is a number — a missing
// number is NaN in the matrix — and categorical when none is: it is one-hot
// encoded, one matrix column per distinct value (sorted), the missing value
// being the category "". A column with both numbers and text is an error
// that names the column, counts each kind and points at the first text
// value; Options.Categorical forces text categories, Options.Ignore drops
// columns. A text column with more than Options.MaxCategories values, or
// with a distinct value in every row, is refused as an identifier. Targets
// are kept as numbers when every value is one, as strings otherwise; rows
// whose target is missing are skipped and counted.
//
// Under a Schema (prediction), columns are matched by name and a category
// the schema does not know is encoded as all zeros and counted per column
// (an error with Options.StrictCategories).
//
// Every rejected input gives a *ParseError naming the file, line and
// column, like encoding/csv's. One that advises a setting (a token for
// Options.NA, a column for Options.Ignore) holds a *HintError, whose
// Hints list the settings and whose message names them as fields of
// Options, or as Options.Hints renders them.
package csvdata
