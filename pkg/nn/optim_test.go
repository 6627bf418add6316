package nn_test

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refOptimizer is an optimizer's published update rule (Keras'
// definitions) on one parameter, written with scalars.
type refOptimizer func(step int, p, g float64, slots []float64) float64

// builtinOptimizer is what every optimizer of package nn is: an Optimizer
// with a learning rate and a state for checkpoints.
type builtinOptimizer interface {
	nn.Optimizer[float64]
	nn.LearningRater
	nn.StatefulOptimizer[float64]
}

// TestOptimizersFollowKerasRules feeds each optimizer a known gradient
// sequence for several steps, splitting Update into two ranges, and compares
// every parameter with the rule computed per element.
func TestOptimizersFollowKerasRules(t *testing.T) {
	const lr, n, steps = 0.05, 7, 6
	b1, b2, eps := 0.9, 0.999, 1e-7
	adam := func(wd float64) refOptimizer {
		return func(step int, p, g float64, s []float64) float64 {
			p -= lr * wd * p
			s[0] += (g - s[0]) * (1 - b1)
			s[1] += (g*g - s[1]) * (1 - b2)
			alpha := lr * math.Sqrt(1-math.Pow(b2, float64(step))) / (1 - math.Pow(b1, float64(step)))
			return p - alpha*s[0]/(math.Sqrt(s[1])+eps)
		}
	}
	rms := func(mom float64) refOptimizer {
		return func(_ int, p, g float64, s []float64) float64 {
			s[0] = 0.9*s[0] + 0.1*g*g
			d := lr * g / math.Sqrt(s[0]+eps)
			if mom != 0 {
				s[1] = mom*s[1] + d
				d = s[1]
			}
			return p - d
		}
	}
	for _, tc := range []struct {
		name string
		opt  builtinOptimizer
		ref  refOptimizer
	}{
		{"sgd", nn.NewSGD[float64](lr), func(_ int, p, g float64, _ []float64) float64 { return p - lr*g }},
		{"momentum", nn.NewMomentum[float64](lr, 0.9), func(_ int, p, g float64, s []float64) float64 {
			s[0] = 0.9*s[0] - lr*g
			return p + s[0]
		}},
		{"nesterov", nn.NewNesterov[float64](lr, 0.9), func(_ int, p, g float64, s []float64) float64 {
			s[0] = 0.9*s[0] - lr*g
			return p + 0.9*s[0] - lr*g
		}},
		{"adam", nn.NewAdam[float64](lr), adam(0)},
		{"adamw", nn.NewAdamW[float64](lr, 0.004), adam(0.004)},
		{"rmsprop", nn.NewRMSprop[float64](lr), rms(0)},
		{"rmsprop-momentum", &nn.RMSprop[float64]{Rho: 0.9, Momentum: 0.5, Epsilon: 1e-7}, rms(0.5)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opt.SetLearningRate(lr)
			assert.Equal(t, lr, tc.opt.LearningRate())
			rng := rand.New(rand.NewPCG(1, 2))
			params := make([]float64, n)
			for i := range params {
				params[i] = rng.NormFloat64()
			}
			want := append([]float64(nil), params...)
			slots := make([][]float64, n)
			for i := range slots {
				slots[i] = make([]float64, 2)
			}
			tc.opt.Init(n)
			for step := 1; step <= steps; step++ {
				grads := make([]float64, n)
				for i := range grads {
					grads[i] = rng.NormFloat64() * float64(step)
				}
				tc.opt.Next()
				tc.opt.Update(params, grads, 0, 3)
				tc.opt.Update(params, grads, 3, n)
				for i := range want {
					want[i] = tc.ref(step, want[i], grads[i], slots[i])
				}
			}
			assert.Equal(t, steps, tc.opt.Steps())
			assert.Contains(t, tc.name, tc.opt.Name())
			for i := range want {
				assert.InDelta(t, want[i], params[i], 1e-12, "param %d", i)
			}
		})
	}
}

// plainSGD is an Optimizer with the core methods only: no learning rate to
// schedule, no state to checkpoint.
type plainSGD struct{}

func (plainSGD) Name() string { return "plain" }
func (plainSGD) Init(int)     {}
func (plainSGD) Next()        {}
func (plainSGD) Update(p, g []float64, lo, hi int) {
	for i := lo; i < hi; i++ {
		p[i] -= 0.1 * g[i]
	}
}

// TestCoreOptimizerTrains: an optimizer without the optional interfaces
// trains like SGD, logs a rate of 0, ignores a schedule, and cannot be
// checkpointed.
func TestCoreOptimizerTrains(t *testing.T) {
	plain, sgd := nntest.XORModel(t), nntest.XORModel(t)
	require.NoError(t, plain.Compile(nn.HalfMSE[float64](), plainSGD{}))
	opts := train.Options{Epochs: 3, Callbacks: []train.Callback{train.LearningRateScheduler{Schedule: train.StepDecay(0.1, 1, 1)}}}
	h, err := train.Fit(context.Background(), plain, train.InMemory(nntest.XORX, nntest.XORY), opts)
	require.NoError(t, err)
	_, err = train.Fit(context.Background(), sgd, train.InMemory(nntest.XORX, nntest.XORY), opts)
	require.NoError(t, err)
	assert.Equal(t, sgd.Params(), plain.Params())
	assert.Equal(t, []float64{0, 0, 0}, h.Values("lr"))

	_, err = train.Fit(context.Background(), plain, train.InMemory(nntest.XORX, nntest.XORY), train.Options{CheckpointPath: filepath.Join(t.TempDir(), "c")})
	assert.ErrorContains(t, err, "StatefulOptimizer")
}

// countingAdam is Adam whose Update counts its calls.
type countingAdam struct {
	*nn.Adam[float32]
	calls *atomic.Int32
}

func (c countingAdam) Update(p, g []float32, lo, hi int) {
	c.calls.Add(1)
	c.Adam.Update(p, g, lo, hi)
}

// TestWrappedAdamKeepsItsUpdate: a type embedding Adam that overrides
// Update is not taken for Adam: its Update runs, and trains like Adam.
func TestWrappedAdamKeepsItsUpdate(t *testing.T) {
	x, y := nntest.ClassData[float32](3, 64, 6, 3)
	wrapped := countingAdam{nn.NewAdam[float32](0.01), new(atomic.Int32)}
	a, b := nntest.Classifier(t, wrapped, 1, 6, 8, 3), nntest.Classifier(t, nn.NewAdam[float32](0.01), 1, 6, 8, 3)
	for _, m := range []*nn.Model[float32]{a, b} {
		_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 2, BatchSize: 32})
		require.NoError(t, err)
	}
	assert.EqualValues(t, 4, wrapped.calls.Load(), "one chunk, 4 steps")
	assert.Equal(t, b.Params(), a.Params())
}
