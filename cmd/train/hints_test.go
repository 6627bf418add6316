package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tabular"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestListFlags reads the list flags (--target, --categorical, --ignore,
// --na) as one CSV record: a quoted name may hold a comma, a quote or a
// newline; an empty item is still refused.
func TestListFlags(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"id", []string{"id"}},
		{"a, b ,c", []string{"a", "b", "c"}},
		{`"id,code",other`, []string{"id,code", "other"}},
		{`"id,code"`, []string{"id,code"}},
		{`a, " b c "`, []string{"a", "b c"}}, // trimmed, as csvdata trims cells
		{`"say ""hi"""`, []string{`say "hi"`}},
		{"\"id\nx\",y", []string{"id\nx", "y"}},
	} {
		got, err := listFlag("ignore", c.in)
		assert.NoError(t, err, "%q", c.in)
		assert.Equal(t, c.want, got, "%q", c.in)
	}
	for _, bad := range []string{"y,", ",y", "a,,b", `"a`, `a"b`, `""`, "a\nb", `"a"x`} {
		_, err := listFlag("target", bad)
		if assert.Error(t, err, "%q", bad) {
			assert.Contains(t, err.Error(), "--target ")
			assert.NotContains(t, err.Error(), "\n")
		}
	}
}

// TestHintsPasteIntoBash fits tables whose identifier column has a name
// that needs quoting, takes the --ignore hint of the refusal, lets bash
// read it as a user who pastes it would, and fits again with it: the
// hint must leave the column out.
func TestHintsPasteIntoBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	bin := binary(t)
	dir := t.TempDir()
	for _, name := range []string{"id", "id,code", `it's "x"`, "a b", "$HOME", "*", "id\nx", "tab\there", "é,ü", "!x"} {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			path := filepath.Join(dir, "table.csv")
			var b strings.Builder
			w := csv.NewWriter(&b)
			require.NoError(t, w.Write([]string{name, "x", "y"}))
			for i := range 24 {
				require.NoError(t, w.Write([]string{fmt.Sprintf("P%03d", i), fmt.Sprint(i), fmt.Sprint(i % 2)}))
			}
			w.Flush()
			require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
			out := filepath.Join(dir, "model.safetensors")
			code, _, stderr := drive(t, bin, "fit", "--data", path, "--epochs", "1", "--quiet", "--out", out)
			require.Equal(t, 2, code, stderr)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			const before, after = "leave it out with --ignore ", " (or keep it with --categorical "
			i, j := strings.Index(stderr, before), strings.Index(stderr, after)
			require.True(t, i >= 0 && j > i, "no --ignore hint in %q", stderr)
			hint := stderr[i+len(before) : j]
			if name == "id" {
				assert.Equal(t, "id", hint, "a plain name stays plain")
			}
			arg, err := exec.Command(bash, "-c", `printf %s `+hint).Output()
			require.NoError(t, err, "bash reads %s", hint)
			items, err := listFlag("ignore", string(arg))
			require.NoError(t, err)
			assert.Equal(t, []string{name}, items, "the hint %s", hint)
			code, _, stderr = drive(t, bin, "fit", "--data", path, "--epochs", "1", "--quiet", "--out", out, "--ignore", string(arg))
			assert.Equal(t, 0, code, "fit --ignore %s: %s", hint, stderr)
		})
	}
}

// TestFlagHint renders the settings library errors advise as this
// command's flags, with values quoted as parseList reads them and bash
// passes them.
func TestFlagHint(t *testing.T) {
	for _, c := range []struct {
		h    csvdata.Hint
		want string
	}{
		{csvdata.Hint{Field: "NA", Value: "?"}, `--na "?"`},
		{csvdata.Hint{Field: "NA", Value: "n/a"}, `--na n/a`},
		{csvdata.Hint{Field: "NA"}, `--na`},
		{csvdata.Hint{Field: "Ignore", Value: "id"}, `--ignore id`},
		{csvdata.Hint{Field: "Ignore", Value: "7"}, `--ignore 7`},
		{csvdata.Hint{Field: "Ignore", Value: "id,code"}, `--ignore '"id,code"'`},
		{csvdata.Hint{Field: "Categorical", Value: `it's "x"`}, `--categorical '"it'\''s ""x"""'`},
		{csvdata.Hint{Field: "Categorical", Value: "$HOME"}, `--categorical '$HOME'`},
		{csvdata.Hint{Field: "Categorical", Value: "id\nx"}, `--categorical $'"id\nx"'`},
		{csvdata.Hint{Field: "MaxCategories"}, `--max-categories`},
		{csvdata.Hint{Field: "Float64"}, `--precision f64`},
		{csvdata.Hint{Field: "Strict"}, `--strict`},
	} {
		assert.Equal(t, c.want, flagHint(c.h), "%+v", c.h)
	}
}

// TestSettingFlagsExist: every field flagError names as a flag is a flag
// of fit, CVOptions' of cv (and Workers one of predict and evaluate too),
// so that a setting the library refuses is named as the flag that set it;
// cv has every flag of fit's settings but the cache's.
func TestSettingFlagsExist(t *testing.T) {
	fs, cv := fitFlags(new(fitConfig)), cvFlags(new(cvArgs))
	for field, name := range settingFlags {
		switch field {
		case "Repeats": // ImportanceOptions.Repeats: TestImportanceSettingFlags
		case "Folds", "Group":
			assert.NotNil(t, cv.Lookup(name), "CVOptions.%s: no cv flag --%s", field, name)
		case "Cache", "CacheRead", "CachePerRank", "CheckpointEvery":
			assert.NotNil(t, fs.Lookup(name), "Config.%s: no fit flag --%s", field, name)
		default:
			assert.NotNil(t, fs.Lookup(name), "Config.%s: no fit flag --%s", field, name)
			assert.NotNil(t, cv.Lookup(name), "Config.%s: no cv flag --%s", field, name)
		}
	}
	for _, cmd := range []string{"predict", "evaluate"} {
		fs, _ := newUseFlags(cmd, "")
		assert.NotNil(t, fs.Lookup(settingFlags["Workers"]), cmd)
	}
	require.NoError(t, fs.Parse([]string{"--impute", "mode", "--workers", "-3"}))
	err := flagError(fs, &tabular.InputError{Err: &tabular.SettingError{Struct: "Config", Field: "Impute", Value: `"mode"`, Want: "want mean"}})
	assert.EqualError(t, err, `--impute "mode": want mean`, "the value as given, quoted for a text flag")
	err = flagError(fs, &tabular.SettingError{Struct: "Config", Field: "Workers", Value: "-3", Want: "want more"})
	assert.EqualError(t, err, `--workers -3: want more`, "a number as given")
	assert.ErrorAs(t, err, new(*tabular.SettingError), "kept in the chain")
}
