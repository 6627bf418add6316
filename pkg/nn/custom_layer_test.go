package nn_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scale is a custom layer written with pkg/nn's exported API only:
// out = a ⊙ in + b, per unit, with 2·units parameters (a, then b).
type scale[T nn.Float] struct {
	units int
	name  string
}

func (s *scale[T]) Name() string    { return s.name }
func (s *scale[T]) InputSize() int  { return s.units }
func (s *scale[T]) OutputSize() int { return s.units }
func (s *scale[T]) ParamCount() int { return 2 * s.units }
func (s *scale[T]) Spec() nn.LayerSpec {
	cfg, _ := json.Marshal(map[string]string{"note": "a ⊙ x + b"})
	return nn.LayerSpec{Kind: "test_scale", Name: s.name, Inputs: s.units, Units: s.units, Params: 2 * s.units, Config: cfg}
}

func (s *scale[T]) Init(params []T, rng *rand.Rand) {
	for j := range s.units {
		params[j] = T(1 + 0.1*rng.NormFloat64())
		params[s.units+j] = 0
	}
}

func (s *scale[T]) Forward(_ nn.Pass, params []T, in, out nn.Matrix[T]) {
	a, b := params[:s.units], params[s.units:]
	for r := range in.Rows {
		x, y := in.Row(r), out.Row(r)
		for j := range x {
			y[j] = a[j]*x[j] + b[j]
		}
	}
}

func (s *scale[T]) Backward(_ nn.Pass, params []T, b *nn.Backprop[T]) {
	a, ga, gb := params[:s.units], b.Grads[:s.units], b.Grads[s.units:]
	if !b.Accumulate {
		clear(b.Grads)
	}
	for r := range b.In.Rows {
		x, d := b.In.Row(r), b.DOut.Row(r)
		for j := range x {
			ga[j] += d[j] * x[j]
			gb[j] += d[j]
		}
		if b.DIn.Data != nil {
			di := b.DIn.Row(r)
			for j := range d {
				di[j] = d[j] * a[j]
			}
		}
	}
}

func scaleFactory[T nn.Float](sp nn.LayerSpec) (nn.Layer[T], error) {
	var cfg map[string]string
	if err := json.Unmarshal(sp.Config, &cfg); err != nil || cfg["note"] == "" {
		return nil, fmt.Errorf("test_scale: bad config %s", sp.Config)
	}
	return &scale[T]{units: sp.Units, name: sp.Name}, nil
}

func init() {
	nn.RegisterLayer[float32]("test_scale", scaleFactory[float32])
	nn.RegisterLayer[float64]("test_scale", scaleFactory[float64])
}

func customModel[T nn.Float](t *testing.T, mid nn.Layer[T]) *nn.Model[T] {
	m := nn.NewModel[T]()
	m.Add(nn.NewDense[T](6, 8, nn.ReLU, "h"))
	m.Add(mid)
	m.Add(nn.NewDropout[T](8, 0.25, "drop"))
	m.Add(nn.NewDense[T](8, 3, nn.Softmax, "out"))
	require.NoError(t, m.Compile(nn.CrossEntropy[T](), nn.NewAdam[T](0.01), nn.WithSeed(2)))
	return m
}

// TestCustomLayerTrainsSavesAndLoads: a layer defined outside pkg/nn, with
// RegisterLayer, has a correct gradient, trains (with checkpoints, and a
// resume), saves, loads and predicts the same bits, in both precisions.
func TestCustomLayerTrainsSavesAndLoads(t *testing.T) {
	t.Run("float32", testCustomLayer[float32])
	t.Run("float64", testCustomLayer[float64])
}

