// Package prep holds what a model needs between raw CSV rows and its
// inputs and outputs: the feature schema (with one-hot categories), the
// imputation of missing numbers and the missing indicators, the input
// scaling fitted on the training rows, the task, the class labels and the
// target scaling.
//
// # Fitting and applying
//
// Fit fits it all on the training rows of a csvdata.Table (never on
// validation or test rows); Transform applies it to a matrix read with the
// same schema: Inputs fills missing numbers and appends the indicators,
// ScaleInputs scales. Targets and ScaleTargets do the same for regression
// targets, ClassIndices for class labels. FitBlocks fits on a matrix read
// in blocks, in row order (a block cache of a table larger than memory),
// with the bits Fit finds; TransformInPlace makes rows read a batch at a
// time the model's inputs, with Transform's arithmetic. The passes over
// the rows run on Options.Workers goroutines, a range of columns each (for
// the statistics: each column's values still in row order) or a range of
// rows each (Transform): the results do not depend on their number.
//
// # Storage
//
// A Preprocessing is stored as JSON (Marshal, Unmarshal) in the model
// file's preprocessing slot, so that prediction and evaluation take raw CSV
// and answer with the original labels and units. Version numbers the
// layout; a field renamed in Go keeps its JSON name.
//
// # What it must not do
//
// It does no I/O and knows nothing of networks: it imports pkg/csvdata and
// pkg/tensor only.
package prep
