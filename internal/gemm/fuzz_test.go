package gemm

import (
	"math/rand/v2"
	"testing"
)

// FuzzGemm checks products of fuzzed shapes, transposes, offsets, padding
// and alpha/beta against the float64 reference, and that every path gives
// the same bits.
func FuzzGemm(f *testing.F) {
	f.Add(uint8(1), uint8(1), uint16(1), uint8(0), uint64(1))
	f.Add(uint8(15), uint8(33), uint16(785), uint8(0x1f), uint64(2))
	f.Add(uint8(129), uint8(17), uint16(64), uint8(0x2a), uint64(3))
	f.Add(uint8(14), uint8(32), uint16(385), uint8(0x35), uint64(4))
	f.Fuzz(func(t *testing.T, m, n uint8, k uint16, flags uint8, seed uint64) {
		if m == 0 || n == 0 {
			return
		}
		k %= 1200
		tA, tB := flags&1 != 0, flags&2 != 0
		off, pad := int(flags>>2&1), int(flags>>3&3)
		alpha := []float64{1, -0.5, 2, 0.3}[flags>>5&3]
		beta := []float64{0, 1, -1.5, 0.25}[(flags>>7)|(byte(seed)&1)<<1]
		rng := rand.New(rand.NewPCG(seed, 9))
		fuzzType[float32](t, rng, tA, tB, int(m), int(n), int(k), off, pad, alpha, beta)
		fuzzType[float64](t, rng, tA, tB, int(m), int(n), int(k), off, pad, alpha, beta)
	})
}

func fuzzType[T Float](t *testing.T, rng *rand.Rand, tA, tB bool, m, n, k, off, pad int, alpha, beta float64) {
	defer usePath(bestPath())
	o := newOperands(rng, tA, tB, m, n, k, off, pad, T(alpha), T(beta))
	want := o.run()
	o.check(t, want)
	for _, name := range []string{"portable", "avx2", "avx512"} {
		if usePath(name) && !sameBits(m, n, o.run(), o.ldc, want, o.ldc) {
			t.Fatalf("%s: path %s gives other bits than %s", o, name, bestPath())
		}
	}
}
