package inflate

import (
	"math/rand/v2"
	"testing"
)

// randomLengths returns the lengths of a complete code of k codes over
// nsym symbols: a random binary tree grown by splitting leaves (the
// deepest one half the time, for codes of up to 15 bits).
func randomLengths(rng *rand.Rand, nsym, k int, deep bool) []uint8 {
	leaves := []uint8{0}
	for len(leaves) < k {
		var i int
		if deep && rng.IntN(2) == 0 {
			// deepest splittable leaf
			i = -1
			for j, d := range leaves {
				if d < 15 && (i < 0 || d > leaves[i]) {
					i = j
				}
			}
		} else {
			i = rng.IntN(len(leaves))
		}
		if i < 0 || leaves[i] >= 15 {
			continue
		}
		d := leaves[i] + 1
		leaves[i] = d
		leaves = append(leaves, d)
	}
	l := make([]uint8, nsym)
	perm := rng.Perm(nsym)
	for j, d := range leaves {
		l[perm[j]] = d
	}
	return l
}

// checkTable looks up every code of lengths l, followed by random bits,
// in table, and checks it finds the symbol's entry.
func checkTable(t *testing.T, table []uint32, l []uint8, bits uint, entry func(int, uint32) uint32, rng *rand.Rand) {
	// The canonical codes (RFC 1951, 3.2.2), made here independently.
	var count [16]int
	for _, x := range l {
		count[x]++
	}
	count[0] = 0
	var next [17]uint32
	code := uint32(0)
	for b := 1; b <= 15; b++ {
		code = (code + uint32(count[b-1])) << 1
		next[b] = code
	}
	for sym, n := range l {
		if n == 0 {
			continue
		}
		c := next[n]
		next[n]++
		rev := reverse(c, uint(n))
		for range 8 {
			v := uint64(rev) | rng.Uint64()<<n
			e := table[v&(1<<bits-1)]
			if e&flagSubtable != 0 {
				e = table[int(e>>16)+int(v>>bits&(1<<(e>>8&15)-1))]
			}
			if want := entry(sym, uint32(n)); e != want {
				t.Fatalf("sym %d len %d: entry %#x want %#x", sym, n, e, want)
			}
		}
	}
}

// Tables of random complete codes find every code; a code made
// incomplete or over-subscribed is refused.
func TestBuild(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for it := range 20000 {
		deep := it%2 == 0
		k := 2 + rng.IntN(285)
		l := randomLengths(rng, 286, k, deep)
		var tab [litlenTableSize]uint32
		if !build(tab[:], l, litlenBits, litlenEntry) {
			t.Fatalf("complete code rejected")
		}
		checkTable(t, tab[:], l, litlenBits, litlenEntry, rng)
		k = 2 + rng.IntN(29)
		l = randomLengths(rng, 30, k, deep)
		var dt [distTableSize]uint32
		if !build(dt[:], l, distBits, distEntry) {
			t.Fatalf("complete dist code rejected")
		}
		checkTable(t, dt[:], l, distBits, distEntry, rng)
		// Break it: one code longer leaves the code incomplete, one shorter
		// over-subscribes it.
		i := rng.IntN(30)
		if l[i] != 0 && l[i] < 15 {
			l[i]++
			if build(dt[:], l, distBits, distEntry) {
				t.Fatalf("incomplete code accepted %v", l)
			}
			l[i] -= 2
			if l[i] > 0 && build(dt[:], l, distBits, distEntry) {
				t.Fatalf("oversubscribed code accepted %v", l)
			}
		}
	}
}
