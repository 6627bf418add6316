package nn

import (
	"fmt"
	"math"
	"strings"
)

// TrainState is what a callback sees of the training in progress.
type TrainState interface {
	// LearningRate and SetLearningRate read and change the optimizer's rate.
	LearningRate() float64
	SetLearningRate(lr float64)
	// SaveWeights returns a copy of the parameters; RestoreWeights puts a
	// copy back.
	SaveWeights() Weights
	RestoreWeights(Weights)
	// StopTraining ends Fit after the current epoch, without an error.
	StopTraining()
	// Checkpoint writes a checkpoint now (see FitOptions.CheckpointPath).
	Checkpoint() error
}

// Weights is an opaque copy of a model's parameters.
type Weights struct{ v any }

// Callback hooks into Fit, as in Keras. Epochs are numbered from 1. A
// callback's error ends Fit with that error.
type Callback interface {
	OnEpochBegin(s TrainState, epoch int) error
	OnEpochEnd(s TrainState, log *EpochLog) error
	OnTrainEnd(s TrainState) error
}

// monitored returns the name and value of the monitored quantity: monitor,
// or by default val_loss (loss without validation).
func monitored(monitor string, log *EpochLog, who string) (string, float64, error) {
	if monitor == "" {
		monitor = "val_loss"
		if math.IsNaN(log.ValLoss) {
			monitor = "loss"
		}
	}
	v, ok := log.Value(monitor)
	if !ok {
		return monitor, 0, fmt.Errorf("nn: %s: %q was not logged", who, monitor)
	}
	return monitor, v, nil
}

// lowerIsBetter decides whether a monitored quantity improves by going down.
func lowerIsBetter(monitor string) bool {
	m := strings.TrimPrefix(monitor, "val_")
	return m != "accuracy" && m != "r2"
}

// improved reports whether v beats best by more than minDelta.
func improved(v, best, minDelta float64, lower bool) bool {
	if math.IsNaN(best) {
		return !math.IsNaN(v)
	}
	if lower {
		return v < best-minDelta
	}
	return v > best+minDelta
}

// EarlyStopping stops training when Monitor has not improved by more than
// MinDelta for Patience epochs. With RestoreBestWeights the weights of the
// best epoch are restored when training ends, whether it stopped early or
// ran all its epochs (Keras restores them only on an early stop).
type EarlyStopping struct {
	Monitor            string  // default "val_loss"; "loss" without validation
	Patience           int     // epochs without improvement before stopping
	MinDelta           float64 // smallest change that counts as improvement
	RestoreBestWeights bool

	best      float64
	bestEpoch int
	wait      int
	weights   Weights
	started   bool
}

// BestEpoch returns the epoch with the best monitored value, 0 if none.
func (c *EarlyStopping) BestEpoch() int { return c.bestEpoch }

// OnEpochBegin implements Callback.
func (c *EarlyStopping) OnEpochBegin(TrainState, int) error {
	if !c.started {
		c.best, c.bestEpoch, c.wait, c.weights, c.started = math.NaN(), 0, 0, Weights{}, true
	}
	return nil
}

// OnEpochEnd implements Callback.
func (c *EarlyStopping) OnEpochEnd(s TrainState, log *EpochLog) error {
	mon, v, err := monitored(c.Monitor, log, "early stopping")
	if err != nil {
		return err
	}
	if improved(v, c.best, c.MinDelta, lowerIsBetter(mon)) {
		c.best, c.bestEpoch, c.wait = v, log.Epoch, 0
		if c.RestoreBestWeights {
			c.weights = s.SaveWeights()
		}
		return nil
	}
	if c.wait++; c.wait >= max(c.Patience, 1) {
		s.StopTraining()
	}
	return nil
}

// OnTrainEnd implements Callback.
func (c *EarlyStopping) OnTrainEnd(s TrainState) error {
	if c.RestoreBestWeights && c.weights.v != nil {
		s.RestoreWeights(c.weights)
	}
	c.started = false
	return nil
}