func testCustomLayer[T nn.Float](t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(3, 3))
	x, y := nntest.RandMatrix[T](rng, 120, 6), nntest.RandLabels[T](rng, 120, 3)
	straight := customModel[T](t, &scale[T]{8, "scale"})
	opts := train.Options{Epochs: 4, BatchSize: 16, Seed: 1, Parallelism: train.Parallelism{Workers: 2}}
	_, err := train.Fit(context.Background(), straight, train.InMemory(x, y), opts)
	require.NoError(t, err)

	ckpt := filepath.Join(dir, "run.ckpt")
	part := customModel[T](t, &scale[T]{8, "scale"})
	o := opts
	o.Epochs, o.CheckpointPath = 2, ckpt
	_, err = train.Fit(context.Background(), part, train.InMemory(x, y), o)
	require.NoError(t, err)
	resumed := customModel[T](t, &scale[T]{8, "scale"})
	o.Epochs, o.Resume = 4, true
	_, err = train.Fit(context.Background(), resumed, train.InMemory(x, y), o)
	require.NoError(t, err)
	assert.Equal(t, straight.Params(), resumed.Params(), "2 epochs, checkpoint, resume 2 = 4 straight")

	path := filepath.Join(dir, "m.safetensors")
	require.NoError(t, straight.SaveFile(path))
	assert.Equal(t, nn.FormatVersion, fileVersion(t, path), "every model is written in the newest format")
	loaded, err := nn.LoadFile[T](path)
	require.NoError(t, err)
	assert.Equal(t, straight.Summary(), loaded.Summary())
	want, err := straight.Predict(context.Background(), x)
	require.NoError(t, err)
	got, err := loaded.Predict(context.Background(), x)
	require.NoError(t, err)
	assert.Equal(t, want.Data, got.Data)
}

// TestCustomLayerGradient: the custom layer's Backward against central
// differences of Evaluate.
func TestCustomLayerGradient(t *testing.T) {
	m := nn.NewModel[float64]()
	m.Add(nn.NewDense[float64](4, 5, nn.Tanh, "h"))
	m.Add(&scale[float64]{5, "scale"})
	m.Add(nn.NewDense[float64](5, 2, nn.Linear, "out"))
	require.NoError(t, m.Compile(nn.MSE[float64](), nn.NewSGD[float64](0.1), nn.WithSeed(3)))
	rng := rand.New(rand.NewPCG(5, 5))
	x, y := nntest.RandMatrix[float64](rng, 9, 4), nntest.RandMatrix[float64](rng, 9, 2)
	_, grad, err := train.Gradient(context.Background(), m, x, y, train.Parallelism{Workers: 2, ShardSize: 2})
	require.NoError(t, err)
	const h = 1e-5
	numeric := nntest.NumericGradient(m.Params(), h, func() float64 {
		l, _, _ := train.Evaluate(context.Background(), m, x, y, train.EvalOptions{})
		return l
	})
	assert.Less(t, nntest.RelErr(grad, numeric), 1e-6)
}

// fileVersion reads a model file's format_version.
func fileVersion(t *testing.T, path string) int {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	n := binary.LittleEndian.Uint64(b)
	var h struct {
		Meta map[string]string `json:"__metadata__"`
	}
	require.NoError(t, json.Unmarshal(b[8:8+n], &h))
	var v int
	fmt.Sscan(h.Meta["format_version"], &v)
	return v
}

// Layers that cannot be saved, each in its own way.
type (
	noSpec    struct{ nn.Layer[float32] } // no Spec method
	zeroSpec  struct{ *scale[float32] }   // a zero LayerSpec
	lyingSpec struct{ *scale[float32] }   // claims to be dense
	unknown   struct{ *scale[float32] }   // a kind nobody registered
	badSizes  struct{ *scale[float32] }   // the spec's sizes are not the layer's
)

func (zeroSpec) Spec() nn.LayerSpec { return nn.LayerSpec{} }
func (l lyingSpec) Spec() nn.LayerSpec {
	return nn.LayerSpec{Kind: "dense", Name: l.name, Inputs: 8, Units: 8, Activation: "relu", Params: 16}
}
func (l unknown) Spec() nn.LayerSpec {
	return nn.LayerSpec{Kind: "nobody_registered", Name: l.name, Inputs: 8, Units: 8, Params: 16}
}
func (l badSizes) Spec() nn.LayerSpec {
	sp := l.scale.Spec()
	sp.Params = 3
	return sp
}

