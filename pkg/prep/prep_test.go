package prep

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ctx is the context of the calls under test, which never ends.
var ctx = context.Background()

func table(t *testing.T, content string) *csvdata.Table[float64] {
	path := filepath.Join(t.TempDir(), "d.csv")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	tab, err := csvdata.Read[float64](path, csvdata.Options{})
	require.NoError(t, err)
	return tab
}

func TestDetectTask(t *testing.T) {
	detect := func(c csvdata.Column) Task {
		task, err := DetectTask(ctx, c)
		require.NoError(t, err)
		return task
	}
	assert.Equal(t, Classify, detect(csvdata.Column{Strings: []string{"a"}, FirstText: 0}))
	assert.Equal(t, Classify, detect(csvdata.Column{Numbers: []float64{0, 1, 2, 1}}))
	assert.Equal(t, Regress, detect(csvdata.Column{Numbers: []float64{0, 1.5}}))
	many := make([]float64, 30)
	for i := range many {
		many[i] = float64(i)
	}
	assert.Equal(t, Regress, detect(csvdata.Column{Numbers: many}))
}

// Every pass over the rows stops with the context's error once it ends.
func TestCancelledContextStopsEveryPass(t *testing.T) {
	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	n := 1 << 17
	nums := make([]float64, n)
	for i := range nums {
		nums[i] = float64(i % 2)
	}
	col := csvdata.Column{Name: "y", Numbers: nums}
	tab := &csvdata.Table[float64]{X: tensor.NewMatrix[float64](n, 1, slices.Clone(nums)), Targets: []csvdata.Column{col},
		Schema: csvdata.Schema{Features: []csvdata.FeatureColumn{{Name: "a"}}}}
	_, err := DetectTask(stopped, col)
	assert.ErrorIs(t, err, context.Canceled, "DetectTask")
	_, err = Labels(stopped, col)
	assert.ErrorIs(t, err, context.Canceled, "Labels")
	assert.ErrorIs(t, EachClass(stopped, []string{"0", "1"}, col, func(int, int) {}), context.Canceled, "EachClass")
	for _, task := range []Task{Classify, Regress} {
		_, err = Fit(stopped, tab, nil, Options{Task: task, ScaleTarget: true})
		assert.ErrorIs(t, err, context.Canceled, "Fit %s", task)
	}
	p, err := Fit(ctx, tab, nil, Options{Task: Regress, ScaleTarget: true})
	require.NoError(t, err)
	_, err = Transform(stopped, p, tab.X)
	assert.ErrorIs(t, err, context.Canceled, "Transform")
	assert.ErrorIs(t, ScaleInputs(stopped, p, tab.X), context.Canceled, "ScaleInputs")
	_, err = Targets[float64](stopped, p, tab.Targets)
	assert.ErrorIs(t, err, context.Canceled, "Targets")
}

func TestStandardizeOnTrainingRowsOnly(t *testing.T) {
	tab := table(t, "x,c,k,y\n1,a,5,cat\n3,b,5,dog\n100,a,5,cat\n")
	p, err := New(ctx, tab, Classify, []int{0, 1})
	require.NoError(t, err)
	assert.Equal(t, []float64{2, 0, 0, 5}, p.Offset) // x over rows 0–1; one-hot columns untouched; constant k
	assert.Equal(t, []float64{1, 1, 1, 1}, p.Scale)
	assert.Equal(t, []string{"cat", "dog"}, p.Labels)
	require.NoError(t, ScaleInputs(ctx, p, tab.X))
	assert.Equal(t, []float64{-1, 1, 0, 0, 1, 0, 1, 0, 98, 1, 0, 0}, tab.X.Data)
	y, err := Targets[float64](ctx, p, tab.Targets)
	require.NoError(t, err)
	assert.Equal(t, []float64{0, 1, 0}, y.Data)

	b, err := p.Marshal()
	require.NoError(t, err)
	back, err := Unmarshal(b)
	require.NoError(t, err)
	assert.Equal(t, p, back)
}

func TestLabelsAreKeptAsWritten(t *testing.T) {
	tab := table(t, "x,y\n1,10\n2,02\n3,9\n4,02\n")
	p, err := New(ctx, tab, Classify, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"02", "9", "10"}, p.Labels, "numeric order, original text")
}

func TestStatsAreStableForLargeOffsets(t *testing.T) {
	tab := table(t, "x,y\n100000001,1\n100000002,2\n100000003,3\n")
	p, err := New(ctx, tab, Regress, nil)
	require.NoError(t, err)
	assert.InDelta(t, 100000002, p.Offset[0], 1e-6)
	assert.InDelta(t, math.Sqrt(2.0/3), p.Scale[0], 1e-9)
}

