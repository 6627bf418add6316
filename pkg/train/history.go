package train

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

// EpochLog is what Fit records for one epoch.
type EpochLog struct {
	Epoch int // 1-based
	// Loss is the epoch's training loss: the mean over the epoch's samples
	// of the loss each had when its batch was trained (as Keras reports it),
	// plus the layers' penalties.
	Loss float64
	// Metrics are the training metrics, accumulated the same way over the
	// epoch: "accuracy", or "rmse", "mae" and "r2".
	Metrics map[string]float64
	// ValLoss and ValMetrics are computed on the validation data with the
	// weights at the end of the epoch; ValLoss is NaN without validation.
	ValLoss    float64
	ValMetrics map[string]float64
	// LearningRate is the optimizer's learning rate during the epoch.
	LearningRate float64
	// Duration is the epoch's wall-clock time, validation included;
	// TrainTime is the part spent in training steps.
	Duration, TrainTime time.Duration
}

// Value returns a logged quantity by its Keras name: "loss", "val_loss",
// "lr", a metric such as "accuracy", or a validation metric such as
// "val_accuracy". It reports false when the quantity was not logged.
func (e EpochLog) Value(name string) (float64, bool) {
	switch name {
	case "loss":
		return e.Loss, true
	case "val_loss":
		return e.ValLoss, !math.IsNaN(e.ValLoss)
	case "lr", "learning_rate":
		return e.LearningRate, true
	}
	if v, ok := strings.CutPrefix(name, "val_"); ok {
		x, ok := e.ValMetrics[v]
		return x, ok
	}
	x, ok := e.Metrics[name]
	return x, ok
}

// String formats the losses and metrics of the log as one line: "loss
// 0.0123 accuracy 0.95 val_loss 0.02 val_accuracy 0.93", the metrics in
// alphabetical order, the validation ones only with validation; Line adds
// the epoch and the time.
func (e EpochLog) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "loss %.6g", e.Loss)
	for _, k := range slices.Sorted(maps.Keys(e.Metrics)) {
		fmt.Fprintf(&b, " %s %.6g", k, e.Metrics[k])
	}
	if !math.IsNaN(e.ValLoss) {
		fmt.Fprintf(&b, " val_loss %.6g", e.ValLoss)
		for _, k := range slices.Sorted(maps.Keys(e.ValMetrics)) {
			fmt.Fprintf(&b, " val_%s %.6g", k, e.ValMetrics[k])
		}
	}
	return b.String()
}

// Line formats the log as Fit writes it, one line without its newline:
// "epoch 3/10 loss 0.0123 … (1.52s)", total being the number of epochs.
func (e EpochLog) Line(total int) string {
	return fmt.Sprintf("epoch %d/%d %s (%.2fs)", e.Epoch, total, e, e.Duration.Seconds())
}

// History records a Fit, one EpochLog per epoch trained.
type History struct {
	Epochs []EpochLog
	// Restored is the epoch whose weights the model holds after Fit when
	// EarlyStopping (RestoreBestWeights) put back its best epoch's; 0 when
	// the model holds the last epoch's.
	Restored int
}

// Values returns a logged quantity (see EpochLog.Value) for every epoch, or
// nil if it was not logged.
func (h *History) Values(name string) []float64 {
	var v []float64
	for _, e := range h.Epochs {
		x, ok := e.Value(name)
		if !ok {
			return nil
		}
		v = append(v, x)
	}
	return v
}

// Loss returns the training loss of every epoch.
func (h *History) Loss() []float64 { return h.Values("loss") }
