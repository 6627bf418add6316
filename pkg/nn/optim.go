package nn

import "math"

// Optimizer updates a model's flat parameter slice from its flat gradient.
// An optimizer holds per-parameter state and belongs to one model.
//
// Once per training step the trainer calls Next, then Update on disjoint
// ranges that together cover the parameters; those Update calls may run
// concurrently. Update must depend only on the elements in its range, so
// that the split does not change the result.
//
// Optional interfaces add what schedules and checkpoints need: a learning
// rate (LearningRater) and a state that checkpoints save
// (StatefulOptimizer). Every optimizer of this package has both.
type Optimizer[T Float] interface {
	// Name returns the optimizer's name.
	Name() string
	// Init sizes the optimizer's state for n parameters and resets it.
	Init(n int)
	// Next starts the next update, advancing the step counter.
	Next()
	// Update applies the current step to params[lo:hi] using grads[lo:hi].
	Update(params, grads []T, lo, hi int)
}

// LearningRater is an Optimizer with a learning rate, which callbacks read
// and change through TrainState (schedules between epochs), EpochLog
// records and checkpoints keep. With an optimizer that is not one, the
// rate reads as 0 and setting it does nothing.
type LearningRater interface {
	LearningRate() float64
	SetLearningRate(lr float64)
}

// StatefulOptimizer is an Optimizer whose state checkpoints save, so that
// a resumed run continues bit-identically: its step count and its
// per-parameter slot vectors. A trainer that writes checkpoints requires one.
type StatefulOptimizer[T Float] interface {
	// Steps is the number of updates made; SetSteps restores it from a
	// checkpoint.
	Steps() int
	SetSteps(n int)
	// Slots returns the per-parameter state vectors (views of the
	// optimizer's own storage, each of length n), for checkpoints.
	Slots() [][]T
}

// learningRate returns o's learning rate, 0 if it has none.
func learningRate[T Float](o Optimizer[T]) float64 {
	if lr, ok := o.(LearningRater); ok {
		return lr.LearningRate()
	}
	return 0
}

// setLearningRate sets o's learning rate, if it has one.
func setLearningRate[T Float](o Optimizer[T], rate float64) {
	if lr, ok := o.(LearningRater); ok {
		lr.SetLearningRate(rate)
	}
}

// steps returns o's step count, 0 if it keeps none.
func steps[T Float](o Optimizer[T]) int {
	if so, ok := o.(StatefulOptimizer[T]); ok {
		return so.Steps()
	}
	return 0
}

// finiteUpdater is an Optimizer whose update also reports whether the
// parameters it wrote are all finite (its kernel checks them as it writes
// them), sparing the trainer a pass over them.
type finiteUpdater[T Float] interface {
	Optimizer[T]
	updateFinite(params, grads []T, lo, hi int) bool
	// self returns the optimizer that defines updateFinite, so that a type
	// embedding it, which may override Update, is not taken for it.
	self() Optimizer[T]
}

// finiteUpdaterOf returns o as a finiteUpdater, or nil.
func finiteUpdaterOf[T Float](o Optimizer[T]) finiteUpdater[T] {
	if f, ok := o.(finiteUpdater[T]); ok && f.self() == o {
		return f
	}
	return nil
}

// state is what every optimizer here shares: the learning rate, the step
// counter and the slot vectors.
type state[T Float] struct {
	LR    float64 // learning rate
	t     int
	n     int // parameters
	slots [][]T
}

// init sizes the state for n parameters with k zeroed slots.
func (s *state[T]) init(n, k int) {
	s.t, s.n = 0, n
	s.slots = make([][]T, 0, k)
	s.grow(k)
}

// next advances the step counter and adds zeroed slots up to k, so that a
// momentum set after Init gets its slot.
func (s *state[T]) next(k int) {
	s.t++
	s.grow(k)
}

// slots returns the slot count of an optimizer with base slots and, with
// a momentum, one more for it.
func slots(base int, momentum float64) int {
	if momentum != 0 {
		return base + 1
	}
	return base
}

func (s *state[T]) grow(k int) {
	for len(s.slots) < k {
		s.slots = append(s.slots, make([]T, s.n))
	}
}

// LearningRate implements LearningRater.
func (s *state[T]) LearningRate() float64 { return s.LR }

// SetLearningRate implements LearningRater.
func (s *state[T]) SetLearningRate(lr float64) { s.LR = lr }