func TestUnknownLabelAndBadTasks(t *testing.T) {
	tab := table(t, "x,y\n1,a\n2,b\n")
	p, err := New(ctx, tab, Classify, nil)
	require.NoError(t, err)
	other := table(t, "x,y\n1,a\n2,z\n")
	_, err = Targets[float64](ctx, p, other.Targets)
	assert.ErrorIs(t, err, ErrUnknownLabel)
	var re *RowError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 1, re.Row)

	_, err = New(ctx, table(t, "x,y\n1,a\n2,a\n"), Classify, nil)
	assert.ErrorContains(t, err, "single class")
	// Dates are no classes (three or more, all dates); two, or dates
	// among other labels, are.
	_, err = New(ctx, table(t, "x,y\n1,2024-01-01\n2,2024-01-02\n3,2024-01-03 10:00\n4,2024-01-02\n"), Classify, nil)
	assert.ErrorContains(t, err, `target column "y" holds dates, 3 distinct in 4 rows (such as "2024-01-01")`)
	_, err = New(ctx, table(t, "x,y\n1,2024-01-01\n2,2024-04-01\n3,2024-07-01\n4,2024-01-01\n5,2024-04-01\n6,2024-07-01\n"), Classify, nil)
	assert.NoError(t, err, "three quarters in six rows are classes")
	_, err = New(ctx, table(t, "x,y\n1,2024-01-01\n2,2024-01-02\n"), Classify, nil)
	assert.NoError(t, err)
	_, err = New(ctx, table(t, "x,y\n1,2024-01-01\n2,2024-01-02\n3,later\n"), Classify, nil)
	assert.NoError(t, err)
	_, err = New(ctx, tab, Regress, nil)
	assert.ErrorContains(t, err, `"a" in target column "y" is not a number`)
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 0, re.Row)
	_, err = Unmarshal(nil)
	assert.ErrorContains(t, err, "no preprocessing")
}

func TestMinMaxAndNoScaling(t *testing.T) {
	tab := table(t, "x,c,k,y\n1,a,5,cat\n3,b,5,dog\n100,a,5,cat\n")
	p, err := NewScaled(ctx, tab, Classify, []int{0, 1}, MinMax)
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 0, 0, 5}, p.Offset) // x's minimum over rows 0–1; one-hot untouched; constant k
	assert.Equal(t, []float64{2, 1, 1, 1}, p.Scale)
	require.NoError(t, ScaleInputs(ctx, p, tab.X))
	assert.Equal(t, []float64{0, 1, 0, 0, 1, 0, 1, 0, 49.5, 1, 0, 0}, tab.X.Data)
	b, err := p.Marshal()
	require.NoError(t, err)
	back, err := Unmarshal(b)
	require.NoError(t, err)
	assert.Equal(t, p, back)

	tab = table(t, "x,k,y\n1,5,0\n3,5,1\n")
	p, err = NewScaled(ctx, tab, Classify, nil, NoScale)
	require.NoError(t, err)
	require.NoError(t, ScaleInputs(ctx, p, tab.X))
	assert.Equal(t, []float64{1, 5, 3, 5}, tab.X.Data)

	_, err = NewScaled(ctx, tab, Classify, nil, "quantile")
	assert.ErrorContains(t, err, `unknown scaler "quantile": want standard, minmax, robust or none`)
	_, err = Unmarshal([]byte(`{"version":1,"schema":{"features":[{"name":"x"}]},"scaler":"zz","mean":[0],"scale":[1]}`))
	assert.ErrorContains(t, err, "unknown scaler")
}

// TestNumericLabelsAreClassesByValue: "0" and "0.0" are one class, named
// as first written, as in a numeric pandas column; evaluation data may
// write the class another way.
func TestNumericLabelsAreClassesByValue(t *testing.T) {
	tab := table(t, "x,y\n1,1.0\n2,0\n3,1\n4,0.0\n5,2\n")
	p, err := New(ctx, tab, Classify, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"0", "1.0", "2"}, p.Labels)
	y, err := Targets[float64](ctx, p, tab.Targets)
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 0, 1, 0, 2}, y.Data)

	other := table(t, "x,y\n1,2.00\n2,1\n3,0e0\n")
	y, err = Targets[float64](ctx, p, other.Targets)
	require.NoError(t, err)
	assert.Equal(t, []float64{2, 1, 0}, y.Data)

	unknown := table(t, "x,y\n1,3\n")
	_, err = Targets[float64](ctx, p, unknown.Targets)
	assert.ErrorIs(t, err, ErrUnknownLabel)

	text := table(t, "x,y\n1,a\n2,A\n3,a\n") // text classes stay as written
	p, err = New(ctx, text, Classify, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"A", "a"}, p.Labels)
}

