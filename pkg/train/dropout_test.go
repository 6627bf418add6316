package train_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dropoutRun trains the regularized model on 203 samples and returns its
// parameters.
func dropoutRun[T nn.Float](t *testing.T, workers int) []T {
	m, x, y := dropoutCase[T](t)
	_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 3, BatchSize: 50, Seed: 9,
		Parallelism: train.Parallelism{Workers: workers, ShardSize: 4, MaxLanes: 5}})
	require.NoError(t, err)
	return append([]T(nil), m.Params()...)
}

func dropoutCase[T nn.Float](t *testing.T) (*nn.Model[T], nn.Matrix[T], nn.Matrix[T]) {
	rng := rand.New(rand.NewPCG(11, 12))
	return nntest.RegularizedModel[T](t, 0.8), nntest.RandMatrix[T](rng, 203, 6), nntest.RandLabels[T](rng, 203, 3)
}

// TestDropoutKeepsWorkerAndRankInvariance: with dropout, L1 and max-norm,
// workers 1, 2, 3 and 8 and in-process ranks 2 and 3 give byte-identical
// parameters.
func TestDropoutKeepsWorkerAndRankInvariance(t *testing.T) {
	for _, name := range []string{"float32", "float64"} {
		t.Run(name, func(t *testing.T) {
			check := func(want, got any, what string) { assert.Equal(t, want, got, what) }
			if name == "float32" {
				want := dropoutRun[float32](t, 1)
				for _, w := range []int{2, 3, 8} {
					check(want, dropoutRun[float32](t, w), "workers")
				}
				for _, size := range []int{2, 3} {
					got, _, errs := fitRanksOf(t, func() (*nn.Model[float32], nn.Matrix[float32], nn.Matrix[float32]) { return dropoutCase[float32](t) },
						size, train.Options{Epochs: 3, BatchSize: 50, Seed: 9, Parallelism: train.Parallelism{Workers: 2, ShardSize: 4, MaxLanes: 5}})
					for r, err := range errs {
						require.NoError(t, err, "rank %d", r)
					}
					check(want, got, "ranks")
				}
				return
			}
			want := dropoutRun[float64](t, 1)
			for _, w := range []int{2, 3, 8} {
				check(want, dropoutRun[float64](t, w), "workers")
			}
		})
	}
}

// TestMaxNormBoundsEveryUnit: after training, no unit's incoming weights
// have a norm above MaxNorm (the constraint binds: without it they do).
func TestMaxNormBoundsEveryUnit(t *testing.T) {
	norms := func(maxNorm float64) []float64 {
		m, x, y := dropoutCase[float64](t)
		m.Layers()[1].(*nn.Dense[float64]).MaxNorm = maxNorm
		_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 20, BatchSize: 16, Seed: 1})
		require.NoError(t, err)
		w := m.LayerParams(1)[:6*12]
		n := make([]float64, 12)
		for i := range 6 {
			for j := range 12 {
				n[j] += w[i*12+j] * w[i*12+j]
			}
		}
		for j := range n {
			n[j] = math.Sqrt(n[j])
		}
		return n
	}
	free := norms(0)
	assert.Greater(t, maxOf(free), 0.25, "the constraint would bind")
	for j, n := range norms(0.25) {
		assert.LessOrEqual(t, n, 0.25*(1+1e-12), "unit %d", j)
	}
}

func maxOf(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = max(m, x)
	}
	return m
}
