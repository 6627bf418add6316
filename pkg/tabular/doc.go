// Package tabular trains and uses Dense networks on CSV tables as users
// have them: missing cells, text categories, identifier columns, gzip,
// TSV or standard input. It is the pipeline behind the train command,
// for Go programs.
//
// # What it owns, and what it must not do
//
// The pipeline: a table read with csvdata, the preprocessing fitted with
// prep, the network built from Config and trained with pkg/train, and a
// Model that predicts, evaluates, saves and exports to ONNX. Config's
// settings are typed, defaulted and checked here, once. It parses no
// command line and names no flag; it neither computes layers (nn) nor
// runs goroutines of its own for training (train).
//
// # From CSV to model to predictions
//
//	m, err := tabular.Fit(ctx, tabular.File("train.csv"), tabular.Config{Targets: []string{"price"}})
//	if err != nil { … }
//	if err := m.Save("model.safetensors"); err != nil { … }
//	pred, err := m.Predict(ctx, tabular.File("new.csv"), tabular.PredictOptions{})
//	pred.WriteCSV(os.Stdout)
//
// A server that receives rows as values rather than CSV text — the ONNX
// contract, the Open Inference Protocol — hands them to PredictColumns,
// one Column per feature, and gets the answers Predict gives for the same
// rows as CSV.
//
// A table larger than memory trains from a block cache (Config.Cache,
// BuildCache; package cache), and PredictParts and EvaluateParts read any
// file a part at a time; Files reads several files as one table. Each
// gives the bytes of the in-memory path.
//
// CV cross-validates a Config: k folds of a table (stratified by class,
// or by a group column), a model fitted on the others and evaluated on
// each, the metrics' mean and standard deviation.
//
// # What Fit does
//
// It reads the table (csvdata), takes the task from the target (text or
// few distinct integers: classification), splits off a validation part —
// stratified by class for classification, seeded; by default for
// regression tables of DefaultValMinRows rows and classification tables of
// DefaultValMinRowsClassify — and fits the preprocessing on the training
// rows only (prep): imputation of missing numbers, optional missing
// indicators, input scaling, target scaling for regression. It then trains
// (nn) with early stopping on the validation loss (the training loss
// without validation) and keeps the best epoch's weights. The model file holds the
// network and the preprocessing, so that Predict and Evaluate take raw CSV
// and answer with the original labels and units.
//
// # Options
//
// Config and PredictOptions say everything Fit, Predict and Evaluate do.
// The settings that are names are typed (prep.Task, prep.Scaler,
// prep.Imputation, Loss, Optimizer, Schedule, Precision), each with a
// Parse function and the constants it takes; in every field the zero
// value means the default (filled in by the types' Resolved methods and
// Config's own defaults), and turning a thing off is a value of its own
// (NoEarlyStopping, NoValSplit, prep.NoScale). Fit fills in the defaults
// and checks every setting once, before reading anything, and hands the
// layers below (csvdata, prep, nn) values already checked: Workers, for
// one, reaches them as a positive count.
//
// # Errors
//
// Problems with the input — a malformed table, a setting that does not
// fit the data — are *InputError values; those about a place in a file
// are *csvdata.ParseError values inside, naming file, line and column. A
// setting refused before anything is read is a *SettingError naming its
// field (`Config.Workers -1: want 0 (one per CPU) or more`). Where a caller
// may branch on what went wrong, the error is a type with fields, inside
// those: a class not seen in training (*prep.LabelError), a missing number
// where imputation is off (*csvdata.MissingError), a column the table
// lacks (*csvdata.ColumnNotFoundError), data of another shape
// (*prep.ShapeError). Other errors (a training that diverged, a cancelled
// context) are returned as they are.
//
// An error that advises a setting — a missing-value token to declare, an
// identifier column to leave out, a float64 model — holds a
// *csvdata.HintError whose Hints list them, named in its message as
// fields of the options given: Config's for Fit (`declare it with "?" in
// Config.NA`), PredictOptions' for Predict and Evaluate (Config.Precision
// F64 for a float64 model, which only training makes). Config.Hints and
// PredictOptions.Hints name them otherwise; the train command names its
// flags (`--na "?"`), and names the flag of a setting a *SettingError
// refuses.
package tabular
