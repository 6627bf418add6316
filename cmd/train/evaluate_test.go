package main

import (
	"bytes"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// evaluate --json keeps every metric: one that is not a number is null,
// and named on stderr.
func TestMetricsJSONKeepsNonFinite(t *testing.T) {
	var out, errs bytes.Buffer
	require.NoError(t, writeMetricsJSON(&out, &errs, map[string]float64{"loss": math.Inf(1), "r2": 0.5, "rmse": math.NaN()}))
	assert.JSONEq(t, `{"loss": null, "r2": 0.5, "rmse": null}`, out.String())
	assert.Contains(t, errs.String(), "loss is +Inf")
	assert.Contains(t, errs.String(), "rmse is NaN")
}
