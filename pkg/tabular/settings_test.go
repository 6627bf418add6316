package tabular

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestZeroValuesAreTheDefaults: every field's zero value means its
// default, which withDefaults alone fills in, through the types' Resolved
// for the names.
func TestZeroValuesAreTheDefaults(t *testing.T) {
	c, err := Config{}.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, prep.Auto, c.Task)
	assert.Equal(t, prep.Robust, c.Scale)
	assert.Equal(t, prep.Standard, c.TargetScale)
	assert.Equal(t, prep.Mean, c.Impute)
	assert.Equal(t, LossAuto, c.Loss)
	assert.Equal(t, Adam, c.Optimizer)
	assert.Equal(t, Cosine, c.LRSchedule)
	assert.Zero(t, c.Ensemble) // decided by the table's rows: defaultEnsemble
	assert.Equal(t, F32, c.Precision)
	assert.Equal(t, nn.ReLU, c.activation)
	assert.Equal(t, DefaultHidden, c.Hidden)
	assert.Equal(t, []int{DefaultEpochs, DefaultBatch, DefaultPatience, csvdata.DefaultMaxCategories, runtime.GOMAXPROCS(0)},
		[]int{c.Epochs, c.Batch, c.Patience, c.MaxCategories, c.Workers})
	assert.False(t, c.NoEarlyStopping || c.NoValSplit)
	for _, s := range []interface{ String() string }{prep.Task(""), prep.Scaler(""), prep.Imputation(""), Loss(""), Optimizer(""), Schedule(""), Precision("")} {
		assert.NotEmpty(t, s.String(), "%T's zero value names its default", s)
	}
	again, err := c.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, c, again, "a filled-in Config stays as it is")
	c, err = Config{Workers: 3, Epochs: 7}.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, 3, c.Workers)
	assert.Equal(t, 7, c.Epochs)
}

// TestSettingsAreRefusedBeforeReading: a setting Fit cannot use is a
// *SettingError (and an *InputError) naming its Config field, found
// before the table is read (the source here does not exist). Several of
// these were accepted before: a negative Patience (off), a negative
// CheckpointEvery, dropout without hidden layers (ignored).
func TestSettingsAreRefusedBeforeReading(t *testing.T) {
	for _, tc := range []struct {
		c     Config
		field string
		msg   string
	}{
		{Config{Task: "cluster"}, "Task", `Config.Task "cluster": want auto, classify or regress`},
		{Config{Scale: "quantile"}, "Scale", `Config.Scale "quantile": want standard, minmax, robust or none`},
		{Config{TargetScale: prep.MinMax}, "TargetScale", `Config.TargetScale "minmax": want standard or none`},
		{Config{Impute: "mode"}, "Impute", `Config.Impute "mode": want mean, median or error`},
		{Config{Loss: "hinge"}, "Loss", `Config.Loss "hinge": want auto, mse, mae, huber, ce or bce`},
		{Config{Optimizer: "lion"}, "Optimizer", `Config.Optimizer "lion": want sgd, momentum, nesterov, adam, adamw or rmsprop`},
		{Config{LRSchedule: "step"}, "LRSchedule", `Config.LRSchedule "step": want constant or cosine`},
		{Config{Precision: "f16"}, "Precision", `Config.Precision "f16": want f32 or f64`},
		{Config{Activation: "swish"}, "Activation", `Config.Activation "swish": want linear`},
		{Config{Workers: -1}, "Workers", "Config.Workers -1: want 0 (one per CPU) or more"},
		{Config{Ensemble: -1}, "Ensemble", "Config.Ensemble -1: want 0 (the default) to 64 networks"},
		{Config{Ensemble: 65}, "Ensemble", "Config.Ensemble 65: want 0 (the default) to 64 networks"},
		{Config{Ensemble: 2, CheckpointEvery: 1, CheckpointPath: "x"}, "Ensemble", "Config.Ensemble 2: takes no checkpoints"},
		{Config{Epochs: -1}, "Epochs", "Config.Epochs -1: want at least 0 (0: the default) and at most 1000000000"},
		{Config{Epochs: MaxEpochs + 1}, "Epochs", "Config.Epochs 1000000001:"},
		{Config{Batch: -1}, "Batch", "Config.Batch -1: want 0 (the default) or more"},
		{Config{MaxCategories: -1}, "MaxCategories", "Config.MaxCategories -1:"},
		{Config{Patience: -1}, "Patience", "Config.Patience -1: want 0 (the default) or more"},
		{Config{CheckpointEvery: -1}, "CheckpointEvery", "Config.CheckpointEvery -1: want 0 (none) or more"},
		{Config{Hidden: []int{8, 0}}, "Hidden", "Config.Hidden [8 0]: want layer sizes of at least 1"},
		{Config{ValSplit: 1}, "ValSplit", "Config.ValSplit 1: want a fraction in [0, 1)"},
		{Config{ValSplit: -0.5}, "ValSplit", "Config.ValSplit -0.5:"},
		{Config{ValSplit: 0.2, NoValSplit: true}, "ValSplit", "not both"},
		{Config{ValSplit: 0.2, Val: &Source{Name: "v"}}, "ValSplit", "not both"},
		{Config{LR: -1}, "LR", "Config.LR -1: want a positive finite rate, or 0 for the optimizer's default"},
		{Config{Hidden: []int{}, Dropout: []float64{0.5}}, "Dropout", "Config.Dropout [0.5]: there are no hidden layers to drop units of"},
		{Config{Hidden: []int{4, 4}, Dropout: []float64{0.1, 0.1, 0.1}}, "Dropout", "3 rates for 2 hidden layers"},
		{Config{Dropout: []float64{1}}, "Dropout", "Config.Dropout [1]: want rates in [0, 1)"},
		{Config{InputDropout: -0.1}, "InputDropout", "Config.InputDropout -0.1: want a rate in [0, 1)"},
		{Config{L2: -1}, "L2", "Config.L2 -1: want a finite value not below 0 (0: none)"},
	} {
		_, err := Fit(context.Background(), File("no/such/file.csv"), tc.c)
		var se *SettingError
		if assert.ErrorAs(t, err, &se, "%+v", tc.c) {
			assert.Equal(t, "Config", se.Struct)
			assert.Equal(t, tc.field, se.Field)
			assert.ErrorContains(t, err, tc.msg)
		}
		assert.ErrorAs(t, err, new(*InputError))
	}
}

