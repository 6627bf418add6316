package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tabular"
)

// settingFlags names the flag that sets each field of tabular.Config (fit)
// tabular.PredictOptions (predict, evaluate) and tabular.ImportanceOptions
// (importance).
var settingFlags = map[string]string{
	"Task": "task", "Scale": "scale", "TargetScale": "scale-target", "Impute": "impute",
	"Precision": "precision", "Loss": "loss", "Optimizer": "optimizer", "LRSchedule": "lr-schedule",
	"Activation": "activation", "LR": "lr", "Hidden": "hidden", "Dropout": "dropout", "InputDropout": "input-dropout", "FeatureScale": "feature-scale", "NumericEmbedding": "numeric-embedding",
	"L1": "l1", "L2": "l2", "MaxNorm": "max-norm", "LabelSmoothing": "label-smoothing", "Epochs": "epochs", "Batch": "batch", "Workers": "workers",
	"MaxCategories": "max-categories", "ValSplit": "val-split", "Val": "val", "SharedVal": "shared-val", "Patience": "patience", "Ensemble": "ensemble", "Monitor": "monitor", "CheckpointEvery": "checkpoint-every",
	"Cache": "cache", "CacheRead": "cache-read", "CachePerRank": "cache-per-rank", "ShuffleWindow": "shuffle",
	"Repeats":     "repeats",
	"ClassWeight": "class-weight", "SampleWeight": "sample-weight", "Folds": "folds", "Group": "group",
}

// lrWant is what --lr takes: unlike Config.LR, whose 0 is the default, an
// explicit --lr 0 is refused (issue 26: a rate of 0 given on purpose is a
// mistake, not a request for the default).
const lrWant = "want a positive finite rate (leave it out for the optimizer's default)"

// flagError names a setting that the library refuses (a
// *tabular.SettingError, which names the Go field) as the flag that set
// it, with its value as given on the command line: `--workers -1: want 0
// (one per CPU) or more`. Other errors, and settings no flag of fs sets,
// are returned as they are.
func flagError(fs *flag.FlagSet, err error) error {
	var se *tabular.SettingError
	if fs == nil || !errors.As(err, &se) {
		return err
	}
	name, ok := settingFlags[se.Field]
	f := fs.Lookup(name)
	if !ok || f == nil {
		return err
	}
	value := f.Value.String()
	if g, ok := f.Value.(flag.Getter); ok {
		if _, isString := g.Get().(string); isString {
			value = csvdata.Quote(value)
		}
	}
	want := se.Want
	switch se.Field {
	case "LR":
		want = lrWant
	case "Patience":
		want = "want 0 (off) or more" // the command's 0 is Config.NoEarlyStopping
	case "Repeats":
		want = repeatsWant // the command's --repeats 0 is refused, not the default
	case "ShuffleWindow":
		want = fmt.Sprintf("want global or window:K, K blocks of 1024 rows (1 to %d)", tabular.MaxShuffleWindow)
	}
	return &tabular.InputError{Err: flagSettingError{fmt.Sprintf("--%s %s: %s", name, value, want), se}}
}

// flagSettingError is a *tabular.SettingError named as its flag; it
// unwraps to it (agreedError looks for it).
type flagSettingError struct {
	msg string
	se  *tabular.SettingError
}

func (e flagSettingError) Error() string { return e.msg }
func (e flagSettingError) Unwrap() error { return e.se }
