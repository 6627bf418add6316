package tabular

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/densetrain/densetrain/internal/onnxpb"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/prep"
)

// checkONNX runs the ONNX checker of Debian's python3-onnx, with its full
// check (strict shape inference), on an exported file; without
// python3-onnx, or with one older than the file's IR version or opset
// (Debian 12's 1.12 knows opset 17: a model with a text column needs 20),
// it says so and checks nothing.
func checkONNX(t *testing.T, path string) {
	t.Helper()
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import onnx").Run(); err != nil {
		t.Logf("ONNX checker skipped: %s cannot import onnx (apt-get install python3-onnx)", py)
		return
	}
	const script = `import onnx, sys
m = onnx.load(sys.argv[1])
opset = max(o.version for o in m.opset_import if o.domain in ("", "ai.onnx"))
if m.ir_version > onnx.IR_VERSION or opset > onnx.defs.onnx_opset_version():
    print("onnx %s knows IR %d and opset %d, the file has IR %d and opset %d" % (onnx.__version__, onnx.IR_VERSION, onnx.defs.onnx_opset_version(), m.ir_version, opset))
    sys.exit(0)
onnx.checker.check_model(m, full_check=True)
`
	out, err := exec.Command(py, "-c", script, path).CombinedOutput()
	require.NoError(t, err, "onnx.checker on %s: %s", path, out)
	if len(out) > 0 {
		t.Logf("ONNX checker skipped: %s", bytes.TrimSpace(out))
	}
}

// readONNX parses an exported model.
func readONNX(t *testing.T, b []byte) *onnxpb.ModelProto {
	t.Helper()
	var mp onnxpb.ModelProto
	require.NoError(t, proto.Unmarshal(b, &mp))
	return &mp
}

// tensorSig describes a graph input or output: "name elem [dims]".
func tensorSig(v *onnxpb.ValueInfoProto) string {
	tt := v.GetType().GetTensorType()
	var dims []string
	for _, d := range tt.GetShape().GetDim() {
		if p := d.GetDimParam(); p != "" {
			dims = append(dims, p)
		} else {
			dims = append(dims, itoa(d.GetDimValue()))
		}
	}
	return v.GetName() + " " + onnxpb.TensorProto_DataType(tt.GetElemType()).String() + " [" + strings.Join(dims, ",") + "]"
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func sigs(vs []*onnxpb.ValueInfoProto) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = tensorSig(v)
	}
	return out
}

// TestONNXHasTheDocumentedInputsAndOutputs: the written file parses back
// as IR 7, opset 13 (IR 9, opset 20 with a text column), with one input per
// feature column, named as the column, and the task's outputs; the same
// model gives the same bytes, ExportONNX writes what WriteONNX does, and
// the ONNX checker takes it.
func TestONNXHasTheDocumentedInputsAndOutputs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, c := range []struct {
		name, file string
		cfg        Config
		inputs     []string
		outputs    []string
		ir         int64
		opsets     []string
		meta       map[string]string
	}{
		{"text, holes, bce", messy + "own/holes.csv",
			Config{Targets: []string{"bought"}, NA: []string{"?"}, Loss: "bce", MissingIndicator: true, Hidden: []int{4}, Epochs: 2, Workers: 1},
			[]string{"age FLOAT [N,1]", "income FLOAT [N,1]", "city STRING [N,1]", "score FLOAT [N,1]"},
			[]string{"label STRING [N]", "probabilities FLOAT [N,2]"},
			9, []string{":20"}, map[string]string{"task": "classify", "targets": `["bought"]`, "na": `["NA","N/A","NaN","nan","null","NULL","?"]`}},
		{"regression f64", messy + "diabetes_holes.csv",
			Config{Ignore: []string{"patient_id", "clinic"}, Precision: F64, Hidden: []int{4}, Epochs: 2, Workers: 1},
			[]string{"age DOUBLE [N,1]", "sex DOUBLE [N,1]", "bmi DOUBLE [N,1]", "bp DOUBLE [N,1]", "s1 DOUBLE [N,1]",
				"s2 DOUBLE [N,1]", "s3 DOUBLE [N,1]", "s4 DOUBLE [N,1]", "s5 DOUBLE [N,1]", "s6 DOUBLE [N,1]"},
			[]string{"value DOUBLE [N,1]"},
			7, []string{":13"}, map[string]string{"task": "regress", "targets": `["target"]`, "na": `["NA","N/A","NaN","nan","null","NULL"]`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := Fit(ctx, File(c.file), c.cfg)
			require.NoError(t, err)
			var b bytes.Buffer
			require.NoError(t, m.WriteONNX(&b))
			mp := readONNX(t, b.Bytes())
			assert.Equal(t, c.ir, mp.GetIrVersion())
			var opsets []string
			for _, o := range mp.GetOpsetImport() {
				opsets = append(opsets, o.GetDomain()+":"+itoa(o.GetVersion()))
			}
			assert.Equal(t, c.opsets, opsets)
			meta := map[string]string{}
			for _, kv := range mp.GetMetadataProps() {
				meta[kv.GetKey()] = kv.GetValue()
			}
			assert.Equal(t, c.meta, meta)
			assert.Equal(t, c.inputs, sigs(mp.GetGraph().GetInput()))
			assert.Equal(t, c.outputs, sigs(mp.GetGraph().GetOutput()))
			// proto3 does not write a zero: a reader that wants the field
			// present would take the attribute's default instead.
			for _, n := range mp.GetGraph().GetNode() {
				for _, a := range n.GetAttribute() {
					if a.GetType() == onnxpb.AttributeProto_INT || a.GetType() == onnxpb.AttributeProto_FLOAT {
						assert.True(t, a.GetI() != 0 || a.GetF() != 0, "%s %s: attribute %s is 0", n.GetOpType(), n.GetName(), a.GetName())
					}
				}
			}
			var again bytes.Buffer
			require.NoError(t, m.WriteONNX(&again))
			assert.True(t, bytes.Equal(b.Bytes(), again.Bytes()), "the same model gives the same bytes")
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".onnx")
			require.NoError(t, m.ExportONNX(path))
			written, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(b.Bytes(), written), "ExportONNX writes WriteONNX's bytes")
			checkONNX(t, path)
		})
	}
}

