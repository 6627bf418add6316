package shuffle

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Slice gives rand.Shuffle's permutation and leaves the generator where
// rand.Shuffle leaves it.
func TestSliceIsRandShuffle(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 17, every - 1, every, every + 1, 3*every + 5} {
		for seed := range uint64(3) {
			a, b := rand.New(rand.NewPCG(seed, 7)), rand.New(rand.NewPCG(seed, 7))
			want, got := make([]int, n), make([]int, n)
			for i := range n {
				want[i], got[i] = i, i
			}
			a.Shuffle(n, func(i, j int) { want[i], want[j] = want[j], want[i] })
			require.NoError(t, Slice(context.Background(), b, got))
			assert.Equal(t, want, got, "n %d seed %d", n, seed)
			assert.Equal(t, a.Uint64(), b.Uint64(), "the generators' next draw")
		}
	}
}

func TestSliceStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := make([]int, 3*every)
	assert.ErrorIs(t, Slice(ctx, rand.New(rand.NewPCG(1, 2)), s), context.Canceled)
	_, _, err := Split(ctx, 10, []int{3})
	assert.ErrorIs(t, err, context.Canceled)
}

// Split gives the sorted picked rows and the sorted rest.
func TestSplitIsSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	n := 2*every + 3
	perm := rng.Perm(n)
	picked := perm[:n/3]
	in, out, err := Split(context.Background(), n, picked)
	require.NoError(t, err)
	want := slices.Sorted(slices.Values(picked))
	assert.Equal(t, want, in)
	rest := slices.Sorted(slices.Values(perm[n/3:]))
	assert.Equal(t, rest, out)
}

// Sorted gives Split's in, for int and int32 rows.
func TestSortedIsSplit(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, n := range []int{1, 63, 64, 65, 2*every + 3} {
		perm := rng.Perm(n)
		picked := perm[:n/3+1]
		want, _, err := Split(context.Background(), n, picked)
		require.NoError(t, err)
		got, err := Sorted(context.Background(), n, picked)
		require.NoError(t, err)
		assert.Equal(t, want, got, "n %d", n)
		small := make([]int32, len(picked))
		for i, r := range picked {
			small[i] = int32(r)
		}
		got, err = Sorted(context.Background(), n, small)
		require.NoError(t, err)
		assert.Equal(t, want, got, "n %d, int32", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Sorted(ctx, 10, []int{3})
	assert.ErrorIs(t, err, context.Canceled)
}
