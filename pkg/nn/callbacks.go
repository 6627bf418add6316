package nn

import (
	"encoding/json"
	"errors"
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
	// copy of this model's back.
	SaveWeights() Weights
	RestoreWeights(Weights) error
	// StopTraining ends Fit after the current epoch, without an error.
	StopTraining()
	// Checkpoint writes a checkpoint now (see FitOptions.CheckpointPath).
	Checkpoint() error
}

// Weights is an opaque copy of a model's parameters.
type Weights struct{ v any }

// Callback hooks into Fit, as in Keras. Epochs are numbered from 1. A
// callback's error ends Fit with that error; OnTrainEnd then does not run.
type Callback interface {
	OnTrainBegin(s TrainState) error
	OnEpochBegin(s TrainState, epoch int) error
	OnEpochEnd(s TrainState, log *EpochLog) error
	OnTrainEnd(s TrainState) error
}

// BatchCallback is a Callback that also hears about every batch, for
// progress displays: epoch and batch are 1-based, samples counts the
// samples of the epoch trained so far, and loss is their mean loss.
type BatchCallback interface {
	Callback
	OnBatchEnd(s TrainState, epoch, batch, samples int, loss float64) error
}

// StatefulCallback is a Callback whose state is saved in checkpoints, so
// that a resumed run behaves as if it had never stopped. The state is JSON
// plus, optionally, a copy of the weights.
type StatefulCallback interface {
	Callback
	MarshalState() ([]byte, Weights, error)
	UnmarshalState([]byte, Weights) error
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

// plateau is the state EarlyStopping and ReduceLROnPlateau share. Best is
// NaN until the first epoch.
type plateau struct {
	Best      float64  `json:"-"`
	BestJSON  *float64 `json:"best,omitempty"`
	BestEpoch int      `json:"best_epoch"`
	Wait      int      `json:"wait"`
	Cooldown  int      `json:"cooldown,omitempty"`
}

func (p *plateau) reset() { *p = plateau{Best: math.NaN()} }

func (p *plateau) marshal() ([]byte, error) {
	q := *p
	if !math.IsNaN(q.Best) {
		q.BestJSON = &q.Best
	}
	return json.Marshal(q)
}

func (p *plateau) unmarshal(b []byte) error {
	var q plateau
	if err := json.Unmarshal(b, &q); err != nil {
		return err
	}
	q.Best = math.NaN()
	if q.BestJSON != nil {
		q.Best = *q.BestJSON
	}
	q.BestJSON = nil
	*p = q
	return nil
}

// EarlyStopping stops training when Monitor has not improved by more than
// MinDelta for Patience epochs (at least one). With RestoreBestWeights the
// weights of the best epoch are put back when training ends, as in Keras 3.
type EarlyStopping struct {
	Monitor            string  // default "val_loss"; "loss" without validation
	Patience           int     // epochs without improvement before stopping
	MinDelta           float64 // smallest change that counts as improvement
	RestoreBestWeights bool

	state   plateau
	weights Weights
}

// BestEpoch returns the epoch with the best monitored value, 0 if none.
func (c *EarlyStopping) BestEpoch() int { return c.state.BestEpoch }

// OnTrainBegin implements Callback: it resets the state.
func (c *EarlyStopping) OnTrainBegin(TrainState) error {
	c.state.reset()
	c.weights = Weights{}
	return nil
}

// OnEpochBegin implements Callback.
func (c *EarlyStopping) OnEpochBegin(TrainState, int) error { return nil }

// OnEpochEnd implements Callback.
func (c *EarlyStopping) OnEpochEnd(s TrainState, log *EpochLog) error {
	mon, v, err := monitored(c.Monitor, log, "early stopping")
	if err != nil {
		return err
	}
	if improved(v, c.state.Best, c.MinDelta, lowerIsBetter(mon)) {
		c.state.Best, c.state.BestEpoch, c.state.Wait = v, log.Epoch, 0
		if c.RestoreBestWeights {
			c.weights = s.SaveWeights()
		}
		return nil
	}
	if c.state.Wait++; c.state.Wait >= max(c.Patience, 1) {
		s.StopTraining()
	}
	return nil
}

// OnTrainEnd implements Callback.
func (c *EarlyStopping) OnTrainEnd(s TrainState) error {
	if c.RestoreBestWeights && c.weights.v != nil {
		return s.RestoreWeights(c.weights)
	}
	return nil
}

// MarshalState implements StatefulCallback.
func (c *EarlyStopping) MarshalState() ([]byte, Weights, error) {
	b, err := c.state.marshal()
	return b, c.weights, err
}

// UnmarshalState implements StatefulCallback.
func (c *EarlyStopping) UnmarshalState(b []byte, w Weights) error {
	c.weights = w
	return c.state.unmarshal(b)
}

// Schedule maps a 1-based epoch to a learning rate. Schedules here step per
// epoch; Keras' ExponentialDecay and CosineDecay step per optimizer update.
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
// epochs, then stays there.
func CosineDecay(initial float64, epochs int, alpha float64) Schedule {
	return func(e int) float64 {
		p := math.Min(float64(e-1), float64(epochs)) / float64(max(epochs, 1))
		return initial * ((1-alpha)*0.5*(1+math.Cos(math.Pi*p)) + alpha)
	}
}

// LearningRateScheduler sets the learning rate from a Schedule at the start
// of every epoch.
type LearningRateScheduler struct{ Schedule Schedule }

// OnTrainBegin implements Callback.
func (LearningRateScheduler) OnTrainBegin(TrainState) error { return nil }

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
// Cooldown epochs; the rate never goes below MinLR. NewReduceLROnPlateau
// gives Keras' defaults.
type ReduceLROnPlateau struct {
	Monitor  string  // default "val_loss"; "loss" without validation
	Factor   float64 // in (0, 1)
	Patience int
	MinDelta float64
	Cooldown int
	MinLR    float64

	state plateau
}

// NewReduceLROnPlateau returns ReduceLROnPlateau with Keras' defaults:
// factor 0.1, patience 10, min delta 1e-4, no cooldown, no minimum.
func NewReduceLROnPlateau() *ReduceLROnPlateau {
	return &ReduceLROnPlateau{Factor: 0.1, Patience: 10, MinDelta: 1e-4}
}

// OnTrainBegin implements Callback: it checks the settings and resets the
// state.
func (c *ReduceLROnPlateau) OnTrainBegin(TrainState) error {
	if !(c.Factor > 0 && c.Factor < 1) {
		return fmt.Errorf("nn: reduce-on-plateau factor %v, want a value in (0, 1)", c.Factor)
	}
	if c.Patience < 0 || c.Cooldown < 0 || c.MinDelta < 0 {
		return errors.New("nn: reduce-on-plateau: negative patience, cooldown or min delta")
	}
	c.state.reset()
	return nil
}

// OnEpochBegin implements Callback.
func (c *ReduceLROnPlateau) OnEpochBegin(TrainState, int) error { return nil }

// OnEpochEnd implements Callback.
func (c *ReduceLROnPlateau) OnEpochEnd(s TrainState, log *EpochLog) error {
	mon, v, err := monitored(c.Monitor, log, "reduce-on-plateau")
	if err != nil {
		return err
	}
	st := &c.state
	if st.Cooldown > 0 {
		st.Cooldown--
		st.Wait = 0
	}
	if improved(v, st.Best, c.MinDelta, lowerIsBetter(mon)) {
		st.Best, st.BestEpoch, st.Wait = v, log.Epoch, 0
		return nil
	}
	if st.Cooldown > 0 {
		return nil
	}
	if st.Wait++; st.Wait >= c.Patience {
		if lr := s.LearningRate(); lr > c.MinLR {
			s.SetLearningRate(max(lr*c.Factor, c.MinLR))
		}
		st.Cooldown, st.Wait = c.Cooldown, 0
	}
	return nil
}

// OnTrainEnd implements Callback.
func (c *ReduceLROnPlateau) OnTrainEnd(TrainState) error { return nil }

// MarshalState implements StatefulCallback.
func (c *ReduceLROnPlateau) MarshalState() ([]byte, Weights, error) {
	b, err := c.state.marshal()
	return b, Weights{}, err
}

// UnmarshalState implements StatefulCallback.
func (c *ReduceLROnPlateau) UnmarshalState(b []byte, _ Weights) error { return c.state.unmarshal(b) }
