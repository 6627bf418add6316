package train

import (
	"fmt"
)

// TrainState is what a callback sees of the training in progress.
type TrainState interface {
	// LearningRate and SetLearningRate read and change the optimizer's
	// rate (0, and nothing, with an optimizer that is not a LearningRater).
	LearningRate() float64
	SetLearningRate(lr float64)
	// SaveWeights returns a copy of the parameters; RestoreWeights puts a
	// copy of this model's back.
	SaveWeights() Weights
	RestoreWeights(Weights) error
	// StopTraining ends Fit after the current epoch, without an error.
	StopTraining()
	// Checkpoint writes a checkpoint now (see Options.CheckpointPath).
	Checkpoint() error
	// Samples is the number of training rows: the samples of one epoch
	// (a progress bar's total).
	Samples() int
}

// Callback hooks into Fit, as in Keras: OnEpochEnd is called at the end
// of every epoch, once it is evaluated and logged (the one hook every
// callback has, as every http.Handler has ServeHTTP). The other hooks are
// small optional interfaces — TrainBeginner, EpochBeginner, BatchEnder,
// TrainEnder — that a callback implements when it needs them, as an
// http.ResponseWriter may be an http.Flusher; StatefulCallback adds a
// state that checkpoints keep. CallbackFuncs makes a Callback of
// functions.
//
// Epochs and batches are numbered from 1. The callbacks of a hook run in
// the order of Options.Callbacks. A hook's error ends Fit with that
// error; OnTrainEnd then does not run. Predict and Evaluate may be called
// on the model from a hook; while hooks run, other goroutines may call
// them too (see Model).
type Callback interface {
	OnEpochEnd(s TrainState, log *EpochLog) error
}

// TrainBeginner is a Callback called when Fit begins, before a resumed
// run's callback states are restored.
type TrainBeginner interface {
	OnTrainBegin(s TrainState) error
}

// EpochBeginner is a Callback called at the start of every epoch.
type EpochBeginner interface {
	OnEpochBegin(s TrainState, epoch int) error
}

// BatchEnder is a Callback called after every batch, for progress
// displays: samples counts the samples of the epoch trained so far, and
// loss is their mean loss.
type BatchEnder interface {
	OnBatchEnd(s TrainState, epoch, batch, samples int, loss float64) error
}

// TrainEnder is a Callback called when training ends without an error,
// before the last checkpoint is written.
type TrainEnder interface {
	OnTrainEnd(s TrainState) error
}

// StatefulCallback is a Callback whose state is saved in checkpoints, so
// that a resumed run behaves as if it had never stopped. The state is JSON
// plus, optionally, a copy of the weights.
type StatefulCallback interface {
	MarshalState() ([]byte, Weights, error)
	UnmarshalState([]byte, Weights) error
}

// CallbackFuncs is a Callback made of functions, each the hook of the same
// name; a nil one does nothing.
type CallbackFuncs struct {
	TrainBegin func(s TrainState) error
	EpochBegin func(s TrainState, epoch int) error
	BatchEnd   func(s TrainState, epoch, batch, samples int, loss float64) error
	EpochEnd   func(s TrainState, log *EpochLog) error
	TrainEnd   func(s TrainState) error
}

// OnTrainBegin implements TrainBeginner.
func (f CallbackFuncs) OnTrainBegin(s TrainState) error {
	if f.TrainBegin == nil {
		return nil
	}
	return f.TrainBegin(s)
}

// OnEpochBegin implements EpochBeginner.
func (f CallbackFuncs) OnEpochBegin(s TrainState, epoch int) error {
	if f.EpochBegin == nil {
		return nil
	}
	return f.EpochBegin(s, epoch)
}

// OnBatchEnd implements BatchEnder.
func (f CallbackFuncs) OnBatchEnd(s TrainState, epoch, batch, samples int, loss float64) error {
	if f.BatchEnd == nil {
		return nil
	}
	return f.BatchEnd(s, epoch, batch, samples, loss)
}

// OnEpochEnd implements Callback.
func (f CallbackFuncs) OnEpochEnd(s TrainState, log *EpochLog) error {
	if f.EpochEnd == nil {
		return nil
	}
	return f.EpochEnd(s, log)
}

// OnTrainEnd implements TrainEnder.
func (f CallbackFuncs) OnTrainEnd(s TrainState) error {
	if f.TrainEnd == nil {
		return nil
	}
	return f.TrainEnd(s)
}

// hooks are the callbacks of a Fit by the hooks they have, each list in
// the callbacks' order.
type hooks struct {
	trainBegin []TrainBeginner
	epochBegin []EpochBeginner
	batchEnd   []BatchEnder
	epochEnd   []Callback
	trainEnd   []TrainEnder
}

// hooksOf sorts the callbacks by hook; it fails on a nil one.
func hooksOf(cbs []Callback) (hooks, error) {
	var h hooks
	for i, c := range cbs {
		if c == nil {
			return h, fmt.Errorf("train: Options.Callbacks[%d] is nil", i)
		}
		h.epochEnd = append(h.epochEnd, c)
		if c, ok := c.(TrainBeginner); ok {
			h.trainBegin = append(h.trainBegin, c)
		}
		if c, ok := c.(EpochBeginner); ok {
			h.epochBegin = append(h.epochBegin, c)
		}
		if c, ok := c.(BatchEnder); ok {
			h.batchEnd = append(h.batchEnd, c)
		}
		if c, ok := c.(TrainEnder); ok {
			h.trainEnd = append(h.trainEnd, c)
		}
	}
	return h, nil
}
