package nn_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/parallel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fitSmall trains a small ReLU network with an L2 penalty and gradient
// clipping, so that the fused reduction-and-norm path, the penalty added
// after it and the clipping all matter, and returns its weights.
func fitSmall[T nn.Float](t *testing.T, opt nn.Optimizer[T], custom bool) []T {
	rng := rand.New(rand.NewPCG(4, 4))
	x := randMatrix[T](rng, 96, 6)
	y := randLabels[T](rng, 96, 3)
	m := nn.NewModel[T]()
	h := nn.NewDense[T](6, 16, nn.ReLU, "h")
	h.L2 = 1
	m.Add(h)
	m.Add(nn.NewDense[T](16, 3, nn.Softmax, "o"))
	require.NoError(t, m.Compile(nn.CrossEntropy[T](), opt, nn.WithSeed(2)))
	if custom {
		m.SetReducer(&parallel.Tree[T]{})
	}
	_, err := m.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 3, BatchSize: 32, ClipNorm: 0.1,
		Parallelism: nn.Parallelism{Workers: 2, ShardSize: 8}})
	require.NoError(t, err)
	return m.Params()
}

// TestFusedNormCountsThePenalty: the default path takes the gradient norm
// during the reduction; a custom reducer takes it after the L2 penalty's
// gradient is added. Clipping must see the same norm either way (found in
// review: the fused norm missed the penalty).
func TestFusedNormCountsThePenalty(t *testing.T) {
	for _, name := range []string{"sgd", "adam"} {
		opt := func() nn.Optimizer[float32] {
			if name == "sgd" {
				return nn.NewSGD[float32](0.1)
			}
			return nn.NewAdam[float32](0.01)
		}
		assert.Equal(t, fitSmall(t, opt(), false), fitSmall(t, opt(), true), name)
	}
}

// F32 is a named float type: the engine must treat it as float32 (found in
// review: type switches on []float32 missed it).
type F32 float32

func TestNamedFloatTypeTrainsLikeFloat32(t *testing.T) {
	for _, name := range []string{"sgd", "adam"} {
		var a []float32
		var b []F32
		if name == "sgd" {
			a, b = fitSmall(t, nn.NewSGD[float32](0.1), false), fitSmall(t, nn.NewSGD[F32](0.1), false)
		} else {
			a, b = fitSmall(t, nn.NewAdam[float32](0.01), false), fitSmall(t, nn.NewAdam[F32](0.01), false)
		}
		require.Len(t, b, len(a))
		for i := range a {
			if float32(b[i]) != a[i] {
				t.Fatalf("%s: parameter %d: F32 %v, float32 %v", name, i, b[i], a[i])
			}
		}
	}
}
