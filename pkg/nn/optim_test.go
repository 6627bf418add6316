package nn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/stretchr/testify/assert"
)

// refOptimizer is an optimizer's published update rule (Keras'
// definitions) on one parameter, written with scalars.
type refOptimizer func(step int, p, g float64, slots []float64) float64

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
		opt  nn.Optimizer[float64]
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