// scaleLayer is a layer of a kind the export does not know.
type scaleLayer struct{ n int }

func (s scaleLayer) Name() string               { return "scale" }
func (s scaleLayer) InputSize() int             { return s.n }
func (s scaleLayer) OutputSize() int            { return s.n }
func (s scaleLayer) ParamCount() int            { return 0 }
func (s scaleLayer) Init([]float32, *rand.Rand) {}
func (s scaleLayer) Forward(_ nn.Pass, _ []float32, in, out nn.Matrix[float32]) {
	copy(out.Data, in.Data)
}
func (s scaleLayer) Backward(_ nn.Pass, _ []float32, b *nn.Backprop[float32]) {
	copy(b.DIn.Data, b.DOut.Data)
}
func (s scaleLayer) Spec() nn.LayerSpec {
	return nn.LayerSpec{Kind: "scale", Name: "scale", Inputs: s.n, Units: s.n}
}

// TestONNXRefusesACustomLayer: a layer that is neither Dense nor Dropout
// is an InputError naming it, and nothing is written: no bytes to the
// writer, the file left as it was.
func TestONNXRefusesACustomLayer(t *testing.T) {
	iris, err := Fit(context.Background(), File("../../testdata/iris.csv"), Config{Hidden: []int{4}, Epochs: 1, Workers: 1})
	require.NoError(t, err)
	net := nn.NewModel[float32]()
	net.Add(nn.NewDense[float32](iris.Prep.InputWidth(), 4, nn.ReLU, "hidden1"))
	net.Add(scaleLayer{4})
	net.Add(nn.NewDense[float32](4, len(iris.Prep.Labels), nn.Softmax, "output"))
	require.NoError(t, net.Compile(nn.CrossEntropy[float32](), nn.NewSGD[float32](0.1)))
	m := &Model{Prep: iris.Prep, net: network[float32]{net}}

	var b bytes.Buffer
	err = m.WriteONNX(&b)
	require.Error(t, err)
	assert.True(t, errors.As(err, new(*InputError)), "%T", err)
	assert.Contains(t, err.Error(), `layer 1 "scale" (kind scale) has no ONNX mapping`)
	assert.Zero(t, b.Len())

	path := filepath.Join(t.TempDir(), "m.onnx")
	require.NoError(t, os.WriteFile(path, []byte("before"), 0o644))
	require.Error(t, m.ExportONNX(path))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "before", string(got))
	entries, _ := os.ReadDir(filepath.Dir(path))
	assert.Len(t, entries, 1, "no temporary file left")
}