// TestUnsavableLayersAreRefused: a layer a file could not hold or load is
// refused by SaveFile with an error (never a panic), and by Fit before the
// first epoch when a checkpoint path is set.
func TestUnsavableLayersAreRefused(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x, y := nntest.RandMatrix[float32](rng, 40, 6), nntest.RandLabels[float32](rng, 40, 3)
	for _, c := range []struct {
		name  string
		layer nn.Layer[float32]
		want  string
	}{
		{"no Spec", noSpec{&scale[float32]{8, "s"}}, "no Spec method"},
		{"zero spec", zeroSpec{&scale[float32]{8, "s"}}, `kind ""`},
		{"a spec that claims dense", lyingSpec{&scale[float32]{8, "s"}}, "claims 16 parameters, not 72"},
		{"an unregistered kind", unknown{&scale[float32]{8, "s"}}, `kind "nobody_registered", which is not registered for float32`},
		{"sizes that are not the layer's", badSizes{&scale[float32]{8, "s"}}, "3 parameters, the layer has 8, 8 and 16"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := customModel[float32](t, c.layer)
			var buf bytes.Buffer
			_, err := m.WriteTo(&buf)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			err = m.SaveFile(filepath.Join(t.TempDir(), "m"))
			assert.ErrorContains(t, err, c.want)

			var epochs countEpochs
			_, err = train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 2, CheckpointPath: filepath.Join(t.TempDir(), "c"),
				Callbacks: []train.Callback{&epochs}})
			assert.ErrorContains(t, err, c.want)
			assert.Zero(t, int(epochs), "epochs trained before the refusal")
			_, err = train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 1}) // without checkpoints it trains
			assert.NoError(t, err)
		})
	}
}

type countEpochs int

func (c *countEpochs) OnEpochEnd(train.TrainState, *train.EpochLog) error { *c++; return nil }

// TestFormatVersions: every model is written as format 3, whose checksum
// covers the header; the format-1 file of an earlier version in testdata
// (checksum of the data alone) still loads.
func TestFormatVersions(t *testing.T) {
	m := nntest.Classifier(t, nn.NewAdam[float32](0.01), 8, 6, 12, 3)
	path := filepath.Join(t.TempDir(), "m")
	require.NoError(t, m.SaveFile(path))
	assert.Equal(t, 3, fileVersion(t, path))
	old := "../../testdata/bad/model_v1_iris.safetensors"
	assert.Equal(t, 1, fileVersion(t, old))
	_, err := nn.LoadFile[float32](old)
	require.NoError(t, err)
	_, err = nn.LoadFile[float64](filepath.Join(t.TempDir(), "none"))
	assert.True(t, errors.Is(err, os.ErrNotExist))
}

// TestBackpropMadeByItsCaller: a layer's Backward can be driven with a
// Backprop built outside nn (to test a layer): Dense's gradients are the
// naive sums, its bias gradient through ColSums included.
func TestBackpropMadeByItsCaller(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	d := nn.NewDense[float64](3, 2, nn.Linear, "d")
	params := make([]float64, d.ParamCount())
	d.Init(params, rng)
	in, dOut := nntest.RandMatrix[float64](rng, 5, 3), nntest.RandMatrix[float64](rng, 5, 2)
	out := nn.NewMatrix[float64](5, 2, nil)
	d.Forward(nn.Pass{}, params, in, out)
	b := &nn.Backprop[float64]{In: in, Out: out, DOut: dOut, DIn: nn.NewMatrix[float64](5, 3, nil), Grads: make([]float64, d.ParamCount())}
	d.Backward(nn.TrainingPass(0, 0, 0, []int{0, 1, 2, 3, 4}, 0), params, b)
	for i := range 3 {
		for j := range 2 {
			var gw float64
			for r := range 5 {
				gw += in.At(r, i) * dOut.At(r, j)
			}
			assert.InDelta(t, gw, b.Grads[i*2+j], 1e-12, "weight %d,%d", i, j)
		}
	}
	for j := range 2 {
		var gb float64
		for r := range 5 {
			gb += dOut.At(r, j)
		}
		assert.InDelta(t, gb, b.Grads[6+j], 1e-12, "bias %d", j)
	}
}
