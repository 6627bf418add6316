package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
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

func benchStep[T nn.Float](b *testing.B, workers int) {
	const batch, rows = 128, 1024
	sizes := []int{784, 256, 128, 10}
	m := nn.NewModel[T]()
	for i := 0; i+1 < len(sizes); i++ {
		act := nn.ReLU
		if i+2 == len(sizes) {
			act = nn.Softmax
		}
		m.Add(nn.NewDense[T](sizes[i], sizes[i+1], act, ""))
	}
	if err := m.Compile(nn.CrossEntropy[T](), nn.NewAdam[T](1e-3)); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := nn.NewMatrix[T](rows, sizes[0], nil), nn.NewMatrix[T](rows, 1, nil)
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
	tr := newTrainer(m, Source[T](InMemory(x, y)), nil, nil, batch, par)
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

func benchParts[T nn.Float](b *testing.B) {
	const batch, rows, lanes = 128, 1024, 4
	m := nn.NewModel[T]()
	m.Add(nn.NewDense[T](784, 256, nn.ReLU, ""))
	m.Add(nn.NewDense[T](256, 128, nn.ReLU, ""))
	m.Add(nn.NewDense[T](128, 10, nn.Softmax, ""))
	if err := m.Compile(nn.CrossEntropy[T](), nn.NewAdam[T](1e-3)); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := nn.NewMatrix[T](rows, 784, nil), nn.NewMatrix[T](rows, 1, nil)
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
	tr := newTrainer(m, Source[T](InMemory(x, y)), nil, nil, batch, par)
	tr.scale = 1.0 / batch
	r := m.NewReplica(par.ShardSize, 1)
	idx := rng.Perm(rows)[:par.ShardSize]
	acc := make([]float64, tr.metrics.Len(m.OutputSize()))
	b.Run("shard", func(b *testing.B) {
		for b.Loop() {
			tr.shard(r, idx, tr.grad(), acc, false)
		}
	})
	n := len(m.Params())
	b.Run("reduce4", func(b *testing.B) {
		for b.Loop() {
			parallel.TreeAddInto(tr.lanes.grads[:lanes], 0, n, nn.AddInto[T])
		}
	})
	b.Run("norm", func(b *testing.B) {
		for b.Loop() {
			nn.SumSquares(tr.grad())
		}
	})
	opt := m.Optimizer()
	opt.Next()
	b.Run("adam", func(b *testing.B) {
		for b.Loop() {
			nn.UpdateChunk(opt, m.Params(), tr.grad(), 0, n)
		}
	})
}
