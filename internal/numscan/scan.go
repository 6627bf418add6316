package numscan

// Scan parses fields of rec, from offset i on, into dst (float32 or
// float64 values): as many as dst holds, each followed by sep. It stops
// early at a field it does not take (see the package documentation), and
// may stop at one that starts less than 32 bytes before rec's end. It
// returns the number of fields parsed and the offset just after the last
// one's separator (i when none).
func Scan[T ~float32 | ~float64](dst []T, rec []byte, i int, sep byte) (n, next int) {
	if !Available || len(rec)-i < 32 || len(dst) == 0 {
		return 0, i
	}
	switch d := any(dst).(type) {
	case []float32:
		return scanFloat32(d, rec, i, sep)
	case []float64:
		return scanFloat64(d, rec, i, sep)
	}
	return 0, i // a named float type: the caller's parser does it all
}
