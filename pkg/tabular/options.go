package tabular

import (
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/prep"
)

// The training options of Config that are names: Loss, Optimizer,
// Schedule and Precision (and prep's Task, Scaler and Imputation). Each
// has a Parse function that refuses any other name (a *prep.NameError)
// and a zero value that means its default, decided by its Resolved method
// alone. Fit checks a Config's names once, before reading anything.

// Loss is the training loss, or LossAuto: cross-entropy for
// classification, mean squared error for regression.
type Loss string

// The losses.
const (
	LossAuto  Loss = "auto"
	LossMSE   Loss = "mse"
	LossMAE   Loss = "mae"
	LossHuber Loss = "huber" // delta 1
	LossCE    Loss = "ce"    // cross-entropy on a softmax output
	LossBCE   Loss = "bce"   // binary cross-entropy on one sigmoid output (two classes)
)

// Losses lists the losses, LossAuto first.
var Losses = []Loss{LossAuto, LossMSE, LossMAE, LossHuber, LossCE, LossBCE}

// ParseLoss returns the loss named s.
func ParseLoss(s string) (Loss, error) { return prep.ParseName("loss", s, Losses) }

// Resolved returns the loss l stands for: LossAuto for the zero value.
func (l Loss) Resolved() Loss {
	if l == "" {
		return LossAuto
	}
	return l
}

func (l Loss) String() string { return string(l.Resolved()) }

// Optimizer is the optimizer's update rule.
type Optimizer string

// The optimizers, with Keras' defaults (see NewOptimizer).
const (
	SGD      Optimizer = "sgd"
	Momentum Optimizer = "momentum" // momentum 0.9
	Nesterov Optimizer = "nesterov" // Nesterov momentum 0.9
	Adam     Optimizer = "adam"
	AdamW    Optimizer = "adamw" // weight decay 0.004
	RMSprop  Optimizer = "rmsprop"
)

// Optimizers lists the optimizers.
var Optimizers = []Optimizer{SGD, Momentum, Nesterov, Adam, AdamW, RMSprop}

// DefaultOptimizer is the optimizer of Config's zero value.
const DefaultOptimizer = Adam

// ParseOptimizer returns the optimizer named s.
func ParseOptimizer(s string) (Optimizer, error) { return prep.ParseName("optimizer", s, Optimizers) }

// Resolved returns the optimizer o stands for: DefaultOptimizer for the
// zero value.
func (o Optimizer) Resolved() Optimizer {
	if o == "" {
		return DefaultOptimizer
	}
	return o
}

func (o Optimizer) String() string { return string(o.Resolved()) }

// NewOptimizer returns optimizer o with learning rate lr (0: Keras'
// default for it, 0.01 for the SGD family and 0.001 otherwise); an
// unknown o is a *prep.NameError.
func NewOptimizer[T nn.Float](o Optimizer, lr float64) (nn.Optimizer[T], error) {
	def := func(d float64) float64 {
		if lr == 0 {
			return d
		}
		return lr
	}
	switch o.Resolved() {
	case SGD:
		return nn.NewSGD[T](def(0.01)), nil
	case Momentum:
		return nn.NewMomentum[T](def(0.01), 0.9), nil
	case Nesterov:
		return nn.NewNesterov[T](def(0.01), 0.9), nil
	case Adam:
		return nn.NewAdam[T](def(0.001)), nil
	case AdamW:
		return nn.NewAdamW[T](def(0.001), 0.004), nil
	case RMSprop:
		return nn.NewRMSprop[T](def(0.001)), nil
	}
	_, err := ParseOptimizer(string(o))
	return nil, err
}

// Schedule is how the learning rate changes over the epochs.
type Schedule string

// The schedules.
const (
	// Constant keeps the rate.
	Constant Schedule = "constant"
	// Cosine takes the rate along half a cosine from Config.LR to 0 over
	// Config.Epochs, set at the start of every epoch (train.CosineDecay).
	Cosine Schedule = "cosine"
)

// Schedules lists the schedules, Constant first.
var Schedules = []Schedule{Constant, Cosine}

// DefaultSchedule is the schedule of Config.LRSchedule's zero value:
// Cosine, which with ensembles gave the meta-train tables of
// benchmarks/tables +0.0025 mean score over Constant.
const DefaultSchedule = Cosine

// ParseSchedule returns the schedule named s.
func ParseSchedule(s string) (Schedule, error) {
	return prep.ParseName("learning-rate schedule", s, Schedules)
}

// Resolved returns the schedule s stands for: DefaultSchedule for the
// zero value.
func (s Schedule) Resolved() Schedule {
	if s == "" {
		return DefaultSchedule
	}
	return s
}

func (s Schedule) String() string { return string(s.Resolved()) }

// Precision is the floating-point type the network computes and is stored
// in.
type Precision string

// The precisions.
const (
	F32 Precision = "f32"
	F64 Precision = "f64"
)

// Precisions lists the precisions, F32 first.
var Precisions = []Precision{F32, F64}

// ParsePrecision returns the precision named s.
func ParsePrecision(s string) (Precision, error) { return prep.ParseName("precision", s, Precisions) }

// Resolved returns the precision p stands for: F32 for the zero value.
func (p Precision) Resolved() Precision {
	if p == "" {
		return F32
	}
	return p
}

func (p Precision) String() string { return string(p.Resolved()) }

// CacheRead is how Fit reads the rows of a block cache (Config.Cache).
type CacheRead string

// The ways to read a cache.
const (
	// CacheAuto loads the rows into memory when they fit (below half the
	// memory limit, csvdata.MemoryLimit), and reads them from disk a batch
	// at a time otherwise.
	CacheAuto CacheRead = "auto"
	// CacheMemory loads the rows into memory: epochs run as fast as in
	// memory, the parse is saved.
	CacheMemory CacheRead = "memory"
	// CacheDisk reads each batch's rows from disk (pread): memory holds a
	// block or two and about 20 bytes a row whatever the table's size;
	// epochs cost a read a row.
	CacheDisk CacheRead = "disk"
)

// CacheReads lists the ways, CacheAuto first.
var CacheReads = []CacheRead{CacheAuto, CacheMemory, CacheDisk}

// ParseCacheRead returns the way named s.
func ParseCacheRead(s string) (CacheRead, error) { return prep.ParseName("cache read", s, CacheReads) }

// Resolved returns the way r stands for: CacheAuto for the zero value.
func (r CacheRead) Resolved() CacheRead {
	if r == "" {
		return CacheAuto
	}
	return r
}

func (r CacheRead) String() string { return string(r.Resolved()) }