// TestScalingDoesNotOverflowFloat32: min-max scaling of values near
// float32's limits stays finite (computed in float64), and a value far
// beyond the training scale is a row error naming the column.
func TestScalingDoesNotOverflowFloat32(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.csv")
	require.NoError(t, os.WriteFile(path, []byte("a,y\n3e38,0\n-3e38,1\n1e30,0\n"), 0o644))
	tab, err := csvdata.Read[float32](path, csvdata.Options{})
	require.NoError(t, err)
	for _, s := range []Scaler{MinMax, Standard} {
		p, err := NewScaled(ctx, tab, Classify, nil, s)
		require.NoError(t, err)
		x := tab.X
		x.Data = slices.Clone(x.Data)
		require.NoError(t, ScaleInputs(ctx, p, x), s)
		for _, v := range x.Data {
			assert.False(t, math.IsInf(float64(v), 0) || v != v, "%s: %v", s, x.Data)
		}
	}
	require.NoError(t, os.WriteFile(path, []byte("a,y\n1e-30,0\n2e-30,1\n"), 0o644))
	tab, err = csvdata.Read[float32](path, csvdata.Options{})
	require.NoError(t, err)
	p, err := New(ctx, tab, Classify, nil)
	require.NoError(t, err)
	tab.X.Data[1] = 1e10
	err = ScaleInputs(ctx, p, tab.X)
	var re *RowError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 1, re.Row)
	assert.ErrorIs(t, err, ErrScaledRange)
	assert.Contains(t, err.Error(), `1e+10 in column "a"`)
}

// Values near float64's limits: the statistics are computed without
// overflow (the squares of 1e300 are beyond float64), so that a float64
// model can be trained and saved; a span no scaling can hold is refused
// naming the column.
func TestStatisticsNearFloat64Limits(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,m,y\n")
	for i := range 20 {
		m := ""
		if i%4 != 0 {
			m = fmt.Sprintf("%g", float64(i%7)*1e307) // sums beyond float64
		}
		fmt.Fprintf(&b, "%g,%s,%g\n", float64(i%7)*1e300, m, float64(i%5)*3e200)
	}
	tab, err := csvdata.ReadBytes[float64](ctx, "big.csv", []byte(b.String()), csvdata.Options{Targets: []string{"y"}})
	require.NoError(t, err)
	p, err := Fit(ctx, tab, nil, Options{Task: Regress, ScaleTarget: true})
	require.NoError(t, err)
	for _, v := range append(append(append(slices.Clone(p.Offset), p.Scale...), p.Fill...), append(p.TargetMean, p.TargetScale...)...) {
		assert.False(t, math.IsInf(v, 0) || math.IsNaN(v), "statistics %v %v %v %v %v", p.Offset, p.Scale, p.Fill, p.TargetMean, p.TargetScale)
	}
	assert.InDelta(t, 2.85e300, p.Offset[0], 1e286) // the mean of (i%7)·1e300 over 20 rows
	assert.InDelta(t, 3e307, p.Fill[1], 1e293)      // the mean of the present (i%7)·1e307
	_, err = p.Marshal()
	require.NoError(t, err, "a model file holds the statistics")

	span, err := csvdata.ReadBytes[float64](ctx, "span.csv", []byte("x,y\n-1e308,0\n1e308,1\n0,0\n"), csvdata.Options{})
	require.NoError(t, err)
	_, err = Fit(ctx, span, nil, Options{Task: Classify, Scaler: MinMax})
	assert.ErrorContains(t, err, `column "x": its values span more than float64 can hold`)
	_, err = Fit(ctx, span, nil, Options{Task: Classify})
	assert.NoError(t, err, "standard scaling holds it: the deviation is below 1e308")
}

