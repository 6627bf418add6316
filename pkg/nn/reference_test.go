package nn_test

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

// refLayer is a Dense layer written with plain loops, independent of the
// engine: w[i][j] maps input i to output j.
type refLayer struct {
	w   [][]float64
	b   []float64
	act string // "linear", "tanh", "sigmoid"
}

func refAct(act string, z float64) (y, dydz float64) {
	switch act {
	case "tanh":
		y = math.Tanh(z)
		return y, 1 - y*y
	case "sigmoid":
		y = 1 / (1 + math.Exp(-z))
		return y, y * (1 - y)
	}
	return z, 1
}

// refLoss returns the loss of one sample and its gradient with respect to
// the last layer's pre-activation z (the output activation is applied here
// for "mse"/"half" and is the fused softmax for "ce").
func refLoss(kind string, last refLayer, z []float64, target []float64) (float64, []float64) {
	g := make([]float64, len(z))
	var loss float64
	switch kind {
	case "ce": // target[0] is the class
		var s float64
		for _, v := range z {
			s += math.Exp(v)
		}
		c := int(target[0])
		loss = math.Log(s) - z[c]
		for j, v := range z {
			g[j] = math.Exp(v) / s
		}
		g[c]--
	default: // "mse" (mean over outputs) or "half" (0.5 × that)
		f := 1 / float64(len(z))
		if kind == "half" {
			f /= 2
		}
		for j, v := range z {
			y, d := refAct(last.act, v)
			loss += f * (y - target[j]) * (y - target[j])
			g[j] = 2 * f * (y - target[j]) * d
		}
	}
	return loss, g
}

// refGradients returns the mean loss and mean gradients of a batch, one
// sample at a time.
func refGradients(layers []refLayer, kind string, xs, ys [][]float64) (float64, [][][]float64, [][]float64) {
	gw := make([][][]float64, len(layers))
	gb := make([][]float64, len(layers))
	for l, L := range layers {
		gw[l] = make([][]float64, len(L.w))
		for i := range L.w {
			gw[l][i] = make([]float64, len(L.b))
		}
		gb[l] = make([]float64, len(L.b))
	}
	var total float64
	n := float64(len(xs))
	for s := range xs {
		acts := [][]float64{xs[s]}
		var derivs [][]float64
		var z []float64
		for _, L := range layers {
			in := acts[len(acts)-1]
			z = make([]float64, len(L.b))
			y := make([]float64, len(L.b))
			d := make([]float64, len(L.b))
			for j := range L.b {
				z[j] = L.b[j]
				for i := range in {
					z[j] += in[i] * L.w[i][j]
				}
				y[j], d[j] = refAct(L.act, z[j])
			}
			acts = append(acts, y)
			derivs = append(derivs, d)
		}
		loss, delta := refLoss(kind, layers[len(layers)-1], z, ys[s])
		total += loss
		for l := len(layers) - 1; l >= 0; l-- {
			in := acts[l]
			for j := range delta {
				gb[l][j] += delta[j] / n
				for i := range in {
					gw[l][i][j] += in[i] * delta[j] / n
				}
			}
			if l > 0 {
				prev := make([]float64, len(in))
				for i := range in {
					for j := range delta {
						prev[i] += layers[l].w[i][j] * delta[j]
					}
					prev[i] *= derivs[l-1][i]
				}
				delta = prev
			}
		}
	}
	return total / n, gw, gb
}

// flatten writes reference parameters in the engine's layout.
func flatten(layers []refLayer) []float64 {
	var p []float64
	for _, L := range layers {
		for _, row := range L.w {
			p = append(p, row...)
		}
		p = append(p, L.b...)
	}
	return p
}

func randRef(rng *rand.Rand, sizes []int, acts []string) []refLayer {
	var ls []refLayer
	for l := 0; l+1 < len(sizes); l++ {
		L := refLayer{act: acts[l], b: make([]float64, sizes[l+1])}
		for i := 0; i < sizes[l]; i++ {
			row := make([]float64, sizes[l+1])
			for j := range row {
				row[j] = rng.NormFloat64() * 0.5
			}
			L.w = append(L.w, row)
		}
		for j := range L.b {
			L.b[j] = rng.NormFloat64() * 0.1
		}
		ls = append(ls, L)
	}
	return ls
}

func toRows(m nn.Matrix[float64]) [][]float64 {
	var r [][]float64
	for i := 0; i < m.Rows; i++ {
		r = append(r, m.Row(i))
	}
	return r
}

func engineFor(ls []refLayer, kind string) *nn.Model[float64] {
	m := nn.NewModel[float64]()
	for i, L := range ls {
		act, _ := nn.ParseActivation(L.act)
		if kind == "ce" && i == len(ls)-1 {
			act = nn.Softmax
		}
		m.Add(nn.NewDense[float64](len(L.w), len(L.b), act, ""))
	}
	return m
}