// TestONNXRefusesAFeatureNamedAsAnOutput: a feature column called as one
// of the task's outputs cannot be a graph input.
func TestONNXRefusesAFeatureNamedAsAnOutput(t *testing.T) {
	m, err := Fit(context.Background(), Reader("t", strings.NewReader("label,probabilities,y\n1,2,a\n2,1,b\n3,3,a\n0,1,b\n")),
		Config{Hidden: []int{2}, Epochs: 1, Workers: 1})
	require.NoError(t, err)
	err = m.WriteONNX(new(bytes.Buffer))
	assert.ErrorContains(t, err, `feature column "label": an ONNX input needs a name that is not empty and not an output's (label, probabilities)`)
	// For a regression, "label" is a fine name.
	p := *m.Prep
	p.Task, p.Labels, p.Targets = prep.Regress, nil, []string{"y"}
	reg := &Model{Prep: &p, net: m.net}
	p.Schema.Features = slices.Clone(p.Schema.Features)
	p.Schema.Features[1].Name = "other"
	err = reg.WriteONNX(new(bytes.Buffer))
	assert.ErrorContains(t, err, "onnx export: the network has 2 outputs for 1 targets")
}

// TestONNXRefusesAPaddedCategory: a category with surrounding spaces
// (from a quoted cell, read by an older csvdata) is an InputError naming
// it: the graph trims its inputs, as predict trims its cells, and would
// take " b" for "b".
func TestONNXRefusesAPaddedCategory(t *testing.T) {
	m, err := Fit(context.Background(), Reader("t", strings.NewReader("c,y\na,1\nb,2\na,3\nb,1\n")), Config{Hidden: []int{2}, Epochs: 1, Workers: 1})
	require.NoError(t, err)
	p := *m.Prep
	p.Schema.Features = slices.Clone(p.Schema.Features)
	p.Schema.Features[0].Categories = []string{" b", "a"}
	err = (&Model{Prep: &p, net: m.net}).WriteONNX(new(bytes.Buffer))
	assert.True(t, errors.As(err, new(*InputError)), "%T", err)
	assert.EqualError(t, err, `onnx export: column "c": category " b" has surrounding spaces or tabs, which predict trims from every cell: train the model again`)
}

// TestONNXColumnNamesAreFree: columns named as the values the graph makes
// on the way keep their names, and the graph stays valid.
func TestONNXColumnNamesAreFree(t *testing.T) {
	csv := "x,x/missing,x/filled,inputs,c/code,c,y\n1,2,3,4,u,p,a\n,1,2,3,v,q,b\n3,,1,2,u,,a\n2,1,0,1,w,p,b\n"
	m, err := Fit(context.Background(), Reader("t", strings.NewReader(csv)), Config{Hidden: []int{2}, Epochs: 1, Workers: 1, MissingIndicator: true})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "m.onnx")
	require.NoError(t, m.ExportONNX(path))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, []string{"x FLOAT [N,1]", "x/missing FLOAT [N,1]", "x/filled FLOAT [N,1]", "inputs FLOAT [N,1]", "c/code STRING [N,1]", "c STRING [N,1]"},
		sigs(readONNX(t, b).GetGraph().GetInput()))
	checkONNX(t, path)
}

// TestONNXSplitsLongPatterns: a text column's categories beyond
// maxPattern bytes per code bit take several RegexFullMatch patterns,
// joined by Or, none over maxPattern bytes of alternatives; 300 categories
// take 9 code bits.
func TestONNXSplitsLongPatterns(t *testing.T) {
	train, _ := longCategories(t, t.TempDir())
	m, err := Fit(context.Background(), File(train), Config{Hidden: []int{2}, Epochs: 1, Workers: 1})
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, m.WriteONNX(&b))
	count := map[string]int{}
	for _, n := range readONNX(t, b.Bytes()).GetGraph().GetNode() {
		count[n.GetOpType()]++
		if n.GetOpType() == "RegexFullMatch" {
			pattern := string(n.GetAttribute()[0].GetS())
			assert.LessOrEqual(t, len(pattern), maxPattern+len("[ \\t]*(?:)[ \\t]*"), "pattern of %s", n.GetName())
		}
	}
	assert.Equal(t, count["RegexFullMatch"]-9, count["Or"], "one Or fewer than the patterns, per bit")
	assert.Greater(t, count["Or"], 9, "several patterns per bit")
}
