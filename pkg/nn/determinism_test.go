package nn_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// trainSmall trains a 10-16-8-3 classifier on 203 samples with batch 50
// (the last batch has 3 rows) and returns the flat parameters.
func trainSmall[T nn.Float](t *testing.T, workers, shard int) []T {
	rng := rand.New(rand.NewPCG(11, 11))
	x := randMatrix[T](rng, 203, 10)
	y := randLabels[T](rng, 203, 3)
	m := nn.NewModel[T]()
	m.Add(nn.NewDense[T](10, 16, nn.ReLU, "h1"))
	m.Add(nn.NewDense[T](16, 8, nn.Tanh, "h2"))
	m.Add(nn.NewDense[T](8, 3, nn.Softmax, "out"))
	require.NoError(t, m.Compile(nn.CrossEntropy[T](), nn.NewAdam[T](0.01), nn.WithSeed(5)))
	_, err := m.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 4, BatchSize: 50, Seed: 9, ClipNorm: 0.5, BalanceClasses: true,
		Parallelism: nn.Parallelism{Workers: workers, ShardSize: shard, MaxLanes: 5}})
	require.NoError(t, err)
	return append([]T(nil), m.Params()...)
}

func testDeterminism[T nn.Float](t *testing.T) {
	want := trainSmall[T](t, 1, 4)
	// 100 000 000 workers are clamped to the 5 lanes, at no cost.
	for _, w := range []int{1, 2, 3, 8, 100_000_000} {
		got := trainSmall[T](t, w, 4)
		require.Equal(t, len(want), len(got))
		diff := 0
		for i := range got {
			if got[i] != want[i] { // exact: bit-identical for finite values
				diff++
			}
		}
		assert.Zero(t, diff, "workers=%d: %d of %d parameters differ from workers=1", w, diff, len(got))
	}
}

// TestWorkersDoNotChangeBits trains with 1, 2, 3, 8 and 10⁸ workers (and 1
// twice) and requires bit-identical parameters, in float32 and float64.
func TestWorkersDoNotChangeBits(t *testing.T) {
	t.Run("float32", testDeterminism[float32])
	t.Run("float64", testDeterminism[float64])
}

// TestShardLayoutChangesBits shows the determinism test can fail: another
// shard size sums in another order, and the float32 bits move.
func TestShardLayoutChangesBits(t *testing.T) {
	assert.NotEqual(t, fmt.Sprint(trainSmall[float32](t, 2, 4)), fmt.Sprint(trainSmall[float32](t, 2, 5)))
}
