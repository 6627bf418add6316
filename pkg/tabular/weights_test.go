package tabular

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// weightedTable is a seeded table of n rows, about a fifth of class "b",
// with a weight column w (weight(i) for row i) between the features.
func weightedTable(n int, weight func(i int) string) []byte {
	rng := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	b.WriteString("x1,w,x2,label\n")
	for i := range n {
		x1, x2 := rng.NormFloat64(), rng.NormFloat64()
		label := "a"
		if x1+0.5*x2+0.3*rng.NormFloat64() > 1 {
			label = "b"
		}
		fmt.Fprintf(&b, "%.4f,%s,%.4f,%s\n", x1, weight(i), x2, label)
	}
	return []byte(b.String())
}

// fitBytes fits the table and returns its model file.
func fitBytes(t *testing.T, table []byte, c Config) []byte {
	t.Helper()
	if c.Epochs == 0 {
		c.Epochs = 3
	}
	m, err := Fit(context.Background(), Bytes("w.csv", table), c)
	require.NoError(t, err)
	var buf bytes.Buffer
	_, err = m.WriteTo(&buf)
	require.NoError(t, err)
	return buf.Bytes()
}

func ones(int) string { return "1" }

// TestClassWeightChangesTheModel: balanced weights train another model
// than none; explicit weights of 1 train none's, bit for bit.
func TestClassWeightChangesTheModel(t *testing.T) {
	table := weightedTable(300, ones)
	base := Config{Ignore: []string{"w"}}
	none := fitBytes(t, table, base)
	bal := base
	bal.ClassWeight = ClassWeight{Balanced: true}
	assert.False(t, bytes.Equal(none, fitBytes(t, table, bal)), "balanced weights change the model")
	one := base
	one.ClassWeight = ClassWeight{Labels: map[string]float64{"a": 1, "b": 1}}
	assert.True(t, bytes.Equal(none, fitBytes(t, table, one)), "weights of 1 are no weights")
	b3 := base
	b3.ClassWeight = ClassWeight{Labels: map[string]float64{"b": 3}}
	assert.False(t, bytes.Equal(none, fitBytes(t, table, b3)))
}

// TestClassWeightByNumber: a numeric class is weighed by any spelling of
// its number ("0" for the class written "0.0"), as it is one class.
func TestClassWeightByNumber(t *testing.T) {
	table := []byte(strings.NewReplacer(",a\n", ",0.0\n", ",b\n", ",1\n").Replace(string(weightedTable(300, ones))))
	base := Config{Ignore: []string{"w"}}
	written := base
	written.ClassWeight = ClassWeight{Labels: map[string]float64{"0.0": 3}}
	number := base
	number.ClassWeight = ClassWeight{Labels: map[string]float64{"0": 3}}
	want := fitBytes(t, table, written)
	assert.True(t, bytes.Equal(want, fitBytes(t, table, number)))
	assert.False(t, bytes.Equal(want, fitBytes(t, table, base)))
	_, err := Fit(context.Background(), Bytes("w.csv", table), Config{Ignore: []string{"w"}, Epochs: 1, ClassWeight: ClassWeight{Labels: map[string]float64{"2": 3}}})
	assert.ErrorContains(t, err, `no class "2" in the target (its classes: "0.0", "1")`)
	_, err = Fit(context.Background(), Bytes("w.csv", table), Config{Ignore: []string{"w"}, Epochs: 1, ClassWeight: ClassWeight{Labels: map[string]float64{"0": 3, "0.0": 2}}})
	assert.ErrorContains(t, err, `"0" and "0.0" name one class`)
}

// TestSampleWeightOfOnesIsNoWeight: a weight column of 1s trains the
// model of the same table with that column ignored, bit for bit; other
// weights train another.
func TestSampleWeightOfOnesIsNoWeight(t *testing.T) {
	table := weightedTable(300, ones)
	ignored := fitBytes(t, table, Config{Ignore: []string{"w"}})
	assert.True(t, bytes.Equal(ignored, fitBytes(t, table, Config{SampleWeight: "w"})))
	twos := weightedTable(300, func(i int) string { return []string{"1", "2.5", "0"}[i%3] })
	assert.False(t, bytes.Equal(ignored, fitBytes(t, twos, Config{SampleWeight: "w"})))
}

// TestCVZeroWeightFold: the fold whose training rows all weigh 0 (the
// one row of weight 1 is in the fold it tests) is named.
func TestCVZeroWeightFold(t *testing.T) {
	table := weightedTable(40, func(i int) string { return map[bool]string{true: "1", false: "0"}[i == 7] })
	_, err := CV(context.Background(), Bytes("w.csv", table), Config{SampleWeight: "w", Epochs: 1}, CVOptions{Folds: 4})
	require.Error(t, err)
	assert.Regexp(t, `Config.SampleWeight "w": every training row of fold [1-4] weighs 0 \(its rows that weigh more are all in the fold it tests\)`, err.Error())
	assert.True(t, errors.As(err, new(*SettingError)))
}