// TestNoEarlyStoppingAndNoValSplitAreTheirOwnValues: turning early
// stopping and the validation split off is a field of its own, as the
// train command's --patience 0 and --val-split 0 set them, while 0 in
// Patience and ValSplit is the default.
func TestNoEarlyStoppingAndNoValSplitAreTheirOwnValues(t *testing.T) {
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("a,b,y\n")
	for i := range 60 {
		b.WriteString(strings.Repeat("1", 1+i%3) + ",2," + []string{"0.5", "1.5", "2.5"}[i%3] + "\n")
	}
	data := b.String()
	fit := func(c Config) *Model {
		c.Hidden, c.Workers = []int{2}, 1
		m, err := Fit(ctx, Bytes("t", []byte(data)), c)
		require.NoError(t, err)
		return m
	}
	m := fit(Config{Epochs: 3, Ensemble: 1})
	assert.Equal(t, 54, m.TrainRows, "the default split holds out a tenth of 60 rows")
	assert.Equal(t, 60, fit(Config{Epochs: 3}).TrainRows, "an ensemble's members each hold out their own part: all the rows train")
	assert.Equal(t, 60, fit(Config{Epochs: 3, NoValSplit: true}).TrainRows)
	// A patience of 1 on a constant learning rate of 0-ish stops at once;
	// without early stopping every epoch runs.
	assert.Len(t, fit(Config{Epochs: 5, NoEarlyStopping: true, LR: 1e-300}).History.Epochs, 5)
	assert.Less(t, len(fit(Config{Epochs: 5, Patience: 1, LR: 1e-300}).History.Epochs), 5)
}

// TestPredictOptionsWorkers: PredictOptions.Workers of 0 is one per CPU,
// the answers do not depend on the number, and a negative one is a
// *SettingError of PredictOptions for Predict, Evaluate and
// PredictColumns alike.
func TestPredictOptionsWorkers(t *testing.T) {
	ctx := context.Background()
	const train = "a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n"
	m, err := Fit(ctx, Bytes("train", []byte(train)), Config{Epochs: 2, Hidden: []int{4}})
	require.NoError(t, err)
	var first *Predictions
	for _, w := range []int{1, 3, 0} {
		p, err := m.Predict(ctx, Bytes("test", []byte(train)), PredictOptions{Workers: w})
		require.NoError(t, err)
		if first == nil {
			first = p
		}
		assert.Equal(t, first.Probabilities, p.Probabilities, "workers %d", w)
	}
	cols := []Column{{Name: "a", Numbers: []float64{1}}, {Name: "b", Numbers: []float64{2}}}
	for name, call := range map[string]func(PredictOptions) error{
		"Predict":        func(o PredictOptions) error { _, err := m.Predict(ctx, File("no/such.csv"), o); return err },
		"Evaluate":       func(o PredictOptions) error { _, err := m.Evaluate(ctx, File("no/such.csv"), o); return err },
		"PredictColumns": func(o PredictOptions) error { _, err := m.PredictColumns(ctx, cols, o); return err },
	} {
		err := call(PredictOptions{Workers: -1})
		var se *SettingError
		if assert.ErrorAs(t, err, &se, name) {
			assert.Equal(t, SettingError{Struct: "PredictOptions", Field: "Workers", Value: "-1", Want: "want 0 (one per CPU) or more"}, *se)
		}
		assert.ErrorAs(t, err, new(*InputError), name)
	}
}

