package csvdata

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cliFlag matches a command-line flag in a message: --na, --ignore.
var cliFlag = regexp.MustCompile(`(^|[^-\w])--[a-z]`)

// TestErrorsNameNoFlags reads every table of the bad-input corpus
// (testdata/bad) with a few options: no error names a flag of the train
// command (library errors speak Go), and each stays on one line.
func TestErrorsNameNoFlags(t *testing.T) {
	files, err := filepath.Glob("../../testdata/bad/*.csv*")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	opts := []Options{{}, {MissingIsError: true}, {Categorical: []string{"id"}, MaxCategories: 10}, {Ignore: []string{"zz"}},
		{Schema: &Schema{Features: []FeatureColumn{{Name: "a"}, {Name: "b"}}}, StrictCategories: true}}
	errs := 0
	for _, f := range files {
		for _, o := range opts {
			_, err := ReadFile[float32](context.Background(), f, o)
			if err == nil {
				continue
			}
			errs++
			assert.NotRegexp(t, cliFlag, err.Error(), "%s", f)
			assert.NotContains(t, err.Error(), "\n", "%s", f)
		}
	}
	assert.Greater(t, errs, 40)
}

// TestHintsNameOptions: the errors that advise a setting carry it as a
// Hint, named in the message as a field of Options, or as Options.Hints
// renders it.
func TestHintsNameOptions(t *testing.T) {
	rows := ""
	for i := range 24 {
		rows += "P" + string(rune('A'+i)) + "," + string(rune('0'+i%10)) + "," + string(rune('0'+i%2)) + "\n"
	}
	cases := []struct {
		name, text string
		opt        Options
		want       string
		hints      []Hint
	}{
		{"mixed column", "a,b,y\n1,2,0\n3,?,1\n5,6,0\n", Options{},
			`if "?" means a missing value, declare it with "?" in Options.NA; if the column holds categories, declare it with "b" in Options.Categorical`,
			[]Hint{{"NA", "?"}, {"Categorical", "b"}}},
		{"identifier", "id,x,y\n" + rows, Options{},
			`leave it out with "id" in Options.Ignore (or keep it with "id" in Options.Categorical)`, []Hint{{"Ignore", "id"}, {"Categorical", "id"}}},
		{"too many categories", "id,x,y\n" + rows, Options{Categorical: []string{"id"}, MaxCategories: 10},
			`Leave it out with "id" in Options.Ignore (or raise Options.MaxCategories)`, []Hint{{"Ignore", "id"}, {"MaxCategories", ""}}},
		{"not a number", "a,y\nx7,0\n", Options{Schema: &Schema{Features: []FeatureColumn{{Name: "a"}}}},
			`(if it means a missing value, declare it with Options.NA)`, []Hint{{"NA", ""}}},
		{"beyond float32", "a,y\n1e39,0\n", Options{},
			`(train with Read[float64] for a float64 model)`, []Hint{{"Float64", ""}}},
		{"a name with a comma and a newline", "\"id,\nx\",x,y\n" + rows, Options{},
			`column "id,\nx" has a distinct text value in every row (24): an identifier, which cannot help predict; leave it out with "id,\nx" in Options.Ignore`,
			[]Hint{{"Ignore", "id,\nx"}, {"Categorical", "id,\nx"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadBytes[float32](context.Background(), "t.csv", []byte(c.text), c.opt)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.NotContains(t, err.Error(), "\n")
			var he *HintError
			require.True(t, errors.As(err, &he), "%v", err)
			assert.Equal(t, c.hints, he.Hints())
			// A caller's renderer names the settings its own way.
			o := c.opt
			o.Hints = func(h Hint) string { return "<" + h.Field + ":" + h.Value + ">" }
			_, err = ReadBytes[float32](context.Background(), "t.csv", []byte(c.text), o)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "<"+c.hints[0].Field+":"+c.hints[0].Value+">")
			assert.NotContains(t, err.Error(), "Options.")
		})
	}
}

// TestHeaderListOnOneLine: the column list of a "not found" error quotes
// the names that would break its line or its commas.
func TestHeaderListOnOneLine(t *testing.T) {
	_, err := ReadBytes[float32](context.Background(), "t.csv", []byte("\"a\nb\",\"c,d\", e ,y\n1,2,3,4\n"), Options{Ignore: []string{"zz"}})
	require.Error(t, err)
	assert.Equal(t, `t.csv:1: ignored column "zz" not found (columns: "a\nb", "c,d", e, y)`, err.Error())
}
