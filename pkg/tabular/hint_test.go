package tabular

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cliFlag matches a command-line flag in a message: --na, --strict.
var cliFlag = regexp.MustCompile(`(^|[^-\w])--[a-z]`)

// TestFitErrorsNameNoFlags fits every table of the bad-input corpus
// (testdata/bad) with a few configurations: no error names a flag of the
// train command; the library speaks Go.
func TestFitErrorsNameNoFlags(t *testing.T) {
	files, err := filepath.Glob("../../testdata/bad/*.csv*")
	require.NoError(t, err)
	configs := []Config{{}, {Impute: "error"}, {Task: "regress"}, {Categorical: []string{"id"}, MaxCategories: 10}}
	errs := 0
	for _, f := range files {
		for _, c := range configs {
			c.Epochs, c.Hidden = 1, []int{}
			_, err := Fit(context.Background(), File(f), c)
			if err == nil {
				continue
			}
			errs++
			assert.NotRegexp(t, cliFlag, err.Error(), "%s", f)
			assert.NotContains(t, err.Error(), "\n", "%s", f)
		}
	}
	assert.Greater(t, errs, 40)
}

// TestHintsNameConfigFields: the settings that Fit's, Predict's and
// PredictColumns' errors and warnings advise are fields of Config and
// PredictOptions, or what their Hints renders.
func TestHintsNameConfigFields(t *testing.T) {
	ctx := context.Background()
	fit := func(text string, c Config) error {
		c.Epochs, c.Hidden = 1, []int{}
		_, err := Fit(ctx, Bytes("t.csv", []byte(text)), c)
		return err
	}
	err := fit("a,b,y\n1,2,0\n3,?,1\n5,6,0\n", Config{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `declare it with "?" in Config.NA; if the column holds categories, declare it with "b" in Config.Categorical`)
	err = fit("a,y\n1e39,0\n2,1\n", Config{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "(train with Config.Precision F64 for a float64 model)")
	err = fit("a,y\n1,1e39\n2,1\n", Config{Task: "regress"}) // from prep: a target
	require.Error(t, err)
	assert.Contains(t, err.Error(), `t.csv:2: "1e39" in target column "y" is beyond the range of float32 (train with Config.Precision F64 for a float64 model)`)
	var he *csvdata.HintError
	require.True(t, errors.As(err, &he))
	assert.Equal(t, []csvdata.Hint{{Field: "Float64"}}, he.Hints())
	err = fit("a,b,y\n1,2,0\n3,?,1\n5,6,0\n", Config{Hints: func(h csvdata.Hint) string { return "<" + h.Field + " " + h.Value + ">" }})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "declare it with <NA ?>; if the column holds categories, declare it with <Categorical b>")

	m, err := Fit(ctx, Bytes("train", []byte("a,c,y\n1,red,0\n2,blue,1\n3,red,0\n4,blue,1\n")), Config{Epochs: 1, Hidden: []int{}})
	require.NoError(t, err)
	_, err = m.Predict(ctx, Bytes("test", []byte("a,c\nx,red\n")), PredictOptions{Strict: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `test:2:1: "x" in column "a" is not a number (if it means a missing value, declare it with PredictOptions.NA)`)
	_, err = m.Predict(ctx, Bytes("test", []byte("a,c\nx,red\n")), PredictOptions{Hints: func(h csvdata.Hint) string { return "--" + strings.ToLower(h.Field) }})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "declare it with --na)")
	_, err = m.Evaluate(ctx, Bytes("test", []byte("a,c,y\n1e39,red,0\n")), PredictOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "(train with Config.Precision F64 for a float64 model)")
	_, err = m.PredictColumns(ctx, []Column{{Name: "a", Numbers: []float64{1e39}}, {Name: "c", Texts: []string{"red"}}}, PredictOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "column \"a\", row 1: 1e+39 is beyond the range of float32 (train with Config.Precision F64 for a float64 model)")
	var warn bytes.Buffer
	_, err = m.PredictColumns(ctx, []Column{{Name: "a", Numbers: []float64{1}}, {Name: "c", Texts: []string{"green"}}}, PredictOptions{Warn: &warn})
	require.NoError(t, err)
	assert.Contains(t, warn.String(), "; PredictOptions.Strict makes this an error)")
	warn.Reset()
	_, err = m.PredictColumns(ctx, []Column{{Name: "a", Numbers: []float64{1}}, {Name: "c", Texts: []string{"green"}}},
		PredictOptions{Warn: &warn, Hints: func(h csvdata.Hint) string { return "--" + strings.ToLower(h.Field) }})
	require.NoError(t, err)
	assert.Contains(t, warn.String(), "; --strict makes this an error)")
}

// Fit's validation file has no strict setting: its unseen categories are
// counted without advising one.
func TestValidationUnseenAdvisesNoStrict(t *testing.T) {
	var warn bytes.Buffer
	val := Bytes("val", []byte("a,c,y\n1,green,0\n2,blue,1\n"))
	_, err := Fit(context.Background(), Bytes("train", []byte("a,c,y\n1,red,0\n2,blue,1\n3,red,0\n4,blue,1\n")),
		Config{Epochs: 1, Hidden: []int{}, Val: &val, Warn: &warn})
	require.NoError(t, err)
	assert.Contains(t, warn.String(), `val: column "c": 1 values not seen in training, encoded as all zeros (the first "green" at line 2)`)
	assert.NotContains(t, warn.String(), "Strict")
}
