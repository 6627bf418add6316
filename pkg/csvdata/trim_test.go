package csvdata

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQuotedCellsAreTrimmed: a quoted cell is trimmed of spaces and tabs
// as an unquoted one is — a category, a missing-value token, a number, a
// header name, a target — so that a cell means the same whatever its
// quoting, as it does to a reader given the cell without its quotes (a
// server's JSON, an ONNX runtime). Under a schema (prediction) too.
func TestQuotedCellsAreTrimmed(t *testing.T) {
	ctx := context.Background()
	text := "\" sale \",rooms,\"kind\"\n" +
		"WD ,5,a\n" +
		"\"WD \",\" 6.0\t\",\" b\"\n" +
		"\"\tNew\",7,\"a \"\n" +
		"\" NA \",\"  NA\",\"b\"\n" +
		"\"W\"\"D \",8,a\n"
	tab, err := ReadBytes[float64](ctx, "t.csv", []byte(text), Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"sale", "rooms", "kind"}, tab.Header)
	assert.Equal(t, []string{"sale=", "sale=New", "sale=W\"D", "sale=WD", "rooms"}, tab.Schema.Names())
	assert.Equal(t, []string{"a", "b", "a", "b", "a"}, tab.Targets[0].Strings)
	rooms := make([]float64, tab.X.Rows)
	for i := range rooms {
		rooms[i] = tab.X.Row(i)[4]
	}
	assert.Equal(t, []float64{5, 6, 7}, rooms[:3])
	assert.True(t, math.IsNaN(rooms[3]))

	pred, err := ReadBytes[float64](ctx, "p.csv", []byte("sale,rooms\n\"  WD\t\",\" 1 \"\n\" New \",2\n\" null\",3\n"),
		Options{Schema: &tab.Schema, NoTargets: true, StrictCategories: true})
	require.NoError(t, err)
	assert.Equal(t, []float64{0, 0, 0, 1, 1}, pred.X.Row(0))
	assert.Equal(t, []float64{0, 1, 0, 0, 2}, pred.X.Row(1))
	assert.Equal(t, []float64{1, 0, 0, 0, 3}, pred.X.Row(2))
}
