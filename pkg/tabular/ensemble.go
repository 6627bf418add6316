package tabular

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/densetrain/densetrain/pkg/train"
)

// An ensemble of K members (Config.Ensemble) is K networks of the same
// shape, trained one after the other on the same preprocessing, member k
// from seed Seed+k (its initial weights and its shuffles). By default each
// member holds out its own part of the rows for validation (memberParts):
// the members see different rows, and every row trains most of them;
// with Config.SharedVal they share one split, and member 0 is the model
// Fit trains without an ensemble.
// They are then packed into one network of Dense layers that computes all
// K side by side and averages their outputs before the output activation:
//
//   - the first layer, In → K·H₁, is the members' first layers side by
//     side (their weight columns and biases one after the other);
//   - a hidden layer, K·Hᵢ₋₁ → K·Hᵢ, is an nn.DenseGroups of K groups:
//     member k's weights on member k's units alone, the block-diagonal
//     layer without its zeros;
//   - the output layer, K·H → C, stacks the members' output weights, each
//     divided by K, and averages their biases: its pre-activation is the
//     mean of the members' (for a classifier, the mean logit: the
//     probabilities are the members' geometric mean, normalized; for a
//     regression, the mean value, in the targets' units);
//   - a Dropout layer (the identity in prediction) is widened to K·H;
//   - a numeric embedding (nn.Periodic, on the inputs) becomes one of K
//     groups, member k's embedding in group k, and the first Dense layer
//     after it an nn.DenseGroups, as a hidden layer is.
//
// The packed network is an ordinary network of Dense, DenseGroups,
// Dropout and Periodic layers: the model file, predict, evaluate, serve
// and the ONNX export take it as they take any, and its answers are the
// ensemble's.

// MaxEnsemble bounds Config.Ensemble.
const MaxEnsemble = 64

