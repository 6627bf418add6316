package train

import (
	"fmt"
	"math"
)

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

// OnEpochBegin implements EpochBeginner.
func (c LearningRateScheduler) OnEpochBegin(s TrainState, epoch int) error {
	lr := c.Schedule(epoch)
	if !(lr >= 0) || math.IsInf(lr, 1) {
		return fmt.Errorf("train: learning-rate schedule gave %v at epoch %d", lr, epoch)
	}
	s.SetLearningRate(lr)
	return nil
}

// OnEpochEnd implements Callback: a scheduler acts at the start of an
// epoch only.
func (c LearningRateScheduler) OnEpochEnd(TrainState, *EpochLog) error { return nil }