// TestClassIndex: a class is found as written, or by its number when
// every label is a number; text labels match as written only.
func TestClassIndex(t *testing.T) {
	x := NewClassIndex([]string{"0.0", "1"})
	for s, want := range map[string]int{"0.0": 0, "0": 0, "1e0": 1, "1": 1} {
		k, ok := x.Of(s)
		assert.True(t, ok, s)
		assert.Equal(t, want, k, s)
	}
	_, ok := x.Of("2")
	assert.False(t, ok)
	text := NewClassIndex([]string{"007", "x"})
	k, ok := text.Of("007")
	assert.True(t, ok)
	assert.Equal(t, 0, k)
	_, ok = text.Of("7")
	assert.False(t, ok, "text labels match as written")
	// Two labels of one number (a target declared categorical): each only
	// as written, not the last one for both.
	same := NewClassIndex([]string{"007", "7", "70"})
	for s, want := range map[string]int{"007": 0, "7": 1, "70": 2} {
		k, ok := same.Of(s)
		assert.True(t, ok, s)
		assert.Equal(t, want, k, s)
	}
	_, ok = same.Of("7.0")
	assert.False(t, ok, "7.0 is neither 007 nor 7")
	// A model whose target was declared text matches as written only.
	p := &Preprocessing{Task: Classify, Labels: []string{"01", "02"}, Targets: []string{"y"}}
	k, ok = p.ClassIndex().Of("1")
	assert.True(t, ok)
	assert.Equal(t, 0, k)
	assert.Nil(t, p.TextTargets(), "distinct number classes: read as numbers")
	assert.Equal(t, []string{"y"}, (&Preprocessing{Task: Classify, Labels: []string{"07", "7", "x"}, Targets: []string{"y"}}).TextTargets(),
		"07 and 7 among text: read as text")
	p.TextTarget = true
	assert.Equal(t, []string{"y"}, p.TextTargets(), "declared text")
	_, ok = p.ClassIndex().Of("1")
	assert.False(t, ok, "declared text: 1 is not 01")
	assert.Nil(t, (&Preprocessing{Task: Regress, Targets: []string{"y"}}).TextTargets())
}

func TestDeclaredTextTarget(t *testing.T) {
	ctx := context.Background()
	path := writeFile(t, "x,y\n1,007\n2,7\n3,70\n4,7\n")
	tab, err := csvdata.Read[float32](path, csvdata.Options{Categorical: []string{"y"}})
	require.NoError(t, err)
	task, err := DetectTask(ctx, tab.Targets[0])
	require.NoError(t, err)
	assert.Equal(t, Classify, task)
	p, err := New(ctx, tab, Classify, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"007", "7", "70"}, p.Labels)
	assert.True(t, p.TextTarget)
	y, err := Targets[float32](ctx, p, tab.Targets)
	require.NoError(t, err)
	assert.Equal(t, []float32{0, 1, 2, 1}, y.Data)
	_, err = New(ctx, tab, Regress, nil)
	assert.EqualError(t, err, `target column "y" is declared categorical ("y" in Options.Categorical), and regression needs numbers: for classes, set the task with "classify" in Options.Task`)
	// Read as numbers, the same file has two classes, and a model of them
	// is not one whose target was declared text.
	plain, err := csvdata.Read[float32](path, csvdata.Options{})
	require.NoError(t, err)
	p, err = New(ctx, plain, Classify, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"007", "70"}, p.Labels)
	assert.False(t, p.TextTarget)
}

// TestHugeNumericLabels: integers beyond 2⁵³ are not exact in float64
// (9007199254740993 reads as …992): as class labels they are refused,
// with the way to keep them as written; declared text, they are classes.
func TestHugeNumericLabels(t *testing.T) {
	ctx := context.Background()
	path := writeFile(t, "x,y\n1,5\n2,9007199254740992\n3,9007199254740993\n")
	tab, err := csvdata.Read[float32](path, csvdata.Options{})
	require.NoError(t, err)
	_, err = Labels(ctx, tab.Targets[0])
	var re *RowError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 1, re.Row)
	assert.EqualError(t, err, `class label "9007199254740992" in target column "y" is a number of magnitude 2^53 or more, which float64 does not keep exactly (two such labels could be one class): to keep the labels as written, declare the column with "y" in Options.Categorical`)
	tab, err = csvdata.Read[float32](path, csvdata.Options{Categorical: []string{"y"}})
	require.NoError(t, err)
	l, err := Labels(ctx, tab.Targets[0])
	require.NoError(t, err)
	assert.Equal(t, []string{"5", "9007199254740992", "9007199254740993"}, l)
	tab, err = csvdata.Read[float32](writeFile(t, "x,y\n1,-9007199254740991\n2,9007199254740991\n"), csvdata.Options{})
	require.NoError(t, err)
	l, err = Labels(ctx, tab.Targets[0])
	require.NoError(t, err, "below 2^53, every integer is exact")
	assert.Len(t, l, 2)
}

// writeFile writes content to a CSV file of the test and returns its path.
func writeFile(t *testing.T, content string) string {
	path := filepath.Join(t.TempDir(), "f.csv")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}
