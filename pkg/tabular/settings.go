package tabular

import (
	"fmt"

	"github.com/densetrain/densetrain/pkg/csvdata"
)

// SettingError is a setting of Config (or of PredictOptions) that Fit (or
// Predict, Evaluate, PredictColumns) refuses: before it reads anything,
// but for a Loss that does not fit the task, known once the target is
// read. It names the field in Go: `Config.Workers -1: want 0 (one per
// CPU) or more`; a command that sets the field from a flag names the flag
// instead (Field says which).
type SettingError struct {
	Struct string // "Config" or "PredictOptions"
	Field  string // the field: "Workers", "Impute"
	Value  string // the value given, as Go writes it (a string quoted)
	Want   string // what the field takes: "want 0 (one per CPU) or more"
}

func (e *SettingError) Error() string {
	return fmt.Sprintf("%s.%s %s: %s", e.Struct, e.Field, e.Value, e.Want)
}

// settingError returns the *SettingError of Config's field with value v.
func settingError(field string, v any, want string, args ...any) error {
	return &SettingError{Struct: "Config", Field: field, Value: goValue(v), Want: fmt.Sprintf(want, args...)}
}

// goValue writes a setting's value as Go would: a string
// quoted and cut short as csvdata.Quote does, a list in brackets.
func goValue(v any) string {
	if s, ok := v.(string); ok {
		return csvdata.Quote(s)
	}
	return fmt.Sprintf("%v", v)
}
