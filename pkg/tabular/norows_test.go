package tabular

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoRowsToAnswer: a file of a header alone (and blank lines) is an
// input error for Predict, PredictParts, Evaluate and EvaluateParts alike,
// read from a file or from bytes; a file whose every row lacks a target
// is one for Evaluate and EvaluateParts, worded alike.
func TestNoRowsToAnswer(t *testing.T) {
	ctx := context.Background()
	m, err := Fit(ctx, Bytes("t.csv", weightedTable(60, ones)), Config{Ignore: []string{"w"}, Epochs: 1, Ensemble: 1})
	require.NoError(t, err)
	dir := t.TempDir()
	for _, content := range []string{"x1,w,x2,label\n", "x1,w,x2,label\n\n\n", "x1,w,x2,label\n1,1,2,\n"} {
		path := filepath.Join(dir, "e.csv")
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		for _, src := range []Source{File(path), Bytes(path, []byte(content))} {
			evals := []func(context.Context, Source, PredictOptions) (*Evaluation, error){m.Evaluate, m.EvaluateParts}
			for k, eval := range evals {
				_, err := eval(ctx, src, PredictOptions{})
				var ie *InputError
				require.ErrorAs(t, err, &ie, "%q, evaluation %d", content, k)
				if strings.Count(content, ",") > 3 {
					assert.EqualError(t, err, path+`: every row has a missing target (column "label", first at line 2)`)
				} else {
					assert.EqualError(t, err, path+`:2: no data rows after the header`)
				}
			}
			if strings.Count(content, ",") > 3 {
				continue // a missing target is no missing row to predict
			}
			_, err := m.Predict(ctx, src, PredictOptions{})
			assert.EqualError(t, err, path+`:2: no data rows after the header`)
			err = m.PredictParts(ctx, src, PredictOptions{}, func(*Predictions) error { return nil })
			assert.EqualError(t, err, path+`:2: no data rows after the header`)
		}
	}
}

// TestWarnsOfAnEmptyColumn: a feature column with no value in any row is
// named, with the way to leave it out, in memory and from a cache alike.
func TestWarnsOfAnEmptyColumn(t *testing.T) {
	ctx := context.Background()
	table := strings.ReplaceAll(string(weightedTable(60, ones)), ",1,", ",,")
	path := filepath.Join(t.TempDir(), "e.csv")
	require.NoError(t, os.WriteFile(path, []byte(table), 0o644))
	for _, cache := range []string{"", filepath.Join(t.TempDir(), "cache")} {
		var warn strings.Builder
		_, err := Fit(ctx, File(path), Config{Epochs: 1, Ensemble: 1, Cache: cache, Warn: &warn})
		require.NoError(t, err)
		assert.Contains(t, warn.String(), path+`: column "w" has no value in any of the 60 rows: the model learns nothing of it`)
		assert.Contains(t, warn.String(), `leave it out with "w" in Config.Ignore`)
	}
	var warn strings.Builder
	_, err := Fit(ctx, Bytes("t.csv", weightedTable(60, ones)), Config{Epochs: 1, Ensemble: 1, Warn: &warn})
	require.NoError(t, err)
	assert.NotContains(t, warn.String(), "no value")
}

// TestWarnsOfDecimalCommas: a text column of numbers written with a
// decimal comma is named (a ; file, as Europe writes them); one of other
// text is not.
func TestWarnsOfDecimalCommas(t *testing.T) {
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("a;b;y\n")
	for i := range 40 {
		fmt.Fprintf(&b, "%d,%d;x%d;%d\n", i%5, i%4, i%3, i%2)
	}
	var warn strings.Builder
	_, err := Fit(ctx, Bytes("d.csv", []byte(b.String())), Config{Epochs: 1, Ensemble: 1, Warn: &warn})
	require.NoError(t, err)
	assert.Contains(t, warn.String(), `d.csv: column "a" holds numbers written with a decimal comma (such as "4,3")`)
	assert.NotContains(t, warn.String(), `column "b"`)
	// Some plain (3), a target of them too.
	b.Reset()
	b.WriteString("a;y\n")
	for i := range 40 {
		a := fmt.Sprint(i % 4)
		if i%2 == 0 {
			a += ",25"
		}
		fmt.Fprintf(&b, "%s;%d,5\n", a, i%3)
	}
	warn.Reset()
	_, err = Fit(ctx, Bytes("d.csv", []byte(b.String())), Config{Epochs: 1, Ensemble: 1, Warn: &warn})
	require.NoError(t, err)
	assert.Contains(t, warn.String(), `d.csv: column "a" holds numbers written with a decimal comma (such as "2,25")`)
	assert.Contains(t, warn.String(), `d.csv: target column "y" holds numbers written with a decimal comma (such as "2,5"): they are read as text, a class each`)
}

// TestSourceWithoutData: the zero Source and a Reader of nil are input
// errors that say what a Source is made with.
func TestSourceWithoutData(t *testing.T) {
	for _, src := range []Source{{}, Reader("x", nil)} {
		_, err := Fit(context.Background(), src, Config{Epochs: 1})
		var ie *InputError
		require.ErrorAs(t, err, &ie)
		assert.ErrorContains(t, err, "has no data: make it with File, Files, Reader (of a non-nil io.Reader) or Bytes")
	}
}
