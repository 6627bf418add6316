package numscan

// Float32 parses fields of rec, from offset i on, into dst: as many as dst
// holds, each followed by sep. It stops early at a field it does not take
// (see the package documentation), and may stop at one that starts less
// than 32 bytes before rec's end. It returns the number of fields parsed and the offset
// just after the last one's separator (i when none).
func Float32(dst []float32, rec []byte, i int, sep byte) (n, next int) {
	if !Available || len(rec)-i < 32 || len(dst) == 0 {
		return 0, i
	}
	return scanFloat32(dst, rec, i, sep)
}

// Float64 is Float32 for float64 values.
func Float64(dst []float64, rec []byte, i int, sep byte) (n, next int) {
	if !Available || len(rec)-i < 32 || len(dst) == 0 {
		return 0, i
	}
	return scanFloat64(dst, rec, i, sep)
}
