package tabular

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMonitorWatchesTheTaskMetric: with Monitor set, early stopping waits
// Patience epochs after the best epoch of that metric on the validation
// rows (the first of equal ones), not of the loss; a metric of the other
// task is refused.
func TestMonitorWatchesTheTaskMetric(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		file, monitor, logged string
		higher                bool
	}{
		{"../../testdata/iris.csv", "accuracy", "val_accuracy", true},
		{"../../testdata/diabetes.csv", "r2", "val_r2", true},
		{"../../testdata/diabetes.csv", "mae", "val_mae", false},
	} {
		m, err := Fit(ctx, File(tc.file), Config{Monitor: tc.monitor, ValSplit: 0.3, Patience: 3, Epochs: 400, Hidden: []int{8}, Seed: 4})
		require.NoError(t, err)
		v := m.History.Values(tc.logged)
		require.NotEmpty(t, v, tc.monitor)
		best := slices.Index(v, slices.Max(v))
		if !tc.higher {
			best = slices.Index(v, slices.Min(v))
		}
		require.Less(t, len(v), 400, "%s: stopped early", tc.monitor)
		assert.Equal(t, best+1+3, len(v), "%s: stopped 3 epochs after its best (%v)", tc.monitor, v)
	}
	_, err := Fit(ctx, File("../../testdata/iris.csv"), Config{Monitor: "r2"})
	var se *SettingError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "Monitor", se.Field)
	_, err = Fit(ctx, File("../../testdata/iris.csv"), Config{Monitor: "auc"})
	require.ErrorAs(t, err, &se)
	assert.ErrorContains(t, err, `Config.Monitor "auc": want loss, accuracy, r2, rmse or mae`)
}

// TestMonitorR2OfOneValidationRow: r² of one validation row is not
// defined (NaN), so early stopping on it would stop after Patience epochs
// having seen nothing: refused.
func TestMonitorR2OfOneValidationRow(t *testing.T) {
	_, err := Fit(context.Background(), Bytes("t.csv", plantedTable(50, true)), Config{Targets: []string{"y"}, ValSplit: 0.02, Monitor: "r2", Ensemble: 1, Epochs: 3})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Config.Monitor "r2": r² of a single validation row is not defined`)
	assert.True(t, errors.As(err, new(*SettingError)))
}
