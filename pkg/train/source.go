package train

import (
	"errors"
	"fmt"

	"github.com/densetrain/densetrain/pkg/nn"
)

// Source is where the trainer takes its rows from. It asks for the inputs
// of a batch's rows by their indices into the data (Gather), in the
// batch's order; the targets, small beside the inputs of a table, are held
// in memory. Matrices is the in-memory Source; a Source may also read its
// rows from disk.
type Source[T nn.Float] interface {
	// Len is the number of rows.
	Len() int
	// Width is the number of input columns.
	Width() int
	// Targets returns the targets, a row per row of the data.
	Targets() nn.Matrix[T]
	// Gather copies the inputs of the rows into dst (len(rows) × Width),
	// row i of dst being row rows[i] of the data. The workers call it at
	// once, each with its own rows and dst: it must be safe for
	// concurrent use.
	Gather(rows []int, dst nn.Matrix[T]) error
}

// Prefetcher is a Source that can be told which rows it will be asked
// for next: Fit calls Prefetch, a few batches ahead, with the rows of a
// batch it will train (a hint: Gather must work without it, and Prefetch
// must not keep the slice), so that a Source that reads from disk can have
// them read while the batches before train — many reads in flight rather
// than one per worker.
//
// Under a Comm, Fit tells each rank of its own lanes' rows; a Loader is
// told of every row of the batch, to read ahead the rows it keeps.
type Prefetcher interface {
	Prefetch(rows []int)
}

// Loader is a Source whose rows are spread over the ranks of
// Options.Comm, each rank keeping some of them. Every rank calls Load at
// the same points, as often as the others (a collective call), with the
// rows its own Gathers will ask for next — none, at times; Load brings
// them from the ranks that keep them, and Gather then serves those rows,
// until the next Load. Fit calls it once a step (with the rows of this
// rank's lanes), once a round of this rank's validation shards, and once
// a block of the rows the checkpoint fingerprint hashes.
type Loader interface {
	Load(rows []int) error
}

// PrefetchBatches is how many batches ahead Fit tells a Prefetcher of.
const PrefetchBatches = 4

// Dataset is a Source of either precision, as Options.ValidationData
// holds one: Fit takes it as a Source of the model's precision.
type Dataset interface {
	Len() int
	Width() int
}

// Matrices is the in-memory Source: inputs X and targets Y, a row each per
// sample.
type Matrices[T nn.Float] struct{ X, Y nn.Matrix[T] }

// InMemory returns the Source of the rows of x and y.
func InMemory[T nn.Float](x, y nn.Matrix[T]) *Matrices[T] { return &Matrices[T]{x, y} }

// Len implements Source.
func (d *Matrices[T]) Len() int { return d.X.Rows }

// Width implements Source.
func (d *Matrices[T]) Width() int { return d.X.Cols }

// Targets implements Source.
func (d *Matrices[T]) Targets() nn.Matrix[T] { return d.Y }

// Gather implements Source.
func (d *Matrices[T]) Gather(rows []int, dst nn.Matrix[T]) error {
	for i, s := range rows {
		copy(dst.Row(i), d.X.Row(s))
	}
	return nil
}

// sourceOf returns d as a Source of precision T.
func sourceOf[T nn.Float](d Dataset) (Source[T], error) {
	s, ok := d.(Source[T])
	if !ok {
		var z T
		return nil, fmt.Errorf("train: ValidationData has another precision than the model (a %T, not a Source of %T)", d, z)
	}
	return s, nil
}

// checkSource checks src's shape against the model's.
func checkSource[T nn.Float](m *nn.Model[T], src Source[T]) error {
	if src == nil {
		return errors.New("train: no data (a nil Source)")
	}
	if m.Params() == nil {
		return nn.ErrNotCompiled
	}
	if src.Width() != m.InputSize() {
		return &nn.ShapeError{What: "input columns", Got: src.Width(), Want: m.InputSize()}
	}
	return m.CheckTargets(src.Targets(), src.Len())
}
