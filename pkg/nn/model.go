package nn

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// initStream is the PCG stream of the initial weights (a trainer's
// shuffle and validation split draw from streams 2 and 3 of the seed).
const initStream = 1

// Model is a sequential stack of layers trained with a loss and an
// optimizer, in the spirit of Keras: NewModel, Add, Compile, then
// train.Fit, Predict (and train.Evaluate).
//
// Predict and the other reads of the weights may run on several goroutines
// at once. While a trainer (train.Fit) runs they and WriteTo fail with
// ErrBusy instead of racing with its steps — but not while its callbacks
// run: the weights stand still then, and these calls succeed from any
// goroutine, the callback's own, one it starts or one unrelated to it,
// reading the weights as they are between two steps. The trainer takes
// its next step once those reads have ended (see Guard). One trainer runs
// at a time: a second one fails with ErrBusy, from a callback as well.
type Model[T Float] struct {
	layers  []Layer[T] // as added
	train   []Layer[T] // as run: the last activation is dropped when fused with the loss
	head    Activation // applied to train's output by Predict
	offsets []int      // layer i's parameters are params[offsets[i]:offsets[i+1]]
	params  []T
	loss    Loss[T]
	opt     Optimizer[T]
	guard   Guard // training, or the Predict and Evaluate calls, running

	// Preprocessing is an opaque JSON document saved with the model (for
	// example standardization statistics and label names); nil for none.
	Preprocessing []byte
}

// NewModel returns an empty model.
func NewModel[T Float]() *Model[T] { return &Model[T]{} }

// Add appends a layer. Shapes are checked by Compile.
func (m *Model[T]) Add(l Layer[T]) {
	m.layers = append(m.layers, l)
	m.params = nil // Compile again
}

// CompileOption configures Compile.
type CompileOption func(*compileConfig)

type compileConfig struct{ seed uint64 }

// WithSeed sets the seed of the initial weights (default 0).
func WithSeed(seed uint64) CompileOption { return func(c *compileConfig) { c.seed = seed } }

// Compile checks the layer shapes and prepares the loss and the optimizer
// (whose state it resets; an optimizer belongs to one model). The first
// Compile, and the first after an Add, also allocates the flat parameter
// slice and initializes every layer from a PCG source seeded by WithSeed;
// compiling again keeps the trained weights, as in Keras.
//
// If the loss is fused with an output activation (softmax for
// CrossEntropy, sigmoid for BinaryCrossEntropy), the last layer must have
// that activation, in which case training works on its logits and Predict
// returns probabilities, or a linear activation, in which case the outputs
// are taken as logits and Predict returns logits.
func (m *Model[T]) Compile(loss Loss[T], opt Optimizer[T], opts ...CompileOption) error {
	var cfg compileConfig
	for _, o := range opts {
		o(&cfg)
	}
	if loss == nil || opt == nil {
		return errors.New("nn: compile: loss and optimizer are required")
	}
	fresh := m.params == nil
	if err := m.build(loss); err != nil {
		return err
	}
	if fresh {
		rng := rand.New(rand.NewPCG(cfg.seed, initStream))
		for i, l := range m.layers {
			l.Init(m.layerView(m.params, i), rng)
		}
	}
	m.opt = opt
	opt.Init(len(m.params))
	return nil
}

// build checks the layer shapes against each other and the loss, sets up
// the training layers and, if there are none yet, allocates zeroed
// parameters.
func (m *Model[T]) build(loss Loss[T]) error {
	if len(m.layers) == 0 {
		return errors.New("nn: compile: the model has no layers")
	}
	for i := 1; i < len(m.layers); i++ {
		prev, l := m.layers[i-1], m.layers[i]
		if l.InputSize() != prev.OutputSize() {
			return fmt.Errorf("nn: compile: layer %d (%q) takes %d inputs but layer %d (%q) gives %d outputs",
				i, l.Name(), l.InputSize(), i-1, prev.Name(), prev.OutputSize())
		}
	}
	train := append([]Layer[T](nil), m.layers...)
	head := Linear
	last := len(m.layers) - 1
	if h := loss.Head(); h != Linear {
		if a, ok := m.layers[last].(activated[T]); ok {
			switch a.Activation() {
			case h:
				train[last] = a.withActivation(Linear)
				head = h
			case Linear: // outputs are logits
			default:
				return fmt.Errorf("nn: compile: loss %s needs the output layer %q to use %s or linear (logits), not %s",
					loss.Name(), a.Name(), h, a.Activation())
			}
		}
	}
	m.train, m.head, m.loss = train, head, loss
	if m.params == nil {
		m.offsets = make([]int, len(m.layers)+1)
		for i, l := range m.layers {
			m.offsets[i+1] = m.offsets[i] + l.ParamCount()
		}
		m.params = alignedBuffers[T](m.offsets[len(m.layers)])[0]
	}
	return nil
}

