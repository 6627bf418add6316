package prep

import (
	"context"
	"math"
	"testing"

	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFitRefusesAnUnknownImputation: a direct caller's misspelt imputation
// is refused by Fit, not filled by the mean and stored under a name no
// model file can be read back with.
func TestFitRefusesAnUnknownImputation(t *testing.T) {
	x := tensor.NewMatrix(3, 1, []float64{1, math.NaN(), 3})
	var p Preprocessing
	err := FitExcept(context.Background(), &p, x, tensor.NewMatrix(3, 1, []float64{0, 1, 0}), nil, Options{Impute: "Median"})
	var ne *NameError
	require.ErrorAs(t, err, &ne)
	assert.Equal(t, "Median", ne.Name)
}
