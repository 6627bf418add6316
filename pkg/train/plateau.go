package train

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
)

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
		return monitor, 0, fmt.Errorf("train: %s: %q was not logged", who, monitor)
	}
	return monitor, v, nil
}

// lowerIsBetter decides whether a monitored quantity improves by going down.
func lowerIsBetter(monitor string) bool {
	m := strings.TrimPrefix(monitor, "val_")
	return m != "accuracy" && m != "r2"
}

// better reports whether v beats best by more than minDelta.
func better(v, best, minDelta float64, lower bool) bool {
	if math.IsNaN(best) {
		return !math.IsNaN(v)
	}
	if lower {
		return v < best-minDelta
	}
	return v > best+minDelta
}

// plateau is the state EarlyStopping and ReduceLROnPlateau share, and
// their logic: the best value of the monitored quantity, its epoch, the
// epochs waited since, and ReduceLROnPlateau's cooldown. Best is NaN until
// the first epoch.
type plateau struct {
	Best      float64  `json:"-"`
	BestJSON  *float64 `json:"best,omitempty"`
	BestEpoch int      `json:"best_epoch"`
	Wait      int      `json:"wait"`
	Cooldown  int      `json:"cooldown,omitempty"`
	// Monitor is the quantity Best is a value of, once observed ("" in
	// the checkpoints of earlier versions).
	Monitor string `json:"monitor,omitempty"`
}

// observe takes an epoch's log: if the monitored quantity beat the best by
// more than minDelta, it becomes the best and observe reports improved;
// otherwise, out of a cooldown, it counts one more epoch of waiting and
// reports whether patience epochs have been waited. A cooldown counts down
// one epoch per call, holding the wait at 0.
func (p *plateau) observe(log *EpochLog, monitor string, minDelta float64, patience int, who string) (improved, exhausted bool, err error) {
	mon, v, err := monitored(monitor, log, who)
	if err != nil {
		return false, false, err
	}
	if p.Cooldown > 0 {
		p.Cooldown--
		p.Wait = 0
	}
	p.Monitor = mon // (unmarshal refuses the state of another quantity)
	if better(v, p.Best, minDelta, lowerIsBetter(mon)) {
		p.Best, p.BestEpoch, p.Wait = v, log.Epoch, 0
		return true, false, nil
	}
	if p.Cooldown > 0 {
		return false, false, nil
	}
	p.Wait++
	return false, p.Wait >= patience, nil
}

func (p *plateau) reset() { *p = plateau{Best: math.NaN()} }

func (p *plateau) marshal() ([]byte, error) {
	q := *p
	if !math.IsNaN(q.Best) {
		q.BestJSON = &q.Best
	}
	return json.Marshal(q)
}

// unmarshal restores a state that marshal wrote, for a run that monitors
// monitor ("": val_loss, or loss without validation): a state of another
// quantity is an error, since its best value cannot be compared with this
// run's.
func (p *plateau) unmarshal(b []byte, monitor, who string) error {
	var q plateau
	if err := json.Unmarshal(b, &q); err != nil {
		return err
	}
	if q.Monitor != "" && (monitor != "" && q.Monitor != monitor || monitor == "" && q.Monitor != "val_loss" && q.Monitor != "loss") {
		return fmt.Errorf("its %s monitored %q, this run's monitors %q", who, q.Monitor, cmp.Or(monitor, "val_loss"))
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
// A quantity improves by going down — a loss, "rmse", "mae", "lr" — except
// "accuracy" and "r2" (and their "val_" forms), which improve by going up.
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

// OnTrainBegin implements TrainBeginner: it resets the state.
func (c *EarlyStopping) OnTrainBegin(TrainState) error {
	c.state.reset()
	c.weights = Weights{}
	return nil
}

// OnEpochEnd implements Callback.
func (c *EarlyStopping) OnEpochEnd(s TrainState, log *EpochLog) error {
	improved, exhausted, err := c.state.observe(log, c.Monitor, c.MinDelta, max(c.Patience, 1), "early stopping")
	switch {
	case err != nil:
		return err
	case improved && c.RestoreBestWeights:
		c.weights = s.SaveWeights()
	case exhausted:
		s.StopTraining()
	}
	return nil
}

// OnTrainEnd implements TrainEnder.
func (c *EarlyStopping) OnTrainEnd(s TrainState) error {
	if c.restored() {
		return s.RestoreWeights(c.weights)
	}
	return nil
}

// restored reports whether OnTrainEnd puts back the best epoch's weights.
func (c *EarlyStopping) restored() bool { return c.RestoreBestWeights && c.weights.Len() > 0 }

// MarshalState implements StatefulCallback.
func (c *EarlyStopping) MarshalState() ([]byte, Weights, error) {
	b, err := c.state.marshal()
	return b, c.weights, err
}

// UnmarshalState implements StatefulCallback.
func (c *EarlyStopping) UnmarshalState(b []byte, w Weights) error {
	c.weights = w
	return c.state.unmarshal(b, c.Monitor, "early stopping")
}

// ReduceLROnPlateau multiplies the learning rate by Factor when Monitor has
// not improved by more than MinDelta for Patience epochs, then waits
// Cooldown epochs; the rate never goes below MinLR. NewReduceLROnPlateau
// gives Keras' defaults. Monitor improves in the direction EarlyStopping
// says.
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

// OnTrainBegin implements TrainBeginner: it checks the settings and resets
// the state.
func (c *ReduceLROnPlateau) OnTrainBegin(TrainState) error {
	if !(c.Factor > 0 && c.Factor < 1) {
		return fmt.Errorf("train: reduce-on-plateau factor %v, want a value in (0, 1)", c.Factor)
	}
	if c.Patience < 0 || c.Cooldown < 0 || c.MinDelta < 0 {
		return errors.New("train: reduce-on-plateau: negative patience, cooldown or min delta")
	}
	c.state.reset()
	return nil
}

// OnEpochEnd implements Callback.
func (c *ReduceLROnPlateau) OnEpochEnd(s TrainState, log *EpochLog) error {
	_, exhausted, err := c.state.observe(log, c.Monitor, c.MinDelta, c.Patience, "reduce-on-plateau")
	if err != nil || !exhausted {
		return err
	}
	if lr := s.LearningRate(); lr > c.MinLR {
		s.SetLearningRate(max(lr*c.Factor, c.MinLR))
	}
	c.state.Cooldown, c.state.Wait = c.Cooldown, 0
	return nil
}

// MarshalState implements StatefulCallback.
func (c *ReduceLROnPlateau) MarshalState() ([]byte, Weights, error) {
	b, err := c.state.marshal()
	return b, Weights{}, err
}

// UnmarshalState implements StatefulCallback.
func (c *ReduceLROnPlateau) UnmarshalState(b []byte, _ Weights) error {
	return c.state.unmarshal(b, c.Monitor, "reduce-on-plateau")
}