// TestTypedErrors: the errors a caller branches on are types with fields,
// under the *InputError and the file position: a class not seen in
// training (*prep.LabelError), a missing number where imputation is off
// (*csvdata.MissingError, from a file and from columns), data of another
// shape (*prep.ShapeError).
func TestTypedErrors(t *testing.T) {
	ctx := context.Background()
	const train = "a,b,y\n1,2,x\n3,4,z\n5,6,x\n7,8,z\n"
	m, err := Fit(ctx, Bytes("train", []byte(train)), Config{Epochs: 1, Hidden: []int{2}, Impute: prep.NoImpute})
	require.NoError(t, err)

	_, err = m.Evaluate(ctx, Bytes("test", []byte("a,b,y\n1,2,x\n3,4,w\n")), PredictOptions{})
	var le *prep.LabelError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, prep.LabelError{Column: "y", Label: "w"}, *le)
	assert.ErrorIs(t, err, prep.ErrUnknownLabel)
	var pe *csvdata.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 3, pe.Line)

	for _, f := range []func() error{
		func() error {
			_, err := m.Predict(ctx, Bytes("test", []byte("a,b\n1,\n")), PredictOptions{})
			return err
		},
		func() error {
			_, err := Fit(ctx, Bytes("train", []byte("a,b,y\n1,,x\n3,4,z\n")), Config{Epochs: 1, Impute: prep.NoImpute})
			return err
		},
		func() error {
			_, err := m.PredictColumns(ctx, []Column{{Name: "a", Numbers: []float64{1}}, {Name: "b", Numbers: []float64{math.NaN()}}}, PredictOptions{})
			return err
		},
	} {
		err := f()
		var me *csvdata.MissingError
		if assert.ErrorAs(t, err, &me) {
			assert.Equal(t, "b", me.Column)
		}
		assert.ErrorIs(t, err, csvdata.ErrMissing)
		assert.ErrorIs(t, err, prep.ErrMissing)
		assert.ErrorAs(t, err, new(*InputError))
	}

	_, err = prep.Transform(ctx, m.Prep, tensor.NewMatrix[float32](1, 3, nil))
	var se *prep.ShapeError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, prep.ShapeError{What: "input columns", Got: 3, Want: 2}, *se)
	assert.False(t, errors.Is(err, prep.ErrMissing))
}

// TestColumnNotFoundError: a column the header lacks — a target named in
// Config, a feature of the model in Predict's table — is a
// *csvdata.ColumnNotFoundError with its role and name, at line 1.
func TestColumnNotFoundError(t *testing.T) {
	ctx := context.Background()
	const train = "a,b,y\n1,2,0\n3,4,1\n"
	_, err := Fit(ctx, Bytes("train", []byte(train)), Config{Targets: []string{"zz"}})
	var ce *csvdata.ColumnNotFoundError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, []string{"target", "zz"}, []string{ce.Role, ce.Name})
	assert.EqualError(t, err, `train:1: target column "zz" not found (columns: a, b, y)`)
	m, err := Fit(ctx, Bytes("train", []byte(train)), Config{Epochs: 1, Hidden: []int{2}})
	require.NoError(t, err)
	_, err = m.Predict(ctx, Bytes("test", []byte("a,y\n1,0\n")), PredictOptions{})
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, []string{"feature", "b"}, []string{ce.Role, ce.Name})
	assert.EqualError(t, err, `test:1: column "b", a feature of the model, is missing`)
	assert.ErrorAs(t, err, new(*InputError))
}

// TestLabelSmoothingDefaults: a classification trains with
// DefaultLabelSmoothing unless told otherwise, and its model file keeps
// it; a regression has none, and refuses one.
func TestLabelSmoothingDefaults(t *testing.T) {
	ctx := context.Background()
	iris, diabetes := File("../../testdata/iris.csv"), File("../../testdata/diabetes.csv")
	fit := func(src Source, c Config) (string, error) {
		c.Epochs, c.Ensemble, c.Hidden = 1, 1, []int{4}
		m, err := Fit(ctx, src, c)
		if err != nil {
			return "", err
		}
		return string(modelBytes(t, m)), nil
	}
	def, err := fit(iris, Config{})
	require.NoError(t, err)
	assert.Contains(t, def, fmt.Sprintf(`label_smoothing\":%v`, DefaultLabelSmoothing))
	same, err := fit(iris, Config{LabelSmoothing: DefaultLabelSmoothing})
	require.NoError(t, err)
	assert.Equal(t, def, same)
	other, err := fit(iris, Config{LabelSmoothing: 0.3})
	require.NoError(t, err)
	assert.Contains(t, other, `label_smoothing\":0.3`)
	none, err := fit(iris, Config{NoLabelSmoothing: true})
	require.NoError(t, err)
	assert.NotContains(t, none, "label_smoothing")
	reg, err := fit(diabetes, Config{})
	require.NoError(t, err)
	assert.NotContains(t, reg, "label_smoothing")
	_, err = fit(diabetes, Config{LabelSmoothing: 0.1})
	var se *SettingError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "LabelSmoothing", se.Field)
	_, err = fit(iris, Config{LabelSmoothing: 0.1, NoLabelSmoothing: true})
	require.ErrorAs(t, err, &se)
}
