package nn_test

import (
	"context"
	"slices"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestValidationRowsAreTheSplitGivenOnce: the rows SplitRows draws, given
// as ValidationRows (in any order), train exactly as ValidationSplit.
func TestValidationRowsAreTheSplitGivenOnce(t *testing.T) {
	fit := func(opt nn.FitOptions) *nn.History {
		m, x, y, _, _ := overfitCase(t)
		opt.Epochs, opt.Seed = 3, 9
		h, err := m.Fit(context.Background(), x, y, opt)
		require.NoError(t, err)
		return h
	}
	_, x, _, _, _ := overfitCase(t)
	_, val, err := nn.SplitRows(x.Rows, 0.25, 9)
	require.NoError(t, err)
	slices.Reverse(val)
	a, b := fit(nn.FitOptions{ValidationSplit: 0.25}), fit(nn.FitOptions{ValidationRows: val})
	for i := range a.Epochs {
		assert.Equal(t, a.Epochs[i].Loss, b.Epochs[i].Loss)
		assert.Equal(t, a.Epochs[i].ValLoss, b.Epochs[i].ValLoss)
	}
}

func TestValidationSplitIsSeededAndDisjoint(t *testing.T) {
	m, x, y, _, _ := overfitCase(t)
	_, err := m.Fit(context.Background(), x, y, nn.FitOptions{ValidationSplit: 1.5})
	assert.ErrorContains(t, err, "validation split 1.5")
	_, err = m.Fit(context.Background(), x, y, nn.FitOptions{ValidationSplit: 0.97})
	assert.ErrorContains(t, err, "empty side")
	_, err = m.Fit(context.Background(), x, y, nn.FitOptions{ValidationSplit: 0.2, ValidationData: nn.NewDataset(x, y)})
	assert.ErrorContains(t, err, "give one of")
	_, err = m.Fit(context.Background(), x, y, nn.FitOptions{ValidationSplit: 0.2, ValidationRows: []int{1}})
	assert.ErrorContains(t, err, "give one of")
	_, err = m.Fit(context.Background(), x, y, nn.FitOptions{ValidationRows: []int{1, 1}})
	assert.ErrorContains(t, err, "out of range or repeated")
	_, err = m.Fit(context.Background(), x, y, nn.FitOptions{ValidationRows: []int{x.Rows}})
	assert.ErrorContains(t, err, "out of range or repeated")
	_, err = m.Fit(context.Background(), x, y, nn.FitOptions{ValidationData: nn.NewDataset(nn.NewMatrix[float32](1, 2, nil), nn.NewMatrix[float32](1, 1, nil))})
	assert.ErrorContains(t, err, "another precision")

	run := func(seed uint64) []float64 {
		m, x, y, _, _ := overfitCase(t)
		h, err := m.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 3, ValidationSplit: 0.25, Seed: seed})
		require.NoError(t, err)
		return h.Values("val_loss")
	}
	a, b, c := run(1), run(1), run(2)
	assert.Equal(t, a, b)
	assert.NotEqual(t, a, c)
}