// Steps implements StatefulOptimizer.
func (s *state[T]) Steps() int { return s.t }

// SetSteps implements StatefulOptimizer.
func (s *state[T]) SetSteps(n int) { s.t = n }

// Slots implements StatefulOptimizer.
func (s *state[T]) Slots() [][]T { return s.slots }

// SGD is stochastic gradient descent with optional momentum, as Keras
// defines it. With velocity v (zero at first):
//
//	plain:     p ← p − LR·g
//	momentum:  v ← Momentum·v − LR·g;  p ← p + v
//	Nesterov:  v ← Momentum·v − LR·g;  p ← p + Momentum·v − LR·g
type SGD[T Float] struct {
	state[T]
	Momentum float64 // 0 for plain SGD
	Nesterov bool
}

// NewSGD returns plain SGD with learning rate lr (Keras' default is 0.01).
func NewSGD[T Float](lr float64) *SGD[T] { return &SGD[T]{state: state[T]{LR: lr}} }

// NewMomentum returns SGD with momentum (commonly 0.9).
func NewMomentum[T Float](lr, momentum float64) *SGD[T] {
	return &SGD[T]{state: state[T]{LR: lr}, Momentum: momentum}
}

// NewNesterov returns SGD with Nesterov momentum (commonly 0.9).
func NewNesterov[T Float](lr, momentum float64) *SGD[T] {
	return &SGD[T]{state: state[T]{LR: lr}, Momentum: momentum, Nesterov: true}
}

// Name implements Optimizer.
func (s *SGD[T]) Name() string {
	switch {
	case s.Nesterov:
		return "nesterov"
	case s.Momentum != 0:
		return "momentum"
	}
	return "sgd"
}

// Init implements Optimizer.
func (s *SGD[T]) Init(n int) { s.init(n, slots(0, s.Momentum)) }

// Next implements Optimizer. A momentum set after Init gets its velocity
// slot here.
func (s *SGD[T]) Next() { s.next(slots(0, s.Momentum)) }

// Update implements Optimizer.
func (s *SGD[T]) Update(params, grads []T, lo, hi int) {
	lr, mu := T(s.LR), T(s.Momentum)
	p, g := params[lo:hi], grads[lo:hi:hi]
	if s.Momentum == 0 {
		for i := range p {
			p[i] -= lr * g[i]
		}
		return
	}
	v := s.slots[0][lo:hi:hi]
	tiny := smallestNormal[T]()
	for i := range p {
		v[i] = flush(mu*v[i]-lr*g[i], tiny)
		if s.Nesterov {
			p[i] += mu*v[i] - lr*g[i]
		} else {
			p[i] += v[i]
		}
	}
}

// Adam is Keras' Adam. With t the number of updates (steps, not epochs):
//
//	α ← LR·√(1−β2ᵗ)/(1−β1ᵗ)
//	m ← m + (g−m)·(1−β1);  v ← v + (g²−v)·(1−β2)
//	p ← p − α·m/(√v + ε)
//
// With WeightDecay > 0 it is AdamW: p ← p − LR·WeightDecay·p first
// (decoupled weight decay).
type Adam[T Float] struct {
	state[T]
	Beta1       float64 // decay of the first-moment estimate
	Beta2       float64 // decay of the second-moment estimate
	Epsilon     float64 // added to √v for stability
	WeightDecay float64 // decoupled weight decay (AdamW); 0 for Adam

	alpha float64 // per-step step size, set by Next
}

// NewAdam returns Adam with Keras' defaults: β1 0.9, β2 0.999, ε 1e-7
// (Keras' default lr is 0.001).
func NewAdam[T Float](lr float64) *Adam[T] {
	return &Adam[T]{state: state[T]{LR: lr}, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7}
}

// NewAdamW returns AdamW: Adam with decoupled weight decay (Keras' default
// weight decay is 0.004).
func NewAdamW[T Float](lr, weightDecay float64) *Adam[T] {
	a := NewAdam[T](lr)
	a.WeightDecay = weightDecay
	return a
}

// Name implements Optimizer.
func (a *Adam[T]) Name() string {
	if a.WeightDecay != 0 {
		return "adamw"
	}
	return "adam"
}

// Init implements Optimizer.
func (a *Adam[T]) Init(n int) { a.init(n, 2) }