// TestSampleWeightAfterADate: the weight column is found after a date
// column (many matrix columns): weights of 1 train the model of the table
// with it ignored, bit for bit.
func TestSampleWeightAfterADate(t *testing.T) {
	dated := func(table []byte) []byte {
		lines := strings.SplitAfter(string(table), "\n")
		var b strings.Builder
		for i, l := range lines {
			switch {
			case l == "":
			case i == 0:
				b.WriteString("day," + l)
			default:
				fmt.Fprintf(&b, "2024-%02d-%02d,%s", 1+i%12, 1+i%28, l)
			}
		}
		return []byte(b.String())
	}
	table := dated(weightedTable(300, ones))
	ignored := fitBytes(t, table, Config{Ignore: []string{"w"}})
	assert.True(t, bytes.Equal(ignored, fitBytes(t, table, Config{SampleWeight: "w"})))
	_, err := Fit(context.Background(), Bytes("w.csv", table), Config{SampleWeight: "day", Epochs: 1})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Config.SampleWeight "day": holds dates in w.csv: want a column of numbers`)
}

// TestWeightedModelsDoNotDependOnWorkers: with sample and class weights
// (and a validation split), workers 1, 2 and 3 save the same bytes.
func TestWeightedModelsDoNotDependOnWorkers(t *testing.T) {
	table := weightedTable(400, func(i int) string { return fmt.Sprint(i%4, ".5") })
	var ref []byte
	for _, w := range []int{1, 2, 3} {
		b := fitBytes(t, table, Config{SampleWeight: "w", ClassWeight: ClassWeight{Balanced: true}, ValSplit: 0.2, Workers: w, Batch: 64})
		if ref == nil {
			ref = b
			continue
		}
		assert.True(t, bytes.Equal(ref, b), "workers %d give another model", w)
	}
}

// TestWeightErrors: bad weights and settings are errors that name their
// place or field.
func TestWeightErrors(t *testing.T) {
	good := weightedTable(20, ones)
	for _, c := range []struct {
		name    string
		table   []byte
		cfg     Config
		setting bool
		want    string
	}{
		{"missing", weightedTable(20, func(i int) string { return map[bool]string{true: "", false: "1"}[i == 4] }), Config{SampleWeight: "w"}, false, `w.csv:6:8: sample weight column "w": a missing weight (1 in all)`},
		{"negative", weightedTable(20, func(i int) string { return map[bool]string{true: "-2", false: "1"}[i == 7] }), Config{SampleWeight: "w"}, false, `w.csv:9: sample weight column "w": weight -2: want a finite weight ≥ 0`},
		{"text", weightedTable(20, func(i int) string { return "heavy" }), Config{SampleWeight: "w"}, false, `w.csv:2: sample weight column "w": "heavy" is not a number`},
		{"no column", good, Config{SampleWeight: "weight"}, true, `Config.SampleWeight "weight": no such column in w.csv`},
		{"the only feature", good, Config{SampleWeight: "w", Ignore: []string{"x1", "x2"}}, true, `Config.SampleWeight "w": the table's only feature column`},
		{"ignored too", good, Config{SampleWeight: "w", Ignore: []string{"w"}}, true, `Config.SampleWeight "w": also named as an ignored column`},
		{"with a cache", good, Config{SampleWeight: "w", Cache: t.TempDir()}, true, `is not supported with a block cache`},
		{"unknown label", good, Config{Ignore: []string{"w"}, ClassWeight: ClassWeight{Labels: map[string]float64{"a": 2, "c": 1}}}, true, `Config.ClassWeight a=2,c=1: no class "c" in the target (its classes: "a", "b")`},
		{"negative class weight", good, Config{Ignore: []string{"w"}, ClassWeight: ClassWeight{Labels: map[string]float64{"a": -1}}}, true, `class "a" weighs -1: want a finite weight ≥ 0`},
		{"both", good, Config{Ignore: []string{"w"}, ClassWeight: ClassWeight{Balanced: true, Labels: map[string]float64{"a": 1}}}, true, `give Balanced or Labels, not both`},
		{"all zero", weightedTable(20, func(int) string { return "0" }), Config{SampleWeight: "w"}, true, `Config.SampleWeight "w": every training row weighs 0: nothing to train on`},
		{"zero classes", good, Config{Ignore: []string{"w"}, ClassWeight: ClassWeight{Labels: map[string]float64{"a": 0, "b": 0}}}, true, `Config.ClassWeight a=0,b=0: every training row weighs 0`},
		{"zero times balanced", weightedTable(20, func(int) string { return "0" }), Config{SampleWeight: "w", ClassWeight: ClassWeight{Balanced: true}}, true, `every training row weighs 0 (times its class weight)`},
		{"weighed rows held out", weightedTable(60, func(i int) string { return map[bool]string{true: "1", false: "0"}[i == 7] }), Config{SampleWeight: "w", Ensemble: 10}, true, `every training row weighs 0, the rows that weigh more are all held out`},
		{"regression", good, Config{Targets: []string{"x2"}, Ignore: []string{"w", "label"}, ClassWeight: ClassWeight{Balanced: true}}, true, `Config.ClassWeight balanced: weighs classes, and the task is a regression`},
	} {
		c.cfg.Epochs = 1
		_, err := Fit(context.Background(), Bytes("w.csv", c.table), c.cfg)
		require.Error(t, err, c.name)
		assert.Contains(t, err.Error(), c.want, c.name)
		assert.Equal(t, c.setting, errors.As(err, new(*SettingError)), "%s: a setting error: %v", c.name, err)
		assert.True(t, errors.As(err, new(*InputError)), "%s: an input error", c.name)
	}
}
