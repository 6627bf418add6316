package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLongValuesAreCutShortInMessages: a 1 MB cell or column name is
// echoed by its first bytes and its length, so that the one-line error
// stays short and still names the file, line and column.
func TestLongValuesAreCutShortInMessages(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	long := strings.Repeat("x", 1<<20)
	rows := func(n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(strings.Repeat("1", i%3+1) + "," + strings.Repeat("2", i%2+1) + "," + string(rune('0'+i%2)) + "\n")
		}
		return b.String()
	}
	files := map[string]string{
		"cell.csv":       "a,b,y\n" + rows(30) + "1," + long + ",1\n" + rows(5),
		"name.csv":       "a," + long + ",y\n" + rows(30) + "1,zz,1\n",
		"number.csv":     "a,b,y\n" + rows(3) + "1," + strings.Repeat("9", 1<<20) + ",1\n",
		"target.csv":     "a,b,y\n" + rows(3) + "1,2," + long + "\n",
		"categories.csv": "a,b,y\n" + rows(3) + "1,2,0\n",
	}
	for name, text := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	cases := []struct {
		args       []string
		want, size string
	}{
		{[]string{"fit", "--data", "cell.csv"}, "cell.csv:32:3: ", "… (1048576 bytes)"},
		{[]string{"fit", "--data", "name.csv"}, "name.csv:32:3: ", "… (1048576 bytes)"},
		{[]string{"fit", "--data", "number.csv"}, "number.csv:5:3: ", "… (1048576 bytes)"},
		{[]string{"fit", "--data", "target.csv", "--task", "regress"}, "target.csv:5:", "… (1048576 bytes)"},
		// an argument is at most 128 KiB
		{[]string{"fit", "--data", "categories.csv", "--ignore", long[:100<<10]}, "categories.csv:1: ", "… (102400 bytes)"},
		// flags, and paths no system takes
		{[]string{"fit", "--data", "categories.csv", "--scale", long[:100<<10]}, "--scale ", "… (102400 bytes)"},
		{[]string{"fit", "--data", "categories.csv", "--hidden", long[:100<<10]}, "--hidden ", "… (102400 bytes)"},
		{[]string{"fit", "--data", "categories.csv", long[:100<<10]}, "unexpected argument ", "… (102400 bytes)"},
		{[]string{"fit", "--data", long[:100<<10]}, "open ", "… (102400 bytes): file name too long"},
		{[]string{"fit", "--data", "categories.csv", "--out", long[:100<<10]}, "--out: ", "… (102400 bytes): file name too long"},
		{[]string{"predict", "--model", long[:100<<10], "--data", "categories.csv"}, "open ", "… (102400 bytes): file name too long"},
	}
	for i, c := range cases {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			args := c.args
			if args[0] == "fit" {
				args = append(slices.Clone(args), "--epochs", "1", "--quiet")
				if !slices.Contains(args, "--out") {
					args = append(args, "--out", "m")
				}
			}
			cmd := exec.Command(bin, args...)
			cmd.Dir = dir // the file named as given, without the test's long directory
			var e bytes.Buffer
			cmd.Stderr = &e
			err := cmd.Run()
			require.Error(t, err)
			code, stderr := procExitCode(t, err), e.String()
			assert.Equal(t, 2, code, "exit code; stderr %.300q", stderr)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %.300q", stderr)
			assert.Less(t, len(stderr), 300, "a short line: %.400q", stderr)
			assert.Contains(t, stderr, c.want)
			assert.Contains(t, stderr, c.size)
		})
	}
}
