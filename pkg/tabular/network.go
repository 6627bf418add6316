package tabular

import (
	"context"
	"io"

	"github.com/densetrain/densetrain/internal/onnxpb"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// anyNetwork is a Model's network, of either precision: the generic code
// of this package bound to one nn.Model, so that Model has one field and
// no branch on the precision.
type anyNetwork interface {
	float64() bool
	summary() nn.Summary
	lossName() string
	labelSmoothing() float64
	writeTo(w io.Writer, preprocessing []byte) (int64, error)
	predict(ctx context.Context, m *Model, src Source, o PredictOptions) (*Predictions, error)
	predictParts(ctx context.Context, m *Model, src Source, o PredictOptions, each func(*Predictions) error) error
	predictColumns(ctx context.Context, m *Model, cols []Column, o PredictOptions) (*Predictions, error)
	evaluate(ctx context.Context, m *Model, src Source, o PredictOptions) (*Evaluation, error)
	evaluateParts(ctx context.Context, m *Model, src Source, o PredictOptions) (*Evaluation, error)
	importance(ctx context.Context, m *Model, src Source, o ImportanceOptions) (*Importance, error)
	onnx(p *prep.Preprocessing) (*onnxpb.ModelProto, error)
}

// network is the network of precision T.
type network[T tensor.Float] struct{ m *nn.Model[T] }

func (n network[T]) float64() bool {
	var z T
	_, ok := any(z).(float64)
	return ok
}

func (n network[T]) summary() nn.Summary     { return n.m.Summary() }
func (n network[T]) lossName() string        { return n.m.Loss().Name() }
func (n network[T]) labelSmoothing() float64 { return nn.LossLabelSmoothing(n.m.Loss()) }

func (n network[T]) writeTo(w io.Writer, preprocessing []byte) (int64, error) {
	n.m.Preprocessing = preprocessing
	return n.m.WriteTo(w)
}

func (n network[T]) predict(ctx context.Context, m *Model, src Source, o PredictOptions) (*Predictions, error) {
	return predict(ctx, m, n.m, src, o)
}

func (n network[T]) predictParts(ctx context.Context, m *Model, src Source, o PredictOptions, each func(*Predictions) error) error {
	return predictParts(ctx, m, n.m, src, o, each)
}

func (n network[T]) predictColumns(ctx context.Context, m *Model, cols []Column, o PredictOptions) (*Predictions, error) {
	return predictColumns(ctx, m, n.m, cols, o)
}

func (n network[T]) evaluate(ctx context.Context, m *Model, src Source, o PredictOptions) (*Evaluation, error) {
	return evaluate(ctx, m, n.m, src, o)
}

func (n network[T]) evaluateParts(ctx context.Context, m *Model, src Source, o PredictOptions) (*Evaluation, error) {
	return evaluateParts(ctx, m, n.m, src, o)
}

func (n network[T]) importance(ctx context.Context, m *Model, src Source, o ImportanceOptions) (*Importance, error) {
	return importance(ctx, m, n.m, src, o)
}

func (n network[T]) onnx(p *prep.Preprocessing) (*onnxpb.ModelProto, error) { return onnxModel(p, n.m) }
