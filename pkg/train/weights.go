package train

import (
	"errors"
	"fmt"
	"math"

	"github.com/densetrain/densetrain/pkg/nn"
)

// ErrZeroWeight is Fit's error when every training row weighs 0 (its
// sample weight times its class weight): the loss would be 0 whatever
// the weights, and the network would stay as it started.
var ErrZeroWeight = errors.New("train: every training row weighs 0: nothing to train on")

// sampleWeights returns the per-sample weights Fit trains with: the product
// of the explicit sample weights and the class weights (explicit, or
// scikit-learn's "balanced" n/(k·countₖ) over the training rows, k the
// number of classes present). It
// returns nil when all are 1, and ErrZeroWeight when every training row
// weighs 0.
func sampleWeights[T nn.Float](y nn.Matrix[T], outputs int, head nn.Activation, opt Options, train rowSet) ([]T, error) {
	sw, cw := opt.SampleWeights, opt.ClassWeights
	if sw == nil && cw == nil && !opt.BalanceClasses {
		return nil, nil
	}
	if cw != nil && opt.BalanceClasses {
		return nil, fmt.Errorf("train: give explicit class weights or balanced classes, not both")
	}
	if sw != nil && len(sw) != y.Rows {
		return nil, fmt.Errorf("train: %d sample weights for %d rows", len(sw), y.Rows)
	}
	w := make([]T, y.Rows)
	for i := range w {
		w[i] = 1
		if sw != nil {
			if !(sw[i] >= 0) || math.IsInf(sw[i], 1) {
				return nil, fmt.Errorf("train: sample weight %d is %v, want a finite value ≥ 0", i, sw[i])
			}
			w[i] = T(sw[i])
		}
	}
	if cw == nil && !opt.BalanceClasses {
		return w, someWeight(w, train)
	}
	if head != nn.Softmax && head != nn.Sigmoid {
		return nil, errors.New("train: class weights need a classification loss (cross_entropy or binary_cross_entropy)")
	}
	classes, k, err := classesOf(y, outputs)
	if err != nil {
		return nil, err
	}
	if opt.BalanceClasses { // scikit-learn's "balanced" over the classes present
		count := make([]int, k)
		for i := range train.all {
			count[classes[i]]++
		}
		present := 0
		for _, n := range count {
			if n > 0 {
				present++
			}
		}
		cw = make([]float64, k)
		for c, n := range count {
			cw[c] = 1 // no training row has class c
			if n > 0 {
				cw[c] = float64(train.len()) / float64(present*n)
			}
		}
	}
	if len(cw) != k {
		return nil, fmt.Errorf("train: %d class weights for %d classes", len(cw), k)
	}
	for i, c := range classes {
		if !(cw[c] >= 0) || math.IsInf(cw[c], 1) {
			return nil, fmt.Errorf("train: class weight %d is %v, want a finite value ≥ 0", c, cw[c])
		}
		w[i] *= T(cw[c])
	}
	return w, someWeight(w, train)
}

// someWeight returns ErrZeroWeight when every training row of w weighs 0.
func someWeight[T nn.Float](w []T, train rowSet) error {
	for r := range train.all {
		if w[r] > 0 {
			return nil
		}
	}
	return ErrZeroWeight
}

// classesOf returns each row's class and the number of classes: integer
// labels (one column, several outputs), the arg-max of one-hot rows, or the
// rounded target of a single binary output.
func classesOf[T nn.Float](y nn.Matrix[T], outputs int) ([]int, int, error) {
	c := make([]int, y.Rows)
	switch {
	case y.Cols == 1 && outputs > 1:
		for i, v := range y.Data {
			c[i] = int(v) // validated by the loss's CheckTarget
		}
		return c, outputs, nil
	case y.Cols == 1 && outputs == 1:
		for i, v := range y.Data {
			if v >= 0.5 {
				c[i] = 1
			}
		}
		return c, 2, nil
	case y.Cols == outputs:
		for i := range c {
			row := y.Row(i)
			for j, v := range row {
				if v > row[c[i]] {
					c[i] = j
				}
			}
		}
		return c, outputs, nil
	}
	return nil, 0, fmt.Errorf("train: class weights need class-label or one-hot targets")
}
