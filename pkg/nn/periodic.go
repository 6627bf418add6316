package nn

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Periodic embeds chosen inputs with RealMLP's PBLD embedding (periodic,
// with bias, linear, DenseNet-style; Holzmüller et al. 2024, after
// Gorishniy et al. 2022): input xⱼ of Embed gets the D−1 values
//
//	Lⱼ·cos(2π(wⱼ·xⱼ + bⱼ)) + cⱼ
//
// from M frequencies wⱼ and phases bⱼ of its own and a linear map Lⱼ
// (M × (D−1)) and bias cⱼ of its own. A group's output is the inputs as
// they came (all In of them: the DenseNet part) followed by the embedded
// inputs' values, input after input: In + len(Embed)·(D−1) columns.
// Groups > 1 computes that many independent embeddings of the same input
// side by side (an ensemble's members), group after group, each with its
// own parameters.
//
// The parameters are kept as Factor times their stored values, as in
// Scale: under Adam they learn Factor times as fast as the weights
// (RealMLP: 0.1). Init draws wⱼ from N(0, Sigma²), bⱼ from U(−½, ½), Lⱼ
// and cⱼ from U(−1/√M, 1/√M).
type Periodic[T Float] struct {
	In     int     // inputs per sample
	Embed  []int   // the inputs embedded, increasing, in [0, In)
	M, D   int     // frequencies per embedded input; its values, itself counted
	Sigma  float64 // the frequencies' initial standard deviation
	Factor float64 // learning-rate factor, in [MinScaleFactor, MaxScaleFactor]
	Groups int     // independent embeddings side by side
	name   string
}

// MaxPeriodicSide bounds a Periodic layer's M and D.
const MaxPeriodicSide = 1 << 10

// NewPeriodic returns a Periodic layer of one group. It panics if the
// arguments are out of range (CheckPeriodic).
func NewPeriodic[T Float](in int, embed []int, m, d int, sigma, factor float64, name string) *Periodic[T] {
	return NewPeriodicGroups[T](1, in, embed, m, d, sigma, factor, name)
}

// NewPeriodicGroups returns a Periodic layer of groups groups. It panics
// if the arguments are out of range (CheckPeriodic).
func NewPeriodicGroups[T Float](groups, in int, embed []int, m, d int, sigma, factor float64, name string) *Periodic[T] {
	if err := CheckPeriodic(groups, in, embed, m, d, sigma, factor); err != nil {
		panic(fmt.Sprintf("nn: periodic layer %q: %v", name, err))
	}
	return &Periodic[T]{In: in, Embed: append([]int(nil), embed...), M: m, D: d, Sigma: sigma, Factor: factor, Groups: groups, name: name}
}

// CheckPeriodic says what is wrong with a Periodic layer's settings, if
// anything.
func CheckPeriodic(groups, in int, embed []int, m, d int, sigma, factor float64) error {
	switch {
	case groups < 1 || in < 1 || groups > maxSide || in > maxSide:
		return fmt.Errorf("%d groups of %d inputs", groups, in)
	case len(embed) == 0:
		return errors.New("no input to embed")
	case m < 1 || d < 2 || m > MaxPeriodicSide || d > MaxPeriodicSide:
		return fmt.Errorf("%d frequencies and %d values per input (want 1–%d and 2–%d)", m, d, MaxPeriodicSide, MaxPeriodicSide)
	case !(sigma >= 0 && sigma <= 1e6):
		return fmt.Errorf("sigma %v (want [0, 1e6])", sigma)
	case !(factor >= MinScaleFactor && factor <= MaxScaleFactor):
		return fmt.Errorf("factor %v (want [%g, %g])", factor, MinScaleFactor, MaxScaleFactor)
	}
	if len(embed) > in {
		return fmt.Errorf("%d embedded inputs of %d", len(embed), in)
	}
	for i, j := range embed {
		if j < 0 || j >= in || (i > 0 && j <= embed[i-1]) {
			return fmt.Errorf("embedded input %d is %d: want increasing indices of the %d inputs", i, j, in)
		}
	}
	if int64(groups)*(int64(in)+int64(len(embed))*int64(d-1)) > maxSide {
		return fmt.Errorf("%d groups of %d outputs", groups, in+len(embed)*(d-1))
	}
	return nil
}

// width is one group's output width; per one embedded input's parameters.
func (p *Periodic[T]) width() int { return p.In + len(p.Embed)*(p.D-1) }
func (p *Periodic[T]) per() int   { return 2*p.M + p.M*(p.D-1) + (p.D - 1) }

// Name implements Layer.
func (p *Periodic[T]) Name() string { return p.name }

// InputSize implements Layer.
func (p *Periodic[T]) InputSize() int { return p.In }

// OutputSize implements Layer.
func (p *Periodic[T]) OutputSize() int { return p.Groups * p.width() }

// ParamCount implements Layer.
func (p *Periodic[T]) ParamCount() int { return p.Groups * len(p.Embed) * p.per() }

