package parallel

// chunkSize is the number of elements one reduction task handles. Reduction
// is element-wise, so any split gives the same bits; this one only balances
// work across workers.
const chunkSize = 1 << 14

// Chunks returns how many chunks of Chunk's size cover n elements.
func Chunks(n int) int { return (n + chunkSize - 1) / chunkSize }

// Chunk returns the element range of chunk i of a slice of length n.
func Chunk(n, i int) (lo, hi int) {
	lo = i * chunkSize
	return lo, min(lo+chunkSize, n)
}

// TreeSumInto sums parts[*][lo:hi] into parts[0][lo:hi] with the fixed
// pairwise tree: at stride 1, 2, 4, … part i takes part i+stride, so the
// order of the sums depends only on len(parts).
func TreeSumInto[T Float](parts [][]T, lo, hi int) { TreeAddInto(parts, lo, hi, addTo[T]) }

// TreeAddInto is TreeSumInto with the element-wise addition supplied by the
// caller, such as a vector kernel: add(dst, src) must set each dst[k] to
// dst[k] + src[k], rounded once, for the result to be TreeSumInto's bits.
func TreeAddInto[T Float](parts [][]T, lo, hi int, add func(dst, src []T)) {
	n := len(parts)
	for stride := 1; stride < n; stride *= 2 {
		for i := 0; i+stride < n; i += 2 * stride {
			add(parts[i][lo:hi], parts[i+stride][lo:hi])
		}
	}
}

func addTo[T Float](dst, src []T) {
	src = src[:len(dst)]
	for k := range dst {
		dst[k] += src[k]
	}
}

// TreeSum returns the sum of v computed with the same fixed pairwise tree as
// Tree, without modifying v. It is meant for short vectors such as per-lane
// loss sums.
func TreeSum(v []float64) float64 {
	switch len(v) {
	case 0:
		return 0
	case 1:
		return v[0]
	}
	// Pairwise with the same shape as TreeSumInto: split at the largest power
	// of two below len(v).
	h := 1
	for h*2 < len(v) {
		h *= 2
	}
	return TreeSum(v[:h]) + TreeSum(v[h:])
}
