package tabular

import (
	"fmt"
	"slices"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// buildNetwork makes the network: the hidden layers, then the output layer
// and loss for the task, once its memory is known to fit (rows is the
// number of training rows).
func buildNetwork[T tensor.Float](c Config, p *prep.Preprocessing, targets, rows int) (*nn.Model[T], error) {
	act := c.activation
	var (
		loss    nn.Loss[T]
		outputs int
		outAct  nn.Activation
	)
	switch {
	case p.Task == prep.Classify && (c.Loss == LossAuto || c.Loss == LossCE):
		loss, outputs, outAct = nn.CrossEntropy[T](), len(p.Labels), nn.Softmax
	case p.Task == prep.Classify && c.Loss == LossBCE:
		if len(p.Labels) != 2 {
			return nil, inputError(settingError("Loss", string(c.Loss), "needs two classes, the target has %d", len(p.Labels)))
		}
		loss, outputs, outAct = nn.BinaryCrossEntropy[T](), 1, nn.Sigmoid
	case p.Task == prep.Regress && (c.Loss == LossAuto || c.Loss == LossMSE || c.Loss == LossMAE || c.Loss == LossHuber):
		switch c.Loss {
		case LossMAE:
			loss = nn.MAE[T]()
		case LossHuber:
			loss = nn.Huber[T](1)
		default:
			loss = nn.MSE[T]()
		}
		outputs, outAct = targets, nn.Linear
	default:
		return nil, inputError(settingError("Loss", string(c.Loss), "does not fit the %s task", p.Task))
	}
	if p.Task == prep.Classify {
		var err error
		if loss, err = nn.LabelSmoothing(loss, c.LabelSmoothing); err != nil { // fitTable set the default
			return nil, inputError(settingError("LabelSmoothing", c.LabelSmoothing, "%v", err))
		}
	} else if c.LabelSmoothing > 0 {
		return nil, inputError(settingError("LabelSmoothing", c.LabelSmoothing, "smooths the labels of a classification, and the task is %s", p.Task))
	}
	in := p.InputWidth()
	emb := embeddingLayer[T](c.NumericEmbedding, p, in)
	width := in // the first Dense layer's inputs
	if emb != nil {
		width = emb.OutputSize()
	}
	if err := checkMemory[T](c, append(append([]int{width}, c.Hidden...), outputs), min(c.Batch, rows)); err != nil {
		return nil, inputError(err)
	}
	m := nn.NewModel[T]()
	if c.InputDropout > 0 {
		m.Add(nn.NewDropout[T](in, c.InputDropout, "input_dropout"))
	}
	if emb != nil {
		m.Add(emb)
	}
	in = width
	if c.FeatureScale > 0 {
		m.Add(nn.NewScale[T](in, c.FeatureScale, "feature_scale"))
	}
	dense := func(in, units int, act nn.Activation, name string) *nn.Dense[T] {
		d := nn.NewDense[T](in, units, act, name)
		d.L1, d.L2, d.MaxNorm = c.L1, c.L2, c.MaxNorm
		return d
	}
	for i, h := range c.Hidden {
		m.Add(dense(in, h, act, fmt.Sprintf("hidden%d", i+1)))
		rate := 0.0
		switch len(c.Dropout) {
		case 1:
			rate = c.Dropout[0]
		case len(c.Hidden):
			rate = c.Dropout[i]
		}
		if rate > 0 {
			m.Add(nn.NewDropout[T](h, rate, fmt.Sprintf("dropout%d", i+1)))
		}
		in = h
	}
	m.Add(dense(in, outputs, outAct, "output"))
	opt, err := NewOptimizer[T](c.Optimizer, c.LR)
	if err != nil {
		return nil, err
	}
	if err := m.Compile(loss, opt, nn.WithSeed(c.Seed)); err != nil {
		return nil, err
	}
	return m, nil
}

// foldFeatureScale returns m without its Scale layer, folded into the
// Dense layer after it (nn.FoldScale), compiled with m's loss and no
// optimizer state (it is trained no further); m itself when it has none.
func foldFeatureScale[T tensor.Float](m *nn.Model[T]) (*nn.Model[T], error) {
	layers := m.Layers()
	at := slices.IndexFunc(layers, func(l nn.Layer[T]) bool { _, ok := l.(*nn.Scale[T]); return ok })
	if at < 0 {
		return m, nil
	}
	d, ok := layers[at+1].(*nn.Dense[T])
	if !ok {
		return nil, fmt.Errorf("tabular: a feature scale in front of %T, not a Dense layer", layers[at+1])
	}
	nn.FoldScale(layers[at].(*nn.Scale[T]), m.LayerParams(at), d, m.LayerParams(at+1))
	out := nn.NewModel[T]()
	for i, l := range layers {
		if i != at {
			out.Add(l)
		}
	}
	if err := out.Compile(m.Loss(), nn.NewSGD[T](0)); err != nil {
		return nil, err
	}
	j := 0
	for i := range layers {
		if i != at {
			copy(out.LayerParams(j), m.LayerParams(i))
			j++
		}
	}
	return out, nil
}

// foldTargetScale folds the target standardization into the output layer
// (a linear Dense), so that the network answers in the targets' units:
// column u of its weights and its bias u are multiplied by the scale, and
// the mean is added to the bias.
func foldTargetScale[T tensor.Float](m *nn.Model[T], p *prep.Preprocessing) {
	if p.TargetScale == nil {
		return
	}
	last := len(m.Layers()) - 1
	params := m.LayerParams(last)
	units := m.OutputSize()
	nw := len(params) - units
	for i := range nw {
		params[i] *= T(p.TargetScale[i%units])
	}
	for u := range units {
		params[nw+u] = T(float64(params[nw+u])*p.TargetScale[u] + p.TargetMean[u])
	}
}
