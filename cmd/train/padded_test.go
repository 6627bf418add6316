package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A model trained before quoted cells were trimmed may hold a padded
// category ("red "); cells are now trimmed, and a cell "red" — quoted and
// padded, or not — still means it: the same answers as the cell the
// model saw, not an unseen value.
func TestPaddedCategoryOfAnOldModel(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	model := "../../testdata/bad/model_padded_category.safetensors"
	data := filepath.Join(dir, "d.csv")
	require.NoError(t, os.WriteFile(data, []byte("color,x\n\"red \",1\nred,1\nblue,1\n"), 0o644))
	code, out, errOut := drive(t, bin, "predict", "--model", model, "--data", data, "--strict")
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, errOut, "not seen in training")
	lines := splitLines(out)
	require.Len(t, lines, 4)
	assert.Equal(t, lines[1], lines[2], "a padded and a plain cell are one category")
	assert.NotEqual(t, lines[1], lines[3])
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		out = append(out, s[:i])
		if i < len(s) {
			i++
		}
		s = s[i:]
	}
	return out
}