// Schedule maps a 1-based epoch to a learning rate.
type Schedule func(epoch int) float64

// StepDecay multiplies the rate by drop every `every` epochs.
func StepDecay(initial, drop float64, every int) Schedule {
	return func(e int) float64 { return initial * math.Pow(drop, float64((e-1)/max(every, 1))) }
}

// ExponentialDecay multiplies the rate by rate every epoch.
func ExponentialDecay(initial, rate float64) Schedule {
	return func(e int) float64 { return initial * math.Pow(rate, float64(e-1)) }
}

// CosineDecay follows half a cosine from initial to alpha·initial over
// epochs, then stays there (Keras' CosineDecay, per epoch).
func CosineDecay(initial float64, epochs int, alpha float64) Schedule {
	return func(e int) float64 {
		p := math.Min(float64(e-1), float64(epochs)) / float64(max(epochs, 1))
		return initial * ((1-alpha)*0.5*(1+math.Cos(math.Pi*p)) + alpha)
	}
}

// LearningRateScheduler sets the learning rate from a Schedule at the start
// of every epoch.
type LearningRateScheduler struct{ Schedule Schedule }

// OnEpochBegin implements Callback.
func (c LearningRateScheduler) OnEpochBegin(s TrainState, epoch int) error {
	lr := c.Schedule(epoch)
	if !(lr >= 0) || math.IsInf(lr, 1) {
		return fmt.Errorf("nn: learning-rate schedule gave %v at epoch %d", lr, epoch)
	}
	s.SetLearningRate(lr)
	return nil
}

// OnEpochEnd implements Callback.
func (LearningRateScheduler) OnEpochEnd(TrainState, *EpochLog) error { return nil }

// OnTrainEnd implements Callback.
func (LearningRateScheduler) OnTrainEnd(TrainState) error { return nil }

// ReduceLROnPlateau multiplies the learning rate by Factor when Monitor has
// not improved by more than MinDelta for Patience epochs, then waits
// Cooldown epochs; the rate never goes below MinLR. Zero fields take Keras'
// defaults: Factor 0.1, Patience 10, MinDelta 1e-4.
type ReduceLROnPlateau struct {
	Monitor  string // default "val_loss"; "loss" without validation
	Factor   float64
	Patience int
	MinDelta float64
	Cooldown int
	MinLR    float64

	best           float64
	wait, cooldown int
	started        bool
}

// OnEpochBegin implements Callback.
func (c *ReduceLROnPlateau) OnEpochBegin(TrainState, int) error {
	if !c.started {
		c.best, c.wait, c.cooldown, c.started = math.NaN(), 0, 0, true
	}
	return nil
}

// OnEpochEnd implements Callback.
func (c *ReduceLROnPlateau) OnEpochEnd(s TrainState, log *EpochLog) error {
	mon, v, err := monitored(c.Monitor, log, "reduce-on-plateau")
	if err != nil {
		return err
	}
	factor, patience, minDelta := c.Factor, c.Patience, c.MinDelta
	if factor == 0 {
		factor = 0.1
	}
	if patience == 0 {
		patience = 10
	}
	if minDelta == 0 {
		minDelta = 1e-4
	}
	if c.cooldown > 0 {
		c.cooldown--
		c.wait = 0
	}
	if improved(v, c.best, minDelta, lowerIsBetter(mon)) {
		c.best, c.wait = v, 0
		return nil
	}
	if c.cooldown > 0 {
		return nil
	}
	if c.wait++; c.wait >= patience {
		if lr := s.LearningRate(); lr > c.MinLR {
			s.SetLearningRate(max(lr*factor, c.MinLR))
		}
		c.cooldown, c.wait = c.Cooldown, 0
	}
	return nil
}

// OnTrainEnd implements Callback.
func (c *ReduceLROnPlateau) OnTrainEnd(TrainState) error {
	c.started = false
	return nil
}
