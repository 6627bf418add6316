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
		var is []string
		for _, group := range groups(alts) {
			pattern := pad + "(?:" + strings.Join(group, "|") + ")" + pad
			is = append(is, b.op("RegexFullMatch", f.Name+"/in", []string{x}, attrString("pattern", pattern)))
		}
		for len(is) > 1 { // a balanced tree of Or
			var next []string
			for i := 0; i+1 < len(is); i += 2 {
				next = append(next, b.op("Or", f.Name+"/in", []string{is[i], is[i+1]}))
			}
			if len(is)%2 == 1 {
				next = append(next, is[len(is)-1])
			}
			is = next
		}
		set = append(set, is[0])
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

// maxPattern bounds the alternatives of one pattern, in bytes. RE2 runs a
// pattern as a DFA within a memory budget (onnxruntime keeps RE2's
// default) and beyond it falls back to a slow NFA, with a log line per
// cell: with onnxruntime 1.30, 1 000 categories of 200 random letters
// ran out in patterns of 16 KB, not in 8 KB. More categories take several
// patterns, their matches joined by Or.
const maxPattern = 4 << 10

// groups splits alternatives into runs of at most maxPattern bytes (one
// at least).
func groups(alts []string) [][]string {
	var out [][]string
	size := 0
	for i, a := range alts {
		if i == 0 || size+len(a)+1 > maxPattern {
			out = append(out, nil)
			size = 0
		}
		out[len(out)-1] = append(out[len(out)-1], a)
		size += len(a) + 1
	}
	return out
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
