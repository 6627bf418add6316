package benchmarks

import (
	"math/rand/v2"

	"github.com/densetrain/densetrain/pkg/nn"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// W1Sizes are the layer widths of W1, input first.
var W1Sizes = []int{784, 256, 128, 10}

// W1Batch is the batch size of W1.
const W1Batch = 128

// W1Samples is the number of random training samples of the W1 data set.
const W1Samples = 4096

// W1FlopsPerSample is the floating-point operations of one training step per
// sample: forward and weight-gradient products for every layer, and
// input-gradient products for every layer but the first, 2 flops per
// multiply-add. For W1 it is 1 007 104.
func W1FlopsPerSample() float64 {
	var f float64
	for i := 0; i+1 < len(W1Sizes); i++ {
		mac := float64(W1Sizes[i] * W1Sizes[i+1])
		f += 2 * 2 * mac // forward + weight gradient
		if i > 0 {
			f += 2 * mac // input gradient
		}
	}
	return f
}

// W1Model returns a compiled W1 model and its random data set (uniform
// pixels in [0, 1), uniform labels 0–9).
func W1Model[T nn.Float](seed uint64) (*nn.Model[T], nn.Matrix[T], nn.Matrix[T]) {
	m := nn.NewModel[T]()
	for i := 0; i+1 < len(W1Sizes); i++ {
		act := nn.ReLU
		if i+2 == len(W1Sizes) {
			act = nn.Softmax
		}
		m.Add(nn.NewDense[T](W1Sizes[i], W1Sizes[i+1], act, ""))
	}
	if err := m.Compile(nn.CrossEntropy[T](), nn.NewAdam[T](1e-3), nn.WithSeed(seed)); err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	x := nn.NewMatrix[T](W1Samples, W1Sizes[0], nil)
	for i := range x.Data {
		x.Data[i] = T(rng.Float64())
	}
	y := nn.NewMatrix[T](W1Samples, 1, nil)
	for i := range y.Data {
		y.Data[i] = T(rng.IntN(W1Sizes[len(W1Sizes)-1]))
	}
	return m, x, y
}

// w1GEMMs lists the products of one W1 step on rows samples, with the
// engine's layout (weights In × Units): forward X·W, weight gradient Xᵀ·dZ,
// input gradient dZ·Wᵀ (not for the first layer).
func w1GEMMs(rows int) []GEMMOp {
	var ops []GEMMOp
	for i := 0; i+1 < len(W1Sizes); i++ {
		in, out := W1Sizes[i], W1Sizes[i+1]
		ops = append(ops, GEMMOp{false, false, rows, out, in}, GEMMOp{true, false, in, out, rows})
		if i > 0 {
			ops = append(ops, GEMMOp{false, true, rows, in, out})
		}
	}
	return ops
}

// GEMMStep returns a function that runs the products of one W1 training
// step on rows samples, and their flops. With tiled, it calls nn.Gemm, the
// engine's serial path; otherwise it calls the installed BLAS directly,
// which for gonum's native implementation means its own goroutine fan-out.
func GEMMStep[T nn.Float](rows int, tiled bool) (run func(), flops float64) {
	ops := w1GEMMs(rows)
	type bufs struct{ a, b, c []T }
	data := make([]bufs, len(ops))
	rng := rand.New(rand.NewPCG(1, 1))
	for i, o := range ops {
		a, b, c := RandomOperands[T](o, rng)
		data[i] = bufs{a, b, c}
		flops += o.Flops()
	}
	var z T
	_, is32 := any(z).(float32)
	run = func() {
		for i, o := range ops {
			d := data[i]
			if tiled {
				a, b := nn.NewMatrix(o.M, o.K, d.a), nn.NewMatrix(o.K, o.N, d.b)
				if o.TA {
					a = nn.NewMatrix(o.K, o.M, d.a)
				}
				if o.TB {
					b = nn.NewMatrix(o.N, o.K, d.b)
				}
				nn.Gemm(o.TA, o.TB, 1, a, b, 0, nn.NewMatrix(o.M, o.N, d.c))
				continue
			}
			lda, ldb := o.Strides()
			if is32 {
				blas32.Implementation().Sgemm(Trans(o.TA), Trans(o.TB), o.M, o.N, o.K, 1, any(d.a).([]float32), lda,
					any(d.b).([]float32), ldb, 0, any(d.c).([]float32), o.N)
			} else {
				blas64.Implementation().Dgemm(Trans(o.TA), Trans(o.TB), o.M, o.N, o.K, 1, any(d.a).([]float64), lda,
					any(d.b).([]float64), ldb, 0, any(d.c).([]float64), o.N)
			}
		}
	}
	return run, flops
}
