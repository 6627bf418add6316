package tabular

import (
	"fmt"
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
// ONNX has no operator that trims a string before opset 20, and none
// after either; but RegexFullMatch (opset 20) tells exactly whether a
// value trims to a category: it matches `[ \t]*` + category + `[ \t]*`.

// The versions of a model with a text column: RegexFullMatch is in opset
// 20 (IR version 9), which onnxruntime runs from 1.17 on.
const (
	onnxTextIRVersion = 9  // IR_VERSION_2023_5_5
	onnxTextOpset     = 20 // the default domain
)

// pad matches the spaces and tabs that csvdata and PredictColumns trim.
const pad = `[ \t]*`

// oneHot encodes text column f's input x [N, 1] as its categories' 0/1
// columns [N, k]: for each category, RegexFullMatch of x against the
// category between any spaces and tabs (for the category "", also any of
// the missing-value tokens na), concatenated and cast. A value that trims
// to no category matches no pattern: all zeros, as predict encodes an
// unseen category. checkCategories has made sure no category has
// surrounding spaces or tabs, so no value matches two patterns.
func (b *graphBuilder) oneHot(f csvdata.FeatureColumn, x string, na []string) string {
	b.text = true
	is := make([]string, len(f.Categories))
	for i, c := range f.Categories {
		is[i] = b.op("RegexFullMatch", f.Name+"/is", []string{x}, attrString("pattern", categoryPattern(c, na)))
	}
	eq := is[0]
	if len(is) > 1 {
		eq = b.op("Concat", f.Name+"/matches", is, attrInt("axis", 1))
	}
	return b.op("Cast", f.Name+"/onehot", []string{eq}, attrInt("to", int64(b.elem)))
}

// categoryPattern returns the RE2 pattern that a value matches in full
// when it trims to category c: for "" (missing), when it trims to
// nothing or to one of the tokens na.
func categoryPattern(c string, na []string) string {
	if c != "" {
		return pad + regexp.QuoteMeta(c) + pad
	}
	alts := make([]string, len(na))
	for i, t := range na {
		alts[i] = regexp.QuoteMeta(t)
	}
	return pad + "(?:" + strings.Join(alts, "|") + ")?" + pad
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
