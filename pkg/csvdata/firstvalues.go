package csvdata

import "io"

// typeSampleBytes is how much of the data, from its start, is read to find
// each column's first present value (no more than a chunk): the guess of
// its type, which the whole file confirms.
const typeSampleBytes = 256 << 10

// firstValues finds, in the first typeSampleBytes of the data (from offset
// off, line line on), each column's first value that is not missing, for
// plan's guess of the column types. A column whose first value is missing
// would otherwise be guessed numeric, and read again if it holds text:
// for a gzip file, a second decompression. Records it cannot split are
// passed over: the parse reports them.
func (r *reader[T]) firstValues(off int64, line int) error {
	r.firstSeen = make([]cellAt, len(r.header))
	rd, err := r.src.open(off)
	if err != nil {
		return err
	}
	n := int64(min(typeSampleBytes, r.opt.ChunkBytes))
	if !r.src.gz && r.src.size > 0 { // a small text (a served request): no more than it
		n = min(n, max(r.src.size-off+1, 4096))
	}
	buf := make([]byte, n)
	k, err := fill(rd, buf)
	if err != nil && err != io.EOF {
		return r.src.readErr(err)
	}
	s32, e32, l32, _, _, _ := records(buf[:k], line, err == io.EOF, nil, nil, nil)
	starts, ends, lines := ints(s32, 0), ints(e32, 0), ints(l32, line)
	left := len(r.header)
	var fs []field
	for k := range starts {
		fs, _, err = splitFields(trimCR(buf[starts[k]:ends[k]]), fs[:0], r.sep)
		if err != nil {
			continue
		}
		for j, f := range fs[:min(len(fs), len(r.header))] {
			if v := f.value(); r.firstSeen[j].line == 0 && !r.isNA(v) {
				r.firstSeen[j] = cellAt{line: lines[k], col: f.col, value: string(v)}
				if left--; left == 0 {
					return nil
				}
			}
		}
	}
	return nil
}