// TestOptimizerStepsMatchReference trains a two-layer net from given
// weights for two steps with SGD and with Adam and compares every parameter
// with the same steps computed with plain loops.
func TestOptimizerStepsMatchReference(t *testing.T) {
	const lr, b1, b2, eps = 0.05, 0.9, 0.999, 1e-7
	for _, kind := range []string{"mse", "ce"} {
		for _, optName := range []string{"sgd", "adam"} {
			t.Run(kind+"-"+optName, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(7, 7))
				ls := randRef(rng, []int{3, 4, 2}, []string{"tanh", "linear"})
				x := nntest.RandMatrix[float64](rng, 10, 3)
				y := nntest.RandMatrix[float64](rng, 10, 2)
				loss := nn.MSE[float64]()
				if kind == "ce" {
					y, loss = nntest.RandLabels[float64](rng, 10, 2), nn.CrossEntropy[float64]()
				}
				m := engineFor(ls, kind)
				var opt nn.Optimizer[float64] = nn.NewSGD[float64](lr)
				if optName == "adam" {
					opt = nn.NewAdam[float64](lr)
				}
				require.NoError(t, m.Compile(loss, opt))
				copy(m.Params(), flatten(ls))
				_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 1, BatchSize: 5, NoShuffle: true,
					Parallelism: train.Parallelism{Workers: 2, ShardSize: 2}})
				require.NoError(t, err)

				// Reference: two steps over rows 0–4 and 5–9.
				xs, ys := toRows(x), toRows(y)
				mw := make([]float64, len(m.Params()))
				vw := make([]float64, len(m.Params()))
				for step := 1; step <= 2; step++ {
					_, gw, gb := refGradients(ls, kind, xs[(step-1)*5:step*5], ys[(step-1)*5:step*5])
					k := 0
					upd := func(p *float64, g float64) {
						if optName == "sgd" {
							*p -= lr * g
						} else {
							// Keras: α = lr·√(1−β2ᵗ)/(1−β1ᵗ), p −= α·m/(√v+ε)
							mw[k] = b1*mw[k] + (1-b1)*g
							vw[k] = b2*vw[k] + (1-b2)*g*g
							alpha := lr * math.Sqrt(1-math.Pow(b2, float64(step))) / (1 - math.Pow(b1, float64(step)))
							*p -= alpha * mw[k] / (math.Sqrt(vw[k]) + eps)
						}
						k++
					}
					for l := range ls {
						for i := range ls[l].w {
							for j := range ls[l].w[i] {
								upd(&ls[l].w[i][j], gw[l][i][j])
							}
						}
						for j := range ls[l].b {
							upd(&ls[l].b[j], gb[l][j])
						}
					}
				}
				want := flatten(ls)
				for i, v := range m.Params() {
					assert.InDelta(t, want[i], v, 1e-12, "param %d", i)
				}
			})
		}
	}
}

// TestBatchOneSGDIsTheTutorialsTraining: with batch size 1, no shuffling and
// SGD, Fit is per-sample back-propagation with an update after each sample,
// as in the tutorial (with σ' taken at the pre-activation).
func TestBatchOneSGDIsTheTutorialsTraining(t *testing.T) {
	const lr, epochs = 0.1, 20
	rng := rand.New(rand.NewPCG(3, 3))
	ls := randRef(rng, []int{2, 3, 4, 1}, []string{"sigmoid", "sigmoid", "linear"})
	x := nn.NewMatrix(4, 2, []float64{0, 0, 0, 1, 1, 0, 1, 1})
	y := nn.NewMatrix(4, 1, []float64{0, 1, 1, 0})
	m := engineFor(ls, "half")
	require.NoError(t, m.Compile(nn.HalfMSE[float64](), nn.NewSGD[float64](lr)))
	copy(m.Params(), flatten(ls))
	hist, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: epochs, BatchSize: 1, NoShuffle: true})
	require.NoError(t, err)

	xs, ys := toRows(x), toRows(y)
	var lastLoss float64
	for range epochs {
		lastLoss = 0
		for s := range xs {
			loss, gw, gb := refGradients(ls, "half", xs[s:s+1], ys[s:s+1])
			lastLoss += loss / 4
			for l := range ls {
				for i := range ls[l].w {
					for j := range ls[l].w[i] {
						ls[l].w[i][j] -= lr * gw[l][i][j]
					}
				}
				for j := range ls[l].b {
					ls[l].b[j] -= lr * gb[l][j]
				}
			}
		}
	}
	want := flatten(ls)
	for i, v := range m.Params() {
		assert.InDelta(t, want[i], v, 1e-12, "param %d", i)
	}
	assert.InDelta(t, lastLoss, hist.Loss()[epochs-1], 1e-12)
}
