package train

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWindowOrder: the windowed order holds every training row once, its
// windows draw on at most k blocks each (runs of the same block's rows),
// it depends on the seed and the epoch only, and it is shuffled.
func TestWindowOrder(t *testing.T) {
	n := 10*ShuffleBlock + 300
	held := []int{0, 5, 1024, 5000, n - 1}
	s := rowSet{n: n, held: held}
	for _, k := range []int{1, 3, 64} {
		o := newOrder(s, 32)
		o.windows(s, 7, 2, k)
		got := make([]int, o.len())
		for i := range got {
			got[i] = o.at(i)
		}
		sorted := slices.Sorted(slices.Values(got))
		var want []int
		for r := range s.all {
			want = append(want, r)
		}
		require.Equal(t, want, sorted, "every training row once")
		// The order is windows of k whole blocks (the last fewer), their
		// rows mixed: a block may start a new window only once the
		// current window's k blocks have given all their rows.
		size := map[int]int{}
		for _, r := range got {
			size[r/ShuffleBlock]++
		}
		cur, left, windows := map[int]bool{}, 0, 0
		for _, r := range got {
			b := r / ShuffleBlock
			if !cur[b] {
				if len(cur) == k || windows == 0 {
					require.Zero(t, left, "k %d: a block joins a window whose blocks are not done", k)
					cur, windows = map[int]bool{}, windows+1
				}
				cur[b], left = true, left+size[b]
			}
			left--
		}
		assert.Zero(t, left)
		assert.Equal(t, (11+k-1)/k, windows, "k %d", k)
		again := newOrder(s, 32)
		again.windows(s, 7, 2, k)
		assert.Equal(t, o.small, again.small, "a function of seed and epoch")
		other := newOrder(s, 32)
		other.windows(s, 7, 3, k)
		assert.NotEqual(t, o.small, other.small, "another epoch, another order")
		for e := 3; e <= 5; e++ { // an order reusing its lists, epoch after epoch
			o.windows(s, 7, e, k)
			fresh := newOrder(s, 32)
			fresh.windows(s, 7, e, k)
			require.Equal(t, fresh.small, o.small, "epoch %d", e)
		}
		assert.False(t, slices.IsSorted(got), "shuffled")
	}
	// k = 1: every window is one block, whose rows stay together.
	o := newOrder(s, 32)
	o.windows(s, 1, 1, 1)
	runs := 1
	for i := 1; i < o.len(); i++ {
		if o.at(i)/ShuffleBlock != o.at(i-1)/ShuffleBlock {
			runs++
		}
	}
	assert.Equal(t, 11, runs)
}
