package tabular

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/densetrain/densetrain/pkg/train"
)

// An ensemble of K members (Config.Ensemble) is K networks of the same
// shape, trained one after the other on the same rows, validation split
// and preprocessing, member k from seed Seed+k (its initial weights and
// its shuffles): member 0 is the model Fit trains without an ensemble.
// They are then packed into one network of Dense layers that computes all
// K side by side and averages their outputs before the output activation:
//
//   - the first layer, In → K·H₁, is the members' first layers side by
//     side (their weight columns and biases one after the other);
//   - a hidden layer, K·Hᵢ₋₁ → K·Hᵢ, is block-diagonal: member k's weights
//     in block k, zeros elsewhere, so that no member sees another's units;
//   - the output layer, K·H → C, stacks the members' output weights, each
//     divided by K, and averages their biases: its pre-activation is the
//     mean of the members' (for a classifier, the mean logit: the
//     probabilities are the members' geometric mean, normalized; for a
//     regression, the mean value, in the targets' units);
//   - a Dropout layer (the identity in prediction) is widened to K·H.
//
// The packed network is an ordinary network: the model file, predict,
// evaluate, serve and the ONNX export take it as they take any, and its
// answers are the ensemble's.

// MaxEnsemble bounds Config.Ensemble.
const MaxEnsemble = 64

// trainMembers trains c.Ensemble networks (trainNetwork), member k from
// seed c.Seed+k, each with its own early stopping, and returns the one, or
// their packed ensemble, with the first member's history. Under an
// ensemble, each log line names its member.
func trainMembers[T tensor.Float](ctx context.Context, c Config, p *prep.Preprocessing, x train.Source[T], targets int, opts train.Options) (*nn.Model[T], *train.History, error) {
	if c.Ensemble <= 1 {
		return trainNetwork(ctx, c, p, x, targets, opts)
	}
	var (
		members []*nn.Model[T]
		first   *train.History
	)
	for k := range c.Ensemble {
		mc := c
		mc.Seed = c.Seed + uint64(k)
		o := opts
		if o.Log != nil {
			o.Log = &prefixWriter{w: opts.Log, prefix: fmt.Sprintf("member %d/%d: ", k+1, c.Ensemble)}
		}
		net, hist, err := trainNetwork(ctx, mc, p, x, targets, o)
		if err != nil {
			return nil, nil, err
		}
		if k == 0 {
			first = hist
		}
		members = append(members, net)
	}
	net, err := packEnsemble(members)
	return net, first, err
}

// prefixWriter writes each line with a prefix.
type prefixWriter struct {
	w      io.Writer
	prefix string
	mid    bool // within a line
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		if !p.mid {
			if _, err := io.WriteString(p.w, p.prefix); err != nil {
				return n, err
			}
		}
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line = b[:i+1]
		}
		m, err := p.w.Write(line)
		n += m
		if err != nil {
			return n, err
		}
		p.mid = line[len(line)-1] != '\n'
		b = b[len(line):]
	}
	return n, nil
}

// packEnsemble returns the network of members (at least two, of one
// shape) packed as above, compiled with the first member's loss and
// optimizer (it is not trained further).
func packEnsemble[T tensor.Float](members []*nn.Model[T]) (*nn.Model[T], error) {
	k := len(members)
	first := members[0]
	last := len(first.Layers()) - 1
	packed := nn.NewModel[T]()
	seen := false // a Dense layer: the inputs are behind
	for i, l := range first.Layers() {
		switch l := l.(type) {
		case *nn.Dense[T]:
			in, units := l.In*k, l.Units*k
			if !seen {
				in = l.In
			}
			seen = true
			if i == last {
				units = l.Units
			}
			d := nn.NewDense[T](in, units, l.Act, l.Name())
			packed.Add(d)
		case *nn.Dropout[T]:
			units := l.Units * k
			if !seen {
				units = l.Units // on the inputs, which the members share
			}
			packed.Add(nn.NewDropout[T](units, l.Rate, l.Name()))
		default:
			return nil, fmt.Errorf("an ensemble packs Dense and Dropout layers, not %T", l)
		}
	}
	if err := packed.Compile(first.Loss(), first.Optimizer()); err != nil {
		return nil, err
	}
	dense := 0 // the Dense layers so far: the first takes the inputs
	for i, l := range first.Layers() {
		d, ok := l.(*nn.Dense[T])
		if !ok {
			continue
		}
		dst := packed.LayerParams(i)
		clear(dst)
		pd := packed.Layers()[i].(*nn.Dense[T])
		for m, member := range members {
			src := member.LayerParams(i)
			nw := d.In * d.Units
			w, b := src[:nw], src[nw:]
			pw, pb := dst[:pd.In*pd.Units], dst[pd.In*pd.Units:]
			row0, col0 := m*d.In, m*d.Units // member m's block
			if dense == 0 {
				row0 = 0
			}
			if i == last {
				col0 = 0
			}
			for r := range d.In {
				for c := range d.Units {
					v := w[r*d.Units+c]
					if i == last { // summed: without hidden layers, the members' blocks are one
						pw[(row0+r)*pd.Units+col0+c] += v / T(k)
						continue
					}
					pw[(row0+r)*pd.Units+col0+c] = v
				}
			}
			for c := range d.Units {
				if i == last {
					pb[c] += b[c] / T(k)
				} else {
					pb[col0+c] = b[c]
				}
			}
		}
		dense++
	}
	return packed, nil
}
