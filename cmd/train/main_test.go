package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func TestXORCommandConverges(t *testing.T) {
	code, out, errOut := runCLI("xor", "--workers", "2")
	require.Equal(t, 0, code, errOut)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 5)
	assert.Equal(t, []string{"x1", "x2", "prediction"}, rows[0])
	assert.NotContains(t, out, "-0.0000", "a tiny negative answer printed as minus zero")
	for _, r := range rows[1:] {
		p, err := strconv.ParseFloat(r[2], 64)
		require.NoError(t, err)
		want := 0.0
		if r[0] != r[1] {
			want = 1
		}
		assert.InDelta(t, want, p, 0.1, "input %v", r[:2])
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	assert.Len(t, lines, 5000)
	assert.True(t, strings.HasPrefix(lines[4999], "epoch 5000/5000 loss "), lines[4999])
}

func TestBadUsageExitsTwoWithOneLine(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"nope"},
		{"xor", "--epochs", "-3"},
		{"xor", "--bogus"},
		{"xor", "--epochs"},
		{"xor", "--lr", "0"},
		{"xor", "--workers", "-1"},
		{"xor", "extra"},
	} {
		code, out, errOut := runCLI(args...)
		assert.Equal(t, 2, code, "%v", args)
		assert.Empty(t, out, "%v", args)
		if len(args) > 0 {
			assert.Equal(t, 1, strings.Count(errOut, "\n"), "%v: %q", args, errOut)
		}
	}
	code, _, errOut := runCLI("xor", "--bogus")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "-bogus")
}

func TestHelp(t *testing.T) {
	code, out, _ := runCLI("help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "xor")
	code, out, _ = runCLI("xor", "-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "-epochs")
}