// trainMembers trains c.Ensemble networks (trainNetwork), member k from
// seed c.Seed+k, each with its own early stopping — on parts[k mod
// len(parts)] as its validation rows when there are parts (memberParts),
// else on opts' — and returns the one, or their packed ensemble, with the
// first member's history. Under an ensemble, each log line names its
// member.
func trainMembers[T tensor.Float](ctx context.Context, c Config, p *prep.Preprocessing, x train.Source[T], targets int, opts train.Options, parts [][]int) (*nn.Model[T], *train.History, error) {
	if c.Ensemble <= 1 {
		return trainNetwork(ctx, c, p, x, targets, opts)
	}
	var (
		first   *nn.Model[T]   // member 0: the layers, loss and optimizer
		members [][]T          // each member's weights, once trained
		hist    *train.History // member 0's
	)
	for k := range c.Ensemble {
		mc := c
		mc.Seed = c.Seed + uint64(k)
		o := opts
		if parts != nil {
			o.ValidationRows = parts[k%len(parts)]
		}
		if o.Log != nil {
			o.Log = &prefixWriter{w: opts.Log, prefix: fmt.Sprintf("member %d/%d: ", k+1, c.Ensemble)}
		}
		net, h, err := trainNetwork(ctx, mc, p, x, targets, o)
		if err != nil {
			return nil, nil, err
		}
		if k == 0 {
			first, hist = net, h
		}
		// Only the weights are kept: the optimizer's state and the
		// gradient buffers go (a network of millions of weights).
		members = append(members, slices.Clone(net.Params()))
		if len(members[0]) >= collectParams {
			runtime.GC()
		}
	}
	net, err := packEnsemble(first, members)
	return net, hist, err
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

// collectParams is the least number of weights of a member for which
// trainMembers collects the garbage of each member trained.
const collectParams = 1 << 20

// packEnsemble returns the network of the members packed as above: first
// gives the layers and the loss (the packed network is compiled with it
// and a stateless optimizer: it is not trained further), members each
// member's weights (first's among them), at least two.
func packEnsemble[T tensor.Float](first *nn.Model[T], members [][]T) (*nn.Model[T], error) {
	k := len(members)
	last := len(first.Layers()) - 1
	packed := nn.NewModel[T]()
	seen := false // a Dense layer: the inputs are behind
	for i, l := range first.Layers() {
		switch l := l.(type) {
		case *nn.Dense[T]:
			switch {
			case i == last && !seen: // no hidden layer: the members' mean, on the inputs
				packed.Add(nn.NewDense[T](l.In, l.Units, l.Act, l.Name()))
			case i == last:
				packed.Add(nn.NewDense[T](l.In*k, l.Units, l.Act, l.Name()))
			case !seen:
				packed.Add(nn.NewDense[T](l.In, l.Units*k, l.Act, l.Name()))
			default:
				packed.Add(nn.NewDenseGroups[T](k, l.In, l.Units, l.Act, l.Name()))
			}
			seen = true
		case *nn.Dropout[T]:
			units := l.Units * k
			if !seen {
				units = l.Units // on the inputs, which the members share
			}
			packed.Add(nn.NewDropout[T](units, l.Rate, l.Name()))
		case *nn.Periodic[T]:
			if seen || l.Groups != 1 {
				return nil, fmt.Errorf("an ensemble packs a one-group Periodic layer on the inputs, not %q", l.Name())
			}
			// the members' embeddings side by side: from here on each
			// member's units are its own block, as behind a Dense layer
			if err := nn.CheckPeriodic(k, l.In, l.Embed, l.M, l.D, l.Sigma, l.Factor); err != nil {
				return nil, fmt.Errorf("an ensemble of %d: %v", k, err)
			}
			packed.Add(nn.NewPeriodicGroups[T](k, l.In, l.Embed, l.M, l.D, l.Sigma, l.Factor, l.Name()))
			seen = true
		default:
			return nil, fmt.Errorf("an ensemble packs Dense, Dropout and Periodic layers, not %T", l)
		}
	}
	if err := packed.Compile(first.Loss(), nn.NewSGD[T](0)); err != nil { // no optimizer state: it is not trained
		return nil, err
	}
	off := 0 // layer i's first weight in a member's
	for i, l := range first.Layers() {
		n := l.ParamCount()
		off += n
		if _, ok := l.(*nn.Periodic[T]); ok { // group m is member m's
			dst := packed.LayerParams(i)
			for m, member := range members {
				copy(dst[m*n:(m+1)*n], member[off-n:off])
			}
			continue
		}
		d, ok := l.(*nn.Dense[T])
		if !ok {
			continue
		}
		dst := packed.LayerParams(i)
		clear(dst)
		nw := d.In * d.Units
		for m, member := range members {
			src := member[off-n : off]
			w, b := src[:nw], src[nw:]
			switch pl := packed.Layers()[i].(type) {
			case *nn.DenseGroups[T]: // block m
				copy(pl.Weights(dst, m).Data, w)
				copy(pl.Biases(dst)[m*d.Units:], b)
			case *nn.Dense[T]:
				if i == last { // rows m·In… (or the inputs' own), over K; biases averaged
					pw, pb := dst[:pl.In*pl.Units], dst[pl.In*pl.Units:]
					row0 := m * d.In
					if pl.In == d.In {
						row0 = 0
					}
					for r := range d.In {
						for c := range d.Units {
							pw[(row0+r)*pl.Units+c] += w[r*d.Units+c] / T(k)
						}
					}
					for c := range d.Units {
						pb[c] += b[c] / T(k)
					}
					continue
				}
				// the first layer: columns m·Units…
				pw, pb := dst[:pl.In*pl.Units], dst[pl.In*pl.Units:]
				for r := range d.In {
					copy(pw[r*pl.Units+m*d.Units:][:d.Units], w[r*d.Units:(r+1)*d.Units])
				}
				copy(pb[m*d.Units:], b)
			}
		}
	}
	return packed, nil
}
