package train_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPartEvaluationIsEvaluate: rows given in parts of any sizes (shorter
// and longer than a shard, ending mid-shard) give Evaluate's loss and
// metrics bit for bit, for classification and regression, on 1 to 3
// workers; more rows than targets, or fewer, is an error.
func TestPartEvaluationIsEvaluate(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	x := nntest.RandMatrix[float64](rng, 1300, 10)
	for _, task := range []string{"classify", "regress"} {
		m := nn.NewModel[float64]()
		m.Add(nn.NewDense[float64](10, 16, nn.Tanh, "h"))
		var y nn.Matrix[float64]
		if task == "classify" {
			m.Add(nn.NewDense[float64](16, 3, nn.Softmax, "out"))
			require.NoError(t, m.Compile(nn.CrossEntropy[float64](), nn.NewAdam[float64](0.01), nn.WithSeed(5)))
			y = nntest.RandLabels[float64](rng, x.Rows, 3)
		} else {
			d := nn.NewDense[float64](16, 2, nn.Linear, "out")
			d.L2 = 0.01
			m.Add(d)
			require.NoError(t, m.Compile(nn.MSE[float64](), nn.NewAdam[float64](0.01), nn.WithSeed(5)))
			y = nntest.RandMatrix[float64](rng, x.Rows, 2)
		}
		loss, metrics, err := train.Evaluate(context.Background(), m, x, y, train.EvalOptions{})
		require.NoError(t, err)
		for _, parts := range [][]int{{1300}, {1, 255, 1, 1043}, {700, 600}, {256, 256, 788}, {13, 13, 1274}} {
			for _, w := range []int{1, 3} {
				e, err := train.NewPartEvaluation(m, y, train.EvalOptions{Workers: w})
				require.NoError(t, err)
				lo := 0
				for _, n := range parts {
					require.NoError(t, e.Add(context.Background(), x.SliceRows(lo, lo+n)))
					lo += n
				}
				l, mt, err := e.Result(context.Background())
				require.NoError(t, err)
				assert.Equal(t, loss, l, "%s %v %d workers", task, parts, w)
				assert.Equal(t, metrics, mt, "%s %v %d workers", task, parts, w)
			}
		}
		e, err := train.NewPartEvaluation(m, y, train.EvalOptions{})
		require.NoError(t, err)
		require.NoError(t, e.Add(context.Background(), x.SliceRows(0, 10)))
		_, _, err = e.Result(context.Background())
		assert.ErrorContains(t, err, "10 rows given, 1300 targets")
		assert.Error(t, e.Add(context.Background(), x))
	}
}
