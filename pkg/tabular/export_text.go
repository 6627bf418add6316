package tabular

import (
	"fmt"
	"math/bits"
	"regexp"
	"slices"
	"strings"

	"github.com/densetrain/densetrain/internal/onnxpb"
	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/prep"
)

// The text columns of the exported graph. predict reads a text cell
// trimmed of surrounding spaces and tabs; the trimmed value is missing
// when it is empty or a missing-value token (then the category "", when
// the training table had one), else a category or, unseen, all zeros.
// ONNX has no operator that trims a string; but RegexFullMatch (opset
// 20) tells exactly whether a value trims to one of a set of categories:
// it matches `[ \t]*(?:c1|c2|…)[ \t]*`, the categories quoted.

// The versions of a model with a text column: RegexFullMatch is in opset
// 20 (IR version 9), which onnxruntime runs from 1.17 on.
const (
	onnxTextIRVersion = 9  // IR_VERSION_2023_5_5
	onnxTextOpset     = 20 // the default domain
)

// pad matches the spaces and tabs that csvdata and PredictColumns trim.
const pad = `[ \t]*`

// oneHot encodes text column f's input x [N, 1] as its categories' 0/1
// columns [N, k]. Category i has the code i+1, and the code's bits are
// found by one RegexFullMatch each: bit b is set when x trims to one of
// the categories whose code has bit b (RE2 matches an alternation of
// literals in one pass, so a cell costs ⌈log2(k+1)⌉ matches, not k). The
// bits, as 0/1 numbers, times their powers of two give the code (exact:
// at most 2^24), which Equal against 1…k turns into the 0/1 columns;
// a value that trims to no category has the code 0: all zeros, as
// predict encodes an unseen category. checkCategories has made sure no
// category has surrounding spaces or tabs, so a value trims to one
// category at most.
func (b *graphBuilder) oneHot(f csvdata.FeatureColumn, x string, na []string) string {
	b.text = true
	k := len(f.Categories)
	var set []string
	var powers []float64
	for bit := range bits.Len(uint(k)) {
		var alts []string
		for i, c := range f.Categories {
			if (i+1)>>bit&1 == 1 {
				alts = append(alts, alternative(c, na))
			}
		}
		pattern := pad + "(?:" + strings.Join(alts, "|") + ")" + pad
		set = append(set, b.op("RegexFullMatch", f.Name+"/bit", []string{x}, attrString("pattern", pattern)))
		powers = append(powers, float64(int(1)<<bit))
	}
	bitsOf := set[0]
	if len(set) > 1 {
		bitsOf = b.op("Concat", f.Name+"/bits", set, attrInt("axis", 1))
	}
	bitsOf = b.op("Cast", f.Name+"/bits01", []string{bitsOf}, attrInt("to", int64(b.elem)))
	code := b.op("MatMul", f.Name+"/code", []string{bitsOf, b.values(f.Name+"/powers", powers, int64(len(powers)), 1)})
	codes := make([]float64, k)
	for i := range codes {
		codes[i] = float64(i + 1)
	}
	eq := b.op("Equal", f.Name+"/is", []string{code, b.values(f.Name+"/codes", codes, 1, int64(k))})
	return b.op("Cast", f.Name+"/onehot", []string{eq}, attrInt("to", int64(b.elem)))
}

// alternative returns the RE2 alternative of category c: c quoted; for ""
// (missing), nothing or one of the tokens na.
func alternative(c string, na []string) string {
	if c != "" {
		return regexp.QuoteMeta(c)
	}
	alts := make([]string, len(na))
	for i, t := range na {
		alts[i] = regexp.QuoteMeta(t)
	}
	return "(?:" + strings.Join(alts, "|") + ")?"
}

// naTokens returns the tokens that mean a missing value in a text cell:
// csvdata.DefaultNA and the model's own, without repeats. A token with
// surrounding spaces or tabs (or the empty one) is left out: no trimmed
// value equals it.
func naTokens(model []string) []string {
	var out []string
	for _, t := range append(slices.Clone(csvdata.DefaultNA), model...) {
		if t != "" && t == trim(t) && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// trim drops surrounding spaces and tabs, as csvdata does to a cell.
func trim(s string) string { return strings.Trim(s, " \t") }

// checkCategories refuses a category with surrounding spaces or tabs
// (kept from a quoted cell by an older csvdata): predict trims every cell
// and never meets it, and the graph, which trims too, could not tell it
// from the trimmed category.
func checkCategories(p *prep.Preprocessing) error {
	for _, f := range p.Schema.Features {
		for _, c := range f.Categories {
			if c != trim(c) {
				return inputError(fmt.Errorf("onnx export: column %q: category %q has surrounding spaces or tabs, which predict trims from every cell: train the model again", f.Name, c))
			}
		}
	}
	return nil
}

func attrString(name, v string) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: name, Type: onnxpb.AttributeProto_STRING, S: []byte(v)}
}