// layerView returns layer i's part of a flat parameter or gradient slice.
func (m *Model[T]) layerView(flat []T, i int) []T { return flat[m.offsets[i]:m.offsets[i+1]] }

// Layers returns the layers as added.
func (m *Model[T]) Layers() []Layer[T] { return m.layers }

// Params returns the flat slice of all parameters, layer after layer. It is
// the model's own storage: writing to it changes the model. It is nil until
// Compile.
func (m *Model[T]) Params() []T { return m.params }

// LayerParams returns layer i's view of Params.
func (m *Model[T]) LayerParams(i int) []T { return m.layerView(m.params, i) }

// Loss returns the compiled loss.
func (m *Model[T]) Loss() Loss[T] { return m.loss }

// Optimizer returns the compiled optimizer.
func (m *Model[T]) Optimizer() Optimizer[T] { return m.opt }

// InputSize returns the width of an input row.
func (m *Model[T]) InputSize() int { return m.layers[0].InputSize() }

// OutputSize returns the width of an output row.
func (m *Model[T]) OutputSize() int { return m.layers[len(m.layers)-1].OutputSize() }

// maxWidth returns the widest input or output of any layer.
func (m *Model[T]) maxWidth() int {
	w := m.InputSize()
	for _, l := range m.layers {
		w = max(w, l.OutputSize())
	}
	return w
}

// ErrNotCompiled is the error of a call that needs a compiled model.
var ErrNotCompiled = errors.New("nn: the model is not compiled")

// ShapeError is a matrix whose shape does not fit the model or another
// matrix: Got where Want was needed, of What ("input columns", "target
// rows", "elements").
type ShapeError struct {
	What      string
	Got, Want int
}

// Error implements error.
func (e *ShapeError) Error() string {
	return fmt.Sprintf("nn: %s: %d, want %d", e.What, e.Got, e.Want)
}

// CheckInput checks that the model is compiled and that x is a
// well-formed matrix of its input width; the error is ErrNotCompiled or a
// *ShapeError.
func (m *Model[T]) CheckInput(x Matrix[T]) error {
	if m.params == nil {
		return ErrNotCompiled
	}
	if x.Cols != m.InputSize() {
		return &ShapeError{"input columns", x.Cols, m.InputSize()}
	}
	if len(x.Data) != x.Rows*x.Cols {
		return &ShapeError{fmt.Sprintf("elements of the %d×%d input matrix", x.Rows, x.Cols), len(x.Data), x.Rows * x.Cols}
	}
	return nil
}

// CheckData is CheckInput, and CheckTargets for x's rows.
func (m *Model[T]) CheckData(x, y Matrix[T]) error {
	if err := m.CheckInput(x); err != nil {
		return err
	}
	return m.CheckTargets(y, x.Rows)
}

// CheckTargets checks that the model is compiled and that y is a
// well-formed matrix of rows targets that the loss accepts for the model's
// outputs (a class index in range, say).
func (m *Model[T]) CheckTargets(y Matrix[T], rows int) error {
	if m.params == nil {
		return ErrNotCompiled
	}
	if y.Rows != rows {
		return &ShapeError{"target rows", y.Rows, rows}
	}
	if len(y.Data) != y.Rows*y.Cols {
		return &ShapeError{fmt.Sprintf("elements of the %d×%d target matrix", y.Rows, y.Cols), len(y.Data), y.Rows * y.Cols}
	}
	return m.loss.CheckTarget(y, m.OutputSize())
}

// constrain applies the layers' constraints to the parameters.
func (m *Model[T]) constrain() {
	for i, l := range m.layers {
		if c, ok := l.(Constrained[T]); ok {
			c.Constrain(m.layerView(m.params, i))
		}
	}
}

// penalty sums the layers' regularization penalties and, when grads is
// non-nil, adds their gradients to grads.
func (m *Model[T]) penalty(params, grads []T) float64 {
	var s float64
	for i, l := range m.layers {
		if p, ok := l.(Penalized[T]); ok {
			var g []T
			if grads != nil {
				g = m.layerView(grads, i)
			}
			s += p.Penalty(m.layerView(params, i), g)
		}
	}
	return s
}
