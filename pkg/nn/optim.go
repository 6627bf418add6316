package nn

import "math"

// Optimizer updates a model's flat parameter slice from its flat gradient.
// An optimizer holds per-parameter state and belongs to one model.
//
// Once per training step the trainer calls Next, then Update on disjoint
// ranges that together cover the parameters; those Update calls may run
// concurrently. Update must depend only on the elements in its range, so
// that the split does not change the result.
type Optimizer[T Float] interface {
	// Init sizes the optimizer's state for n parameters and resets it.
	Init(n int)
	// Next starts the next update, advancing the step counter.
	Next()
	// Update applies the current step to params[lo:hi] using grads[lo:hi].
	Update(params, grads []T, lo, hi int)
}

// SGD is plain stochastic gradient descent: p ← p − LR·g.
type SGD[T Float] struct {
	LR float64 // learning rate
}

// NewSGD returns SGD with learning rate lr.
func NewSGD[T Float](lr float64) *SGD[T] { return &SGD[T]{LR: lr} }

// Init implements Optimizer.
func (*SGD[T]) Init(int) {}

// Next implements Optimizer.
func (*SGD[T]) Next() {}

// Update implements Optimizer.
func (s *SGD[T]) Update(params, grads []T, lo, hi int) {
	lr := T(s.LR)
	p, g := params[lo:hi], grads[lo:hi:hi]
	for i := range p {
		p[i] -= lr * g[i]
	}
}

// Adam is the optimizer of Kingma and Ba (Algorithm 1), as in PyTorch:
//
//	m ← β1·m + (1−β1)·g,   v ← β2·v + (1−β2)·g²
//	p ← p − LR·m̂/(√v̂ + ε),  m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ)
//
// where t counts updates (steps), not epochs.
type Adam[T Float] struct {
	LR      float64 // learning rate
	Beta1   float64 // decay of the first-moment estimate
	Beta2   float64 // decay of the second-moment estimate
	Epsilon float64 // added to √v̂ for stability

	m, v []T
	t    int
	// per-step constants, set by Next
	c1, c2 float64
}

// NewAdam returns Adam with learning rate lr and the usual defaults
// β1 = 0.9, β2 = 0.999, ε = 1e-7 (Keras' ε).
func NewAdam[T Float](lr float64) *Adam[T] {
	return &Adam[T]{LR: lr, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7}
}

// Steps returns the number of updates made so far.
func (a *Adam[T]) Steps() int { return a.t }

// Init implements Optimizer.
func (a *Adam[T]) Init(n int) {
	a.m, a.v, a.t = make([]T, n), make([]T, n), 0
}

// Next implements Optimizer.
func (a *Adam[T]) Next() {
	a.t++
	a.c1 = 1 - math.Pow(a.Beta1, float64(a.t))
	a.c2 = 1 - math.Pow(a.Beta2, float64(a.t))
}

// Update implements Optimizer.
func (a *Adam[T]) Update(params, grads []T, lo, hi int) {
	b1, b2 := T(a.Beta1), T(a.Beta2)
	step := T(a.LR / a.c1)        // LR/(1−β1ᵗ)
	rc2 := T(1 / math.Sqrt(a.c2)) // 1/√(1−β2ᵗ)
	eps := T(a.Epsilon)
	p, g := params[lo:hi], grads[lo:hi:hi]
	m, v := a.m[lo:hi:hi], a.v[lo:hi:hi]
	for i := range p {
		gi := g[i]
		m[i] = b1*m[i] + (1-b1)*gi
		v[i] = b2*v[i] + (1-b2)*gi*gi
		p[i] -= step * m[i] / (T(math.Sqrt(float64(v[i])))*rc2 + eps)
	}
}
