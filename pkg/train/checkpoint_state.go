package train

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// The JSON forms of a checkpoint's "state" metadata (see checkpoint.go).

// checkpointState is the "state" metadata of a checkpoint.
type checkpointState struct {
	Epoch        int     `json:"epoch"` // epochs completed
	Stopped      bool    `json:"stopped"`
	Steps        int     `json:"steps"`
	Optimizer    string  `json:"optimizer"`
	LearningRate float64 `json:"learning_rate"`
	// RunRate is the rate the run was given (Options' optimizer rate
	// when Fit began), to tell a changed rate on resume.
	RunRate     float64           `json:"run_learning_rate,omitempty"`
	RNG         []byte            `json:"rng"`
	Fingerprint string            `json:"fingerprint"`
	Callbacks   []json.RawMessage `json:"callbacks"` // of the StatefulCallbacks, in order
	History     []epochJSON       `json:"history"`
	Partial     *partialJSON      `json:"partial,omitempty"` // an epoch interrupted midway
}

// partialJSON is the state of an epoch interrupted midway: the generator
// before its shuffle (so that a resume redraws the same order), the steps
// applied, and the sums its log is made of.
type partialJSON struct {
	RNG        []byte   `json:"rng"`
	Batches    int      `json:"batches"`
	LossSum    jfloat   `json:"loss_sum"`
	Metrics    []jfloat `json:"metric_counts"`
	TrainNanos int64    `json:"train_nanoseconds"`
}

// partialEpoch is an interrupted epoch's progress: steps applied, loss
// sum, metric counts and training time (partialJSON without the generator).
type partialEpoch struct {
	Batches int
	Sum     float64
	Acc     []float64
	Train   time.Duration
}

// toJSON returns pe with the generator state rng for a checkpoint.
func (pe *partialEpoch) toJSON(rng []byte) *partialJSON {
	pj := &partialJSON{RNG: rng, Batches: pe.Batches, LossSum: jfloat(pe.Sum), TrainNanos: int64(pe.Train)}
	for _, v := range pe.Acc {
		pj.Metrics = append(pj.Metrics, jfloat(v))
	}
	return pj
}

// jfloat is a float64 that JSON-encodes NaN and ±Inf as strings.
type jfloat float64

func (f jfloat) MarshalJSON() ([]byte, error) {
	if v := float64(f); math.IsNaN(v) || math.IsInf(v, 0) {
		return json.Marshal(strconv.FormatFloat(v, 'g', -1, 64))
	}
	return json.Marshal(float64(f))
}

func (f *jfloat) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		v, err := strconv.ParseFloat(s, 64)
		*f = jfloat(v)
		return err
	}
	return json.Unmarshal(b, (*float64)(f))
}

// epochJSON is an EpochLog as JSON.
type epochJSON struct {
	Epoch        int               `json:"epoch"`
	Loss         jfloat            `json:"loss"`
	Metrics      map[string]jfloat `json:"metrics"`
	ValLoss      jfloat            `json:"val_loss"`
	ValMetrics   map[string]jfloat `json:"val_metrics,omitempty"`
	LearningRate jfloat            `json:"learning_rate"`
	Nanoseconds  int64             `json:"nanoseconds"`
	TrainNanos   int64             `json:"train_nanoseconds"`
}

// convert returns m with its values converted to G (nil for nil): a
// metrics map to its JSON form and back.
func convert[G, F ~float64](m map[string]F) map[string]G {
	if m == nil {
		return nil
	}
	out := make(map[string]G, len(m))
	for k, v := range m {
		out[k] = G(v)
	}
	return out
}

func toJSON(logs []EpochLog) []epochJSON {
	out := make([]epochJSON, len(logs))
	for i, l := range logs {
		out[i] = epochJSON{l.Epoch, jfloat(l.Loss), convert[jfloat](l.Metrics), jfloat(l.ValLoss), convert[jfloat](l.ValMetrics), jfloat(l.LearningRate), int64(l.Duration), int64(l.TrainTime)}
	}
	return out
}

func fromJSON(logs []epochJSON) []EpochLog {
	out := make([]EpochLog, len(logs))
	for i, l := range logs {
		out[i] = EpochLog{l.Epoch, float64(l.Loss), convert[float64](l.Metrics), float64(l.ValLoss), convert[float64](l.ValMetrics), float64(l.LearningRate),
			time.Duration(l.Nanoseconds), time.Duration(l.TrainNanos)}
	}
	return out
}
