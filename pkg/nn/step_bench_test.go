package nn

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/parallel"
)

// BenchmarkTrainStep measures one W1-shaped training step (784-256-128-10,
// ReLU, softmax cross-entropy, Adam, batch 128: gradient, reduction, norm,
// update) in steady state, with allocs/op, in a form benchstat compares:
//
//	go test -run '^$' -bench TrainStep -count 10 ./pkg/nn > new.txt
func BenchmarkTrainStep(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("f32/workers=%d", workers), func(b *testing.B) { benchStep[float32](b, workers) })
		b.Run(fmt.Sprintf("f64/workers=%d", workers), func(b *testing.B) { benchStep[float64](b, workers) })
	}
}

func benchStep[T Float](b *testing.B, workers int) {
	const batch, rows = 128, 1024
	sizes := []int{784, 256, 128, 10}
	m := NewModel[T]()
	for i := 0; i+1 < len(sizes); i++ {
		act := ReLU
		if i+2 == len(sizes) {
			act = Softmax
		}
		m.Add(NewDense[T](sizes[i], sizes[i+1], act, ""))
	}
	if err := m.Compile(CrossEntropy[T](), NewAdam[T](1e-3)); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := NewMatrix[T](rows, sizes[0], nil), NewMatrix[T](rows, 1, nil)
	for i := range x.Data {
		x.Data[i] = T(rng.Float64())
	}
	for i := range y.Data {
		y.Data[i] = T(rng.IntN(10))
	}
	idx := rng.Perm(rows)
	par, err := Parallelism{Workers: workers}.withDefaults(batch)
	if err != nil {
		b.Fatal(err)
	}
	tr := newTrainer(m, x, y, nil, nil, batch, par)
	err = parallel.Run(context.Background(), workers, func(p *parallel.Pool) error {
		k := 0
		step := func() error {
			lo := k % (rows / batch) * batch
			k++
			if _, err := tr.gradient(p, idx[lo:lo+batch]); err != nil {
				return err
			}
			if _, err := tr.gradNorm(p); err != nil {
				return err
			}
			return tr.apply(p)
		}
		if err := step(); err != nil { // creates the replicas
			return err
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if err := step(); err != nil {
				return err
			}
		}
		b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "samples/s")
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkStepParts times, on one core, the parts of a W1 step that the
// scaling model in benchmarks/README.md combines: one 32-row shard's forward and
// backward pass, the tree reduction of four lane gradients, the squared
// norm, and Adam's update, each over the whole parameter vector.
func BenchmarkStepParts(b *testing.B) {
	b.Run("f32", benchParts[float32])
	b.Run("f64", benchParts[float64])
}

func benchParts[T Float](b *testing.B) {
	const batch, rows, lanes = 128, 1024, 4
	m := NewModel[T]()
	m.Add(NewDense[T](784, 256, ReLU, ""))
	m.Add(NewDense[T](256, 128, ReLU, ""))
	m.Add(NewDense[T](128, 10, Softmax, ""))
	if err := m.Compile(CrossEntropy[T](), NewAdam[T](1e-3)); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := NewMatrix[T](rows, 784, nil), NewMatrix[T](rows, 1, nil)
	for i := range x.Data {
		x.Data[i] = T(rng.Float64())
	}
	for i := range y.Data {
		y.Data[i] = T(rng.IntN(10))
	}
	par, err := Parallelism{Workers: 1, ShardSize: 32}.withDefaults(batch) // the model's t_s: 32-row shards
	if err != nil {
		b.Fatal(err)
	}
	tr := newTrainer(m, x, y, nil, nil, batch, par)
	tr.scale = 1.0 / batch
	r := newReplica(m, par.ShardSize, 1)
	idx := rng.Perm(rows)[:par.ShardSize]
	acc := make([]float64, tr.metrics.len(m.OutputSize()))
	b.Run("shard", func(b *testing.B) {
		for b.Loop() {
			r.shard(&tr.stepData, idx, tr.grad(), acc, false)
		}
	})
	n := len(m.params)
	b.Run("reduce4", func(b *testing.B) {
		for b.Loop() {
			parallel.TreeAddInto(tr.lanes.grads[:lanes], 0, n, addInto[T])
		}
	})
	b.Run("norm", func(b *testing.B) {
		for b.Loop() {
			sumSquares(tr.grad())
		}
	})
	opt := m.opt.(*Adam[T])
	opt.Next()
	b.Run("adam", func(b *testing.B) {
		for b.Loop() {
			opt.updateFinite(m.params, tr.grad(), 0, n)
		}
	})
}
