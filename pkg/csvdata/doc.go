// Package csvdata reads a CSV file with a header line into a contiguous
// float32 or float64 feature matrix and target columns, fast enough that
// loading is not where training time goes.
//
// The file is read twice, in fixed-size chunks: a first pass counts the
// records, so the matrix is allocated once at its final size; the second
// parses each chunk's records in parallel straight into their rows. Peak
// memory is the matrix plus a few chunk buffers.
//
// Numeric columns become matrix columns. A feature column whose first
// value is not a number is categorical and is one-hot encoded, one column
// per value (sorted). Targets are kept as numbers when every value is one,
// as strings otherwise. A UTF-8 byte order mark, CRLF line ends, quoted
// fields and blank lines are tolerated. Every rejected input gives a
// *ParseError naming the file, line and column, like encoding/csv's.
package csvdata