// Next implements Optimizer.
func (a *Adam[T]) Next() {
	a.t++
	t := float64(a.t)
	a.alpha = a.LR * math.Sqrt(1-math.Pow(a.Beta2, t)) / (1 - math.Pow(a.Beta1, t))
}

// Update implements Optimizer.
func (a *Adam[T]) Update(params, grads []T, lo, hi int) { a.updateFinite(params, grads, lo, hi) }

func (a *Adam[T]) self() Optimizer[T] { return a }

// updateFinite is Update that also reports whether the updated parameters
// are all finite (see finiteUpdater).
func (a *Adam[T]) updateFinite(params, grads []T, lo, hi int) bool {
	c1, c2 := T(1-a.Beta1), T(1-a.Beta2)
	alpha, eps, decay := T(a.alpha), T(a.Epsilon), T(a.LR*a.WeightDecay)
	p := params[lo:hi]
	g, m, v := grads[lo:hi][:len(p)], a.slots[0][lo:hi][:len(p)], a.slots[1][lo:hi][:len(p)]
	if decay != 0 {
		for i := range p {
			p[i] -= decay * p[i]
		}
	}
	return adamUpdate(p, g, m, v, c1, c2, alpha, eps)
}

// adamScalar is Adam's element update in flush-to-zero arithmetic: every
// operand and every result that is tiny counts as zero (see denormal.go),
// as in the SSE2 kernel adamUpdate uses on amd64, which gives the same
// bits. g, m and v must be at least as long as p.
func adamScalar[T Float](p, g, m, v []T, c1, c2, alpha, eps T) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	t := smallestNormal[T]()
	c1, c2, alpha, eps = flush(c1, t), flush(c2, t), flush(alpha, t), flush(eps, t)
	for i := range p {
		gi, mi, vi := flush(g[i], t), flush(m[i], t), flush(v[i], t)
		mi = flush(mi+ftzMul(flush(gi-mi, t), c1, t), t)
		vi = flush(vi+ftzMul(flush(ftzMul(gi, gi, t)-vi, t), c2, t), t)
		m[i], v[i] = mi, vi
		s := flush(T(math.Sqrt(float64(vi)))+eps, t)
		p[i] = flush(flush(p[i], t)-ftzDiv(ftzMul(alpha, mi, t), s, t), t)
	}
}

// RMSprop is Keras' RMSprop (not centered):
//
//	s ← Rho·s + (1−Rho)·g²
//	Δ ← LR·g/√(s + ε)
//	with Momentum: u ← Momentum·u + Δ; p ← p − u, else p ← p − Δ
type RMSprop[T Float] struct {
	state[T]
	Rho      float64 // decay of the squared-gradient average
	Momentum float64
	Epsilon  float64
}

// NewRMSprop returns RMSprop with Keras' defaults: ρ 0.9, no momentum,
// ε 1e-7 (Keras' default lr is 0.001).
func NewRMSprop[T Float](lr float64) *RMSprop[T] {
	return &RMSprop[T]{state: state[T]{LR: lr}, Rho: 0.9, Epsilon: 1e-7}
}

// Name implements Optimizer.
func (*RMSprop[T]) Name() string { return "rmsprop" }

// Init implements Optimizer.
func (r *RMSprop[T]) Init(n int) { r.init(n, slots(1, r.Momentum)) }

// Next implements Optimizer. A momentum set after Init gets its slot here.
func (r *RMSprop[T]) Next() { r.next(slots(1, r.Momentum)) }

// Update implements Optimizer.
func (r *RMSprop[T]) Update(params, grads []T, lo, hi int) {
	rho, lr, mu, eps := T(r.Rho), T(r.LR), T(r.Momentum), T(r.Epsilon)
	p, g := params[lo:hi], grads[lo:hi:hi]
	s := r.slots[0][lo:hi:hi]
	var u []T
	if r.Momentum != 0 {
		u = r.slots[1][lo:hi:hi]
	}
	tiny := smallestNormal[T]()
	for i := range p {
		gi := g[i]
		s[i] = flush(rho*s[i]+(1-rho)*gi*gi, tiny)
		d := lr * gi / T(math.Sqrt(float64(s[i]+eps)))
		if r.Momentum != 0 {
			u[i] = flush(mu*u[i]+d, tiny)
			d = u[i]
		}
		p[i] -= d
	}
}
