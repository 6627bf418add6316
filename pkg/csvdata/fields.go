package csvdata

import (
	"bytes"
	"errors"
)

var (
	errBareQuote    = errors.New(`bare " in an unquoted field`)
	errUnterminated = errors.New(`quoted field not terminated`)
	errAfterQuote   = errors.New(`extraneous character after a closing quote`)
)

// field is one field of a record: its bytes (without surrounding quotes,
// still with doubled quotes inside) and its 1-based column in the line.
type field struct {
	b      []byte
	col    int
	quoted bool
}

// value returns the field's text trimmed of spaces and tabs, quoted or not
// (so that "WD " and WD are one value, as a reader of the same cell
// without its quotes takes them), quotes undoubled.
func (f field) value() []byte {
	if !f.quoted {
		return trimSpace(f.b)
	}
	if bytes.IndexByte(f.b, '"') < 0 {
		return trimSpace(f.b)
	}
	return trimSpace(bytes.ReplaceAll(f.b, []byte(`""`), []byte(`"`)))
}

// splitFields splits one record (without its line end) into fields at sep,
// appending to dst. It reports a syntax error with its 1-based column.
func splitFields(rec []byte, dst []field, sep byte) ([]field, int, error) {
	i := 0
	for {
		start := i
		if i < len(rec) && rec[i] == '"' {
			i++
			j := i
			for {
				k := bytes.IndexByte(rec[j:], '"')
				if k < 0 {
					return dst, start + 1, errUnterminated
				}
				j += k + 1
				if j < len(rec) && rec[j] == '"' {
					j++ // doubled quote
					continue
				}
				break
			}
			dst = append(dst, field{b: rec[i : j-1], col: start + 1, quoted: true})
			i = j
			if i < len(rec) && rec[i] != sep {
				return dst, i + 1, errAfterQuote
			}
		} else {
			k := bytes.IndexByte(rec[i:], sep)
			end := len(rec)
			if k >= 0 {
				end = i + k
			}
			if q := bytes.IndexByte(rec[i:end], '"'); q >= 0 {
				return dst, i + q + 1, errBareQuote
			}
			dst = append(dst, field{b: rec[i:end], col: start + 1})
			i = end
		}
		if i >= len(rec) {
			return dst, 0, nil
		}
		i++ // the separator
	}
}

// ints returns s's values plus add, as int.
func ints(s []int32, add int) []int {
	out := make([]int, len(s))
	for i, v := range s {
		out[i] = int(v) + add
	}
	return out
}

// records scans buf (under 2 GiB) for complete records and appends each
// one's start and end offsets (the end excludes the newline) and its line
// counted from line (its 1-based line number less line). Records end at a newline outside quotes; with final
// set, the end of buf ends one too. Blank records are skipped. It returns
// the offset just past the last complete record and the line number there,
// and whether buf holds a quote.
func records(buf []byte, line int, final bool, starts, ends, lines []int32) ([]int32, []int32, []int32, int, int, bool) {
	line0 := line
	if bytes.IndexByte(buf, '"') < 0 {
		starts, ends, lines, done, next := recordsNoQuotes(buf, line, final, starts, ends, lines)
		return starts, ends, lines, done, next, false
	}
	inQuote := false
	recStart, recLine := 0, line
	for i := 0; i < len(buf); i++ {
		switch buf[i] {
		case '"':
			inQuote = !inQuote
		case '\n':
			line++
			if inQuote {
				continue
			}
			if !blank(buf[recStart:i]) {
				starts, ends, lines = append(starts, int32(recStart)), append(ends, int32(i)), append(lines, int32(recLine-line0))
			}
			recStart, recLine = i+1, line
		}
	}
	if final {
		if recStart < len(buf) && !blank(buf[recStart:]) {
			starts, ends, lines = append(starts, int32(recStart)), append(ends, int32(len(buf))), append(lines, int32(recLine-line0))
		}
		return starts, ends, lines, len(buf), line, true
	}
	return starts, ends, lines, recStart, recLine, true
}

// recordsNoQuotes is records for a buffer without quotes: every newline
// ends a record, found with bytes.IndexByte.
func recordsNoQuotes(buf []byte, line int, final bool, starts, ends, lines []int32) ([]int32, []int32, []int32, int, int) {
	line0 := line
	recStart := 0
	for {
		k := bytes.IndexByte(buf[recStart:], '\n')
		if k < 0 {
			break
		}
		end := recStart + k
		if !blank(buf[recStart:end]) {
			starts, ends, lines = append(starts, int32(recStart)), append(ends, int32(end)), append(lines, int32(line-line0))
		}
		line++
		recStart = end + 1
	}
	if final {
		if recStart < len(buf) && !blank(buf[recStart:]) {
			starts, ends, lines = append(starts, int32(recStart)), append(ends, int32(len(buf))), append(lines, int32(line-line0))
		}
		return starts, ends, lines, len(buf), line
	}
	return starts, ends, lines, recStart, line
}

func blank(b []byte) bool {
	for _, c := range b {
		if c != '\r' && c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// trimCR drops the carriage return of a CRLF line end.
func trimCR(rec []byte) []byte { return bytes.TrimSuffix(rec, []byte("\r")) }

// trimSpace drops leading and trailing spaces and tabs.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}
