package tabular

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEnsembleAveragesItsMembers: an ensemble of K is the mean of the K
// networks Fit trains alone from seeds Seed … Seed+K−1 — the mean value of
// a regression, the normalized geometric mean of a classifier's
// probabilities (its mean logit) — with hidden layers, input dropout and
// dropout, with the PBLD embedding, and without hidden layers; a small
// table's default is an ensemble of DefaultEnsemble. (The members of an
// ensemble share the split of Seed: the tables here have no split, or a
// validation table.)
func TestEnsembleAveragesItsMembers(t *testing.T) {
	const k = 3
	ctx := context.Background()
	diabetes := File("../../testdata/diabetes.csv")
	for _, tc := range []struct {
		name, file string
		c          Config
	}{
		{"classify, dropout", "../../testdata/iris.csv", Config{Hidden: []int{8, 4}, InputDropout: 0.1, Dropout: []float64{0.2}, Epochs: 15, Seed: 5}},
		{"classify, no hidden layer, f64", "../../testdata/iris.csv", Config{Hidden: []int{}, Precision: F64, Epochs: 15, Seed: 5}},
		{"regression, dates", "../../testdata/dates.csv", Config{Targets: []string{"units"}, Ignore: []string{"sold"}, Hidden: []int{8}, Epochs: 10, Seed: 2, NoValSplit: true}},
		{"regression, a validation table", "../../testdata/diabetes.csv", Config{Hidden: []int{6, 5}, Epochs: 5, Seed: 7, Val: &diabetes}},
		{"classify, PBLD embedding, f64", "../../testdata/iris.csv", Config{Hidden: []int{6}, NumericEmbedding: PBLD, Precision: F64, Epochs: 10, Seed: 3}},
		{"regression, PBLD embedding, no hidden layer", "../../testdata/diabetes.csv", Config{Hidden: []int{}, NumericEmbedding: PBLD, Epochs: 5, Seed: 4, Val: &diabetes}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := File(tc.file)
			var members []*Predictions
			for i := range k {
				c := tc.c
				c.Seed += uint64(i)
				c.Ensemble = 1
				m, err := Fit(ctx, src, c)
				require.NoError(t, err)
				p, err := m.Predict(ctx, src, PredictOptions{})
				require.NoError(t, err)
				members = append(members, p)
				if i == 0 && tc.name == "classify, dropout" { // by default, a small table gets DefaultEnsemble
					c.Ensemble = 0
					def, err := Fit(ctx, src, c)
					require.NoError(t, err)
					c.Ensemble = DefaultEnsemble
					five, err := Fit(ctx, src, c)
					require.NoError(t, err)
					assert.Equal(t, modelBytes(t, five), modelBytes(t, def))
					layers := def.Summary().Layers
					assert.Equal(t, 4*DefaultEnsemble, layers[len(layers)-1].Inputs) // the output layer takes 4 units a member
				}
			}
			c := tc.c
			c.Ensemble, c.SharedVal = k, true // the members' split, each one's alone
			m, err := Fit(ctx, src, c)
			require.NoError(t, err)
			got, err := m.Predict(ctx, src, PredictOptions{})
			require.NoError(t, err)
			tol := 2e-5
			if m.Float64() {
				tol = 1e-12
			}
			if got.Probabilities.Data != nil {
				for r := range got.Probabilities.Rows {
					want := make([]float64, got.Probabilities.Cols)
					sum := 0.0
					for j := range want {
						for _, p := range members {
							want[j] += math.Log(p.Probabilities.Row(r)[j]) / k
						}
						want[j] = math.Exp(want[j])
						sum += want[j]
					}
					for j := range want {
						require.InDelta(t, want[j]/sum, got.Probabilities.Row(r)[j], tol, "row %d", r)
					}
				}
				return
			}
			for i, v := range got.Values.Data {
				want := 0.0
				for _, p := range members {
					want += p.Values.Data[i] / k
				}
				require.InDelta(t, want, v, tol*math.Max(1, math.Abs(want)), "value %d", i)
			}
		})
	}
}

// TestDefaultEnsembleBySize: the default is DefaultEnsemble networks for a
// table of at most DefaultEnsembleMaxRows rows, and one for a larger one
// or a run with checkpoints (which hold one network).
func TestDefaultEnsembleBySize(t *testing.T) {
	c := Config{}
	assert.Equal(t, DefaultEnsemble, defaultEnsemble(c, DefaultEnsembleMaxRows))
	assert.Equal(t, 1, defaultEnsemble(c, DefaultEnsembleMaxRows+1))
	c.CheckpointEvery = 1
	assert.Equal(t, 1, defaultEnsemble(c, 10))
	c = Config{Resume: true}
	assert.Equal(t, 1, defaultEnsemble(c, 10))

	ctx := context.Background()
	m, err := Fit(ctx, File("../../testdata/iris.csv"), Config{Epochs: 2, Hidden: []int{4}, CheckpointEvery: 1, CheckpointPath: t.TempDir() + "/m.ckpt"})
	require.NoError(t, err)
	assert.Equal(t, 4, m.Summary().Layers[0].Units, "one network")
}