// Views returns group g's embedded input e's frequencies w, phases b,
// linear map l (M × (D−1), row-major) and bias c, in stored units (times
// Factor in use), out of params (the layer's, or its gradient's).
func (p *Periodic[T]) Views(params []T, g, e int) (w, b, l, c []T) {
	at := (g*len(p.Embed) + e) * p.per()
	v := params[at : at+p.per()]
	nl := p.M * (p.D - 1)
	return v[:p.M], v[p.M : 2*p.M], v[2*p.M : 2*p.M+nl], v[2*p.M+nl:]
}

// Init implements Layer.
func (p *Periodic[T]) Init(params []T, rng *rand.Rand) {
	lim := 1 / math.Sqrt(float64(p.M))
	for g := range p.Groups {
		for e := range p.Embed {
			w, b, l, c := p.Views(params, g, e)
			for k := range w {
				w[k] = T(p.Sigma * rng.NormFloat64() / p.Factor)
				b[k] = T((rng.Float64() - 0.5) / p.Factor)
			}
			for i := range l {
				l[i] = T(lim * (2*rng.Float64() - 1) / p.Factor)
			}
			for i := range c {
				c[i] = T(lim * (2*rng.Float64() - 1) / p.Factor)
			}
		}
	}
}

type periodicConfig struct {
	Embed  []int   `json:"embed"`
	M      int     `json:"m"`
	D      int     `json:"d"`
	Sigma  float64 `json:"sigma"`
	Factor float64 `json:"factor"`
	Groups int     `json:"groups"`
}

// Spec implements Specced.
func (p *Periodic[T]) Spec() LayerSpec {
	cfg, _ := json.Marshal(periodicConfig{p.Embed, p.M, p.D, p.Sigma, p.Factor, p.Groups})
	return LayerSpec{Kind: "periodic", Name: p.name, Inputs: p.In, Units: p.OutputSize(), Config: cfg, Params: p.ParamCount()}
}

func periodicFactory[T Float](sp LayerSpec) (Layer[T], error) {
	var c periodicConfig
	if err := json.Unmarshal(sp.Config, &c); err != nil {
		return nil, fmt.Errorf("periodic: its config: %v", err)
	}
	if err := CheckPeriodic(c.Groups, sp.Inputs, c.Embed, c.M, c.D, c.Sigma, c.Factor); err != nil {
		return nil, fmt.Errorf("periodic: %v", err)
	}
	return NewPeriodicGroups[T](c.Groups, sp.Inputs, c.Embed, c.M, c.D, c.Sigma, c.Factor, sp.Name), nil
}

// Forward implements Layer.
func (p *Periodic[T]) Forward(_ Pass, params []T, in, out Matrix[T]) {
	f, v := T(p.Factor), p.D-1
	for r := range in.Rows {
		x, y := in.Row(r), out.Row(r)
		for g := range p.Groups {
			yg := y[g*p.width() : (g+1)*p.width()]
			copy(yg, x)
			for e, j := range p.Embed {
				w, b, l, c := p.Views(params, g, e)
				o := yg[p.In+e*v : p.In+(e+1)*v]
				for q := range o {
					o[q] = f * c[q]
				}
				for k := range w {
					z := T(math.Cos(2 * math.Pi * float64(f*(w[k]*x[j]+b[k]))))
					for q := range o {
						o[q] += z * (f * l[k*v+q])
					}
				}
			}
		}
	}
}

// Backward implements Layer.
func (p *Periodic[T]) Backward(_ Pass, params []T, bp *Backprop[T]) {
	f, v := T(p.Factor), p.D-1
	if !bp.Accumulate {
		clear(bp.Grads)
	}
	for r := range bp.In.Rows {
		x, d := bp.In.Row(r), bp.DOut.Row(r)
		var di []T
		if bp.DIn.Data != nil {
			di = bp.DIn.Row(r)
			clear(di)
		}
		for g := range p.Groups {
			dg := d[g*p.width() : (g+1)*p.width()]
			if di != nil {
				for j, t := range dg[:p.In] {
					di[j] += t
				}
			}
			for e, j := range p.Embed {
				w, b, l, _ := p.Views(params, g, e)
				gw, gb, gl, gc := p.Views(bp.Grads, g, e)
				o := dg[p.In+e*v : p.In+(e+1)*v]
				for q, t := range o {
					gc[q] += f * t
				}
				var dx T
				for k := range w {
					sin, cos := math.Sincos(2 * math.Pi * float64(f*(w[k]*x[j]+b[k])))
					z, s := T(cos), T(sin)
					var dz T
					for q, t := range o {
						gl[k*v+q] += f * (z * t)
						dz += t * (f * l[k*v+q])
					}
					da := -s * dz * T(2*math.Pi) * f // ∂L/∂(stored b); ∂a/∂(stored w) = that·x
					gw[k] += da * x[j]
					gb[k] += da
					dx += da * w[k]
				}
				if di != nil {
					di[j] += dx
				}
			}
		}
	}
}
