package train

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/parallel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTrainingStepAllocatesNothing: once the replicas exist, a step
// (gradient, reduction, optimizer) makes no allocation.
func TestTrainingStepAllocatesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	m := nn.NewModel[float32]()
	m.Add(nn.NewDense[float32](20, 32, nn.ReLU, "h"))
	m.Add(nn.NewDense[float32](32, 5, nn.Softmax, "o"))
	require.NoError(t, m.Compile(nn.CrossEntropy[float32](), nn.NewAdam[float32](1e-3)))
	x := nn.NewMatrix[float32](256, 20, nil)
	y := nn.NewMatrix[float32](256, 1, nil)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	for i := range y.Data {
		y.Data[i] = float32(rng.IntN(5))
	}
	idx := make([]int, 256)
	for i := range idx {
		idx[i] = i
	}
	par, _ := Parallelism{Workers: 2, ShardSize: 16}.withDefaults(128)
	tr := newTrainer(m, Source[float32](InMemory(x, y)), nil, nil, 128, par)
	require.NoError(t, parallel.Run(context.Background(), 2, func(p *parallel.Pool) error {
		step := func() {
			for lo := 0; lo < len(idx); lo += 128 {
				_, err := tr.gradient(p, idx[lo:lo+128])
				require.NoError(t, err)
				require.NoError(t, tr.apply(p))
			}
		}
		step() // create the replicas
		assert.Zero(t, testing.AllocsPerRun(20, step))
		return nil
	}))
}

func TestDefaultShardSizeGivesLanes(t *testing.T) {
	// batch: shard size, lanes
	for batch, want := range map[int][2]int{1: {32, 1}, 32: {32, 1}, 33: {32, 2}, 64: {32, 2}, 65: {33, 2},
		128: {64, 2}, 255: {128, 2}, 256: {128, 2}, 257: {128, 3}, 512: {128, 4}, 4096: {128, 16}} {
		p, err := Parallelism{Workers: 64}.withDefaults(batch)
		require.NoError(t, err)
		assert.Equal(t, want[0], p.ShardSize, "batch %d", batch)
		assert.Equal(t, want[1], p.Workers, "batch %d: workers clamped to the lanes", batch)
	}
}
