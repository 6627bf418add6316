package tabular

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/prep"
)

// columnsOf reads a CSV file's feature columns as values, the way a
// client of the inference protocol sends them: numbers (NaN for an empty
// cell or an NA token) and text as written; in reverse order of the
// schema, which PredictColumns must not mind.
func columnsOf(t *testing.T, m *Model, path string) []Column {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	var cols []Column
	for _, feat := range m.Prep.Schema.Features {
		j := slices.Index(rows[0], feat.Name)
		require.GreaterOrEqual(t, j, 0, feat.Name)
		c := Column{Name: feat.Name}
		for _, r := range rows[1:] {
			v := r[j]
			switch {
			case feat.Categories != nil:
				c.Texts = append(c.Texts, v)
			case strings.TrimSpace(v) == "" || slices.Contains(csvdata.DefaultNA, strings.TrimSpace(v)):
				c.Numbers = append(c.Numbers, math.NaN())
			default:
				x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				require.NoError(t, err)
				c.Numbers = append(c.Numbers, x)
			}
		}
		cols = append(cols, c)
	}
	slices.Reverse(cols)
	return cols
}

// TestPredictColumnsMatchesPredict: the same rows as columns of values and
// as a CSV file get the same answers, bit for bit — with text categories,
// missing cells, median imputation, missing indicators, float32 and
// float64, classification and regression.
func TestPredictColumnsMatchesPredict(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		file string
		cfg  Config
	}{
		{"scat.csv", Config{Targets: []string{"Species"}}},
		{"Sacramento.csv", Config{Targets: []string{"price"}, MissingIndicator: true}},
		{"diabetes_holes.csv", Config{Ignore: []string{"patient_id"}, Impute: prep.Median, MissingIndicator: true, Precision: F64}},
	} {
		t.Run(c.file, func(t *testing.T) {
			path := messy + c.file
			cfg := c.cfg
			cfg.Epochs = 3
			m, err := Fit(ctx, File(path), cfg)
			require.NoError(t, err)
			want, err := m.Predict(ctx, File(path), PredictOptions{})
			require.NoError(t, err)
			for _, workers := range []int{1, 0} {
				got, err := m.PredictColumns(ctx, columnsOf(t, m, path), PredictOptions{Workers: workers})
				require.NoError(t, err)
				assert.Equal(t, want.Labels, got.Labels)
				assert.Equal(t, want.Probabilities, got.Probabilities)
				assert.Equal(t, want.Values, got.Values)
				assert.Zero(t, got.Lines.Len())
			}
		})
	}
}

func TestPredictColumnsUnseenAndErrors(t *testing.T) {
	ctx := context.Background()
	train := "color,size,w,y\nred,S,1,a\nblue,M,2,b\nred,NA,3,a\nblue,S,4,b\nred,M,5,a\nblue,L,6,b\n"
	m, err := Fit(ctx, Bytes("train", []byte(train)), Config{Epochs: 3, Workers: 1})
	require.NoError(t, err)
	cols := func() []Column {
		return []Column{
			{Name: "color", Texts: []string{" red ", "green", "blue"}},
			{Name: "size", Texts: []string{"XL", "NA", ""}},
			{Name: "w", Numbers: []float64{1, math.NaN(), 2}},
		}
	}
	// The same rows as CSV: NA and "" are the missing category, which
	// training saw; spaces are trimmed.
	want, err := m.Predict(ctx, Bytes("test", []byte("color,size,w\nred,XL,1\ngreen,NA,\nblue,,2\n")), PredictOptions{})
	require.NoError(t, err)
	var warn bytes.Buffer
	got, err := m.PredictColumns(ctx, cols(), PredictOptions{Warn: &warn})
	require.NoError(t, err)
	assert.Equal(t, want.Probabilities, got.Probabilities)
	assert.Equal(t, []csvdata.Cells{{Column: "color", Count: 1, First: "green", Line: 2}, {Column: "size", Count: 1, First: "XL", Line: 1}}, got.Unseen)
	assert.Contains(t, warn.String(), `columns: column "color": 1 values not seen in training`)

	_, err = m.PredictColumns(ctx, cols(), PredictOptions{Strict: true})
	assert.EqualError(t, err, `column "color", row 2: category "green" was not seen in training`)
	assert.ErrorAs(t, err, new(*InputError))

	for _, tc := range []struct {
		change func([]Column) []Column
		want   string
	}{
		{func(c []Column) []Column { return append(c, Column{Name: "z", Numbers: []float64{1, 2, 3}}) }, `unknown column "z"`},
		{func(c []Column) []Column { return append(c, c[0]) }, `column "color" given twice`},
		{func(c []Column) []Column { return c[1:] }, `column "color", a feature of the model, is missing`},
		{func(c []Column) []Column { c[2].Numbers = c[2].Numbers[:2]; return c }, `column "w" has 2 rows, the others 3`},
		{func(c []Column) []Column { c[0] = Column{Name: "color", Numbers: []float64{1, 2, 3}}; return c }, `column "color" holds text categories, not numbers`},
		{func(c []Column) []Column { c[2] = Column{Name: "w", Texts: []string{"1", "2", "3"}}; return c }, `column "w" holds numbers, not text`},
		{func(c []Column) []Column { c[2].Numbers[1] = 1e39; return c }, `column "w", row 2: 1e+39 is beyond the range of float32`},
		{func(c []Column) []Column { c[2].Numbers[2] = math.Inf(-1); return c }, `column "w", row 3: -Inf is not allowed`},
	} {
		_, err := m.PredictColumns(ctx, tc.change(cols()), PredictOptions{})
		assert.ErrorContains(t, err, tc.want)
		assert.ErrorAs(t, err, new(*InputError))
	}
	_, err = m.PredictColumns(ctx, cols()[1:], PredictOptions{})
	var nf *csvdata.ColumnNotFoundError
	require.ErrorAs(t, err, &nf, "as docs/library.md lists it")
	assert.Equal(t, "color", nf.Name)

	// Without imputation a missing number is an error at its row.
	m2, err := Fit(ctx, Bytes("train", []byte(train)), Config{Epochs: 1, Workers: 1, Impute: prep.NoImpute})
	require.NoError(t, err)
	_, err = m2.PredictColumns(ctx, cols(), PredictOptions{})
	assert.ErrorContains(t, err, `row 2: missing value`)
}
