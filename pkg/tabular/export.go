package tabular

import (
	"encoding/json"
	"io"

	"google.golang.org/protobuf/proto"

	"github.com/densetrain/densetrain/internal/atomicfile"
	"github.com/densetrain/densetrain/internal/onnxpb"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// The versions of a model without text columns, which onnxruntime 1.6
// and later run (export_text.go has those of a model with one).
const (
	onnxIRVersion = 7  // IR_VERSION_2020_5_8
	onnxOpset     = 13 // the default domain
)

// WriteONNX writes the model as an ONNX model that holds the whole
// pipeline of Predict: imputation, missing indicators, scaling, one-hot
// encoding, the layers, the output activation and the label decoding. A
// model without text columns is IR version 7, opset 13 (onnxruntime 1.6
// and later); one with a text column is IR version 9, opset 20
// (onnxruntime 1.17 and later), for RegexFullMatch.
//
// It has one input per feature column of the training table, named as the
// column, of shape [N, 1]. A numeric column is float (float64 models:
// double): the caller parses the text, NaN for a missing value (predict
// reads a cell trimmed of spaces and tabs, as a decimal number, missing
// when empty or a token of csvdata.DefaultNA or Prep.NA; ±Inf, which
// predict refuses, goes through the graph). A text column is string and
// takes the cell as it is: the graph does what predict does to it —
// surrounding spaces and tabs trimmed, then "" or a missing-value token
// (csvdata.DefaultNA, Prep.NA) is the category "" (all zeros when the
// training table had no missing value there), a value not seen in
// training all zeros. A classifier's outputs are label (string, [N], the
// original class labels) and probabilities ([N, classes], in the order of
// the p_… columns of Predictions.WriteCSV); a regression's is value ([N,
// targets], in the targets' units). docs/serving.md section "Exporting to
// ONNX" says how each step is encoded.
//
// A layer other than nn.Dense and nn.Dropout, a feature column named as
// an output, or a category with surrounding spaces or tabs (which no
// trimmed cell matches) is an *InputError, returned before anything is
// written.
func (m *Model) WriteONNX(w io.Writer) error {
	b, err := m.onnx()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// ExportONNX writes the model's ONNX form (see WriteONNX) to path
// atomically: a temporary file in the same directory, synced, then renamed
// over path. On an error, path is left as it was.
func (m *Model) ExportONNX(path string) error {
	b, err := m.onnx()
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// onnx returns the serialized ONNX model, the same bytes for the same
// model.
func (m *Model) onnx() ([]byte, error) {
	mp, err := m.net.onnx(m.Prep)
	if err != nil {
		return nil, err
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(mp)
}

// onnxModel builds the ONNX model of a network and its preprocessing.
func onnxModel[T tensor.Float](p *prep.Preprocessing, net *nn.Model[T]) (*onnxpb.ModelProto, error) {
	if err := checkExportable(net); err != nil {
		return nil, err
	}
	if err := checkCategories(p); err != nil {
		return nil, err
	}
	var z T
	b := newGraphBuilder(any(z) == any(float64(0)))
	// The outputs keep their names: a feature column may not take one.
	if p.Task == prep.Classify {
		b.reserve("label")
		b.reserve("probabilities")
	} else {
		b.reserve("value")
	}
	x, err := b.features(p)
	if err != nil {
		return nil, err
	}
	x = b.scale(p, x)
	out := layers(b, net, x)
	if err := b.head(p, out, net.OutputSize()); err != nil {
		return nil, err
	}
	b.g.DocString = "densetrain: imputation, missing indicators, scaling, one-hot encoding, the network and its head, from raw columns"
	ir, opset := int64(onnxIRVersion), int64(onnxOpset)
	if b.text {
		ir, opset = onnxTextIRVersion, onnxTextOpset
	}
	targets, err := json.Marshal(p.Targets)
	if err != nil {
		return nil, err
	}
	na, err := json.Marshal(naTokens(p.NA))
	if err != nil {
		return nil, err
	}
	return &onnxpb.ModelProto{
		IrVersion:     ir,
		OpsetImport:   []*onnxpb.OperatorSetIdProto{{Domain: "", Version: opset}},
		ProducerName:  "densetrain",
		Graph:         b.g,
		MetadataProps: []*onnxpb.StringStringEntryProto{{Key: "task", Value: string(p.Task)}, {Key: "targets", Value: string(targets)}, {Key: "na", Value: string(na)}},
	}, nil
}
