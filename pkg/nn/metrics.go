package nn

import (
	"iter"
	"math"
	"slices"
)

// metricKind says which metrics a loss's task reports.
type metricKind int

const (
	regression metricKind = iota // rmse, mae, r2
	multiclass                   // accuracy of the arg-max
	binaryKind                   // accuracy of logit > 0 per output
)

func metricKindOf[T Float](l Loss[T]) metricKind {
	switch l.Head() {
	case Softmax:
		return multiclass
	case Sigmoid:
		return binaryKind
	}
	return regression
}

// Metrics says how to compute the metrics of one set of rows (NewMetrics):
// "accuracy" for cross-entropy losses, "rmse", "mae" and "r2" otherwise.
// Shards add their counts into an accumulator of Len values
// (AccumulateMetrics); the counts add up across shards, so partial results
// can be tree-summed, and Finish names the metrics. For
// regression it holds each output's target mean over those rows, so that
// the sums behind R² are taken around it (no cancellation), and whether the
// target is constant there (R² is then 1 for a perfect fit, else 0, as in
// scikit-learn).
type Metrics struct {
	kind     metricKind
	mean     []float64
	constant []bool
	// Scale, per output, is the factor of its errors in rmse and mae
	// (nil: 1): the targets' standard deviations when the network learns
	// standardized targets.
	Scale []float64
	// norm, per output (nil: 1), is a power of two the sums are taken
	// over, so that the squares of targets and errors near float64's
	// limits (1e200, say) do not overflow; a power of two changes no bit
	// of the metrics.
	norm []float64
}

// normFrom is the smallest exponent of two whose power a target's
// deviation must reach before the sums are normalized (2^400: the squares
// of millions of rows stay far from float64's 2^1024).
const normFrom = 400

// NewMetrics prepares the metrics of loss l on the rows of y that idx
// yields (all rows when idx is nil), in one pass over the targets.
func NewMetrics[T Float](l Loss[T], y Matrix[T], idx iter.Seq[int]) Metrics {
	mt := Metrics{kind: metricKindOf(l)}
	if mt.kind != regression {
		return mt
	}
	k := y.Cols
	mt.mean, mt.constant = make([]float64, k), make([]bool, k)
	rows := func(yield func([]T) bool) {
		if idx == nil {
			for i := 0; i < y.Rows; i++ {
				if !yield(y.Row(i)) {
					return
				}
			}
			return
		}
		for i := range idx {
			if !yield(y.Row(i)) {
				return
			}
		}
	}
	lo, hi := make([]T, k), make([]T, k)
	n := 0
	for r := range rows {
		if n == 0 {
			copy(lo, r)
			copy(hi, r)
		}
		for j, v := range r {
			mt.mean[j] += float64(v)
			lo[j], hi[j] = min(lo[j], v), max(hi[j], v)
		}
		n++
	}
	for j := range mt.mean {
		mt.mean[j] /= float64(max(n, 1))
		mt.constant[j] = lo[j] == hi[j]
		dev := max(math.Abs(float64(hi[j])-mt.mean[j]), math.Abs(float64(lo[j])-mt.mean[j]))
		if _, e := math.Frexp(dev); e > normFrom && !math.IsInf(dev, 0) {
			if mt.norm == nil {
				mt.norm = slices.Repeat([]float64{1}, k)
			}
			mt.norm[j] = math.Ldexp(1, e)
		}
	}
	return mt
}

// Len is the length of the accumulator vector for k outputs: sums that add
// up across shards, so partial results can be tree-summed.
func (mt Metrics) Len(k int) int {
	if mt.kind == regression {
		return 4*k + 1 // per output Σd, Σd² with d = y − mean, Σ(o−y)², Σ|o−y|; then rows
	}
	return 2 // correct, total
}

// AccumulateMetrics adds the metric sums of out (the training layers' output:
// logits for fused losses) against target into acc.
func AccumulateMetrics[T Float](mt Metrics, out, target Matrix[T], acc []float64) {
	k := out.Cols
	switch mt.kind {
	case multiclass:
		for r := 0; r < out.Rows; r++ {
			if argmax(out.Row(r)) == classOfRow(target.Row(r)) {
				acc[0]++
			}
		}
		acc[1] += float64(out.Rows)
	case binaryKind:
		for i, z := range out.Data[:out.Rows*k] {
			if (z > 0) == (target.Data[i] >= 0.5) {
				acc[0]++
			}
		}
		acc[1] += float64(out.Rows * k)
	default:
		for r := 0; r < out.Rows; r++ {
			o, y := out.Row(r), target.Row(r)
			for j := range o {
				yj, dT := float64(y[j])-mt.mean[j], o[j]-y[j]
				d := float64(dT)
				if dT-dT != 0 { // beyond T (float32) though both are in it
					d = float64(o[j]) - float64(y[j])
				}
				if mt.norm != nil {
					yj, d = yj/mt.norm[j], d/mt.norm[j]
				}
				a := acc[4*j : 4*j+4 : 4*j+4]
				a[0] += yj
				a[1] += yj * yj
				a[2] += d * d
				a[3] += math.Abs(d)
			}
		}
		acc[4*k] += float64(out.Rows)
	}
}

// classOfRow is a label row's class: the label itself, or the arg-max of a
// one-hot row.
func classOfRow[T Float](row []T) int {
	if len(row) == 1 {
		return int(row[0])
	}
	return argmax(row)
}

func argmax[T Float](row []T) int {
	best := 0
	for j, v := range row {
		if v > row[best] {
			best = j
		}
	}
	return best
}

// Finish turns accumulated counts into named metrics: accuracy, or rmse,
// mae (each output's errors times its scale) and r2, each the mean over
// outputs of the output's own, as scikit-learn's multioutput
// "uniform_average" (root_mean_squared_error, mean_absolute_error,
// r2_score); R² is NaN for fewer than two samples, where it is not
// defined, as scikit-learn's r2_score answers.
func (mt Metrics) Finish(acc []float64) map[string]float64 {
	if mt.kind != regression {
		return map[string]float64{"accuracy": acc[0] / acc[1]}
	}
	k := (len(acc) - 1) / 4
	n := acc[4*k]
	// The errors are scaled relative to the largest scale, which multiplies
	// the root at the end: squares of errors in the targets' units could
	// overflow where the standardized ones do not.
	// Each output's factor is its scale times its norm.
	factor := make([]float64, k)
	for j := range factor {
		factor[j] = 1
		if j < len(mt.Scale) {
			factor[j] = mt.Scale[j]
		}
		if mt.norm != nil {
			factor[j] *= mt.norm[j]
		}
	}
	big := 1.0
	if len(mt.Scale) > 0 || mt.norm != nil {
		big = slices.Max(factor)
	}
	var rmse, sae, r2 float64
	for j := range k {
		a := acc[4*j : 4*j+4]
		s := factor[j] / big
		rmse += math.Sqrt(a[2]/n) * factor[j] // (a root per output: no square of the factor)
		sae += a[3] * s
		sst := a[1] - a[0]*a[0]/n // Σ(y−ȳ)², from sums around the mean
		switch {
		case !mt.constant[j] && sst > 0:
			r2 += 1 - a[2]/sst
		case a[2] == 0:
			r2++ // perfect prediction of a constant target
		}
	}
	if n < 2 {
		r2 = math.NaN()
	}
	return map[string]float64{
		"rmse": rmse / float64(k),
		"mae":  sae / (n * float64(k)) * big,
		"r2":   r2 / float64(k),
	}
}
