package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests drive the block cache of issue 28 (train cache, fit --cache)
// through the built binary: the same model bytes as in memory, reuse,
// rebuilds, damaged caches, hostile paths. Interrupted and failed builds
// are in cache_fail_test.go.

// cacheTable is a table the cache tests train on, with fit's flags for it.
type cacheTable struct {
	name, data string
	flags      []string
}

// cacheTables are iris, a messy table with holes and a gzip file.
func cacheTables(t *testing.T) []cacheTable {
	gz := filepath.Join(t.TempDir(), "iris.csv.gz")
	writeGzip(t, gz, "../../testdata/iris.csv")
	return []cacheTable{
		{"iris", "../../testdata/iris.csv", []string{"--val-split", "0.2"}},
		{"holes", "../../testdata/messy/diabetes_holes.csv", []string{"--ignore", "patient_id", "--na", "NA", "--task", "regress", "--categorical", "clinic"}},
		{"gzip", gz, nil},
	}
}

func writeGzip(t *testing.T, dst, src string) {
	b, err := os.ReadFile(src)
	require.NoError(t, err)
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	_, err = w.Write(b)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, os.WriteFile(dst, z.Bytes(), 0o644))
}

// fitArgs is a short fit of data into out.
func fitArgs(data, out string, extra ...string) []string {
	return append([]string{"fit", "--data", data, "--out", out, "--epochs", "5", "--hidden", "8", "--batch", "16"}, extra...)
}

// readFile reads path, failing the test if it cannot.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

// refused asserts a refusal: exit 2, nothing on stdout, one line on stderr
// holding every fragment of want and no stack trace.
func refused(t *testing.T, code int, stdout, stderr string, want ...string) {
	t.Helper()
	assert.Equal(t, 2, code, "exit code; stderr %q", stderr)
	assert.Empty(t, stdout)
	assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
	for _, w := range want {
		assert.Contains(t, stderr, w)
	}
	for _, trace := range []string{"goroutine ", "panic", ".go:"} {
		assert.NotContains(t, stderr, trace, "no stack trace")
	}
}

// TestCacheFitEqualsInMemoryFit: train cache builds, then checks and
// reuses; fit --cache with --cache-read memory, disk and auto writes the
// in-memory fit's model file byte for byte, without building again; a fit
// that builds the cache itself writes it too.
func TestCacheFitEqualsInMemoryFit(t *testing.T) {
	bin := binary(t)
	for _, tab := range cacheTables(t) {
		t.Run(tab.name, func(t *testing.T) {
			dir := t.TempDir()
			want := filepath.Join(dir, "memory.safetensors")
			code, _, stderr := drive(t, bin, fitArgs(tab.data, want, append(tab.flags, "--quiet")...)...)
			require.Equal(t, 0, code, stderr)

			cdir := filepath.Join(dir, "cache")
			cacheArgs := append([]string{"cache", "--data", tab.data, "--cache", cdir}, tab.flags...)
			cacheArgs = withoutFlag(cacheArgs, "--val-split", "--task")
			code, stdout, stderr := drive(t, bin, cacheArgs...)
			require.Equal(t, 0, code, stderr)
			assert.True(t, strings.HasPrefix(stdout, cdir+": built: "), stdout)
			assert.Equal(t, cdir+": no cache yet: building the cache\n", stderr)
			code, stdout, stderr = drive(t, bin, cacheArgs...)
			require.Equal(t, 0, code, stderr)
			assert.True(t, strings.HasPrefix(stdout, cdir+": checked, reused: "), stdout)
			assert.Empty(t, stderr, "a reused cache is not built")

			for _, read := range []string{"memory", "disk", "auto"} {
				out := filepath.Join(dir, read+".safetensors")
				code, _, stderr := drive(t, bin, fitArgs(tab.data, out, append(tab.flags, "--cache", cdir, "--cache-read", read)...)...)
				require.Equal(t, 0, code, stderr)
				assert.NotContains(t, stderr, "building", "--cache-read %s", read)
				assert.True(t, bytes.Equal(readFile(t, want), readFile(t, out)), "--cache-read %s: the model differs from the in-memory fit's", read)
			}
			out := filepath.Join(dir, "built.safetensors")
			fresh := filepath.Join(dir, "fresh")
			code, _, stderr = drive(t, bin, fitArgs(tab.data, out, append(tab.flags, "--cache", fresh)...)...)
			require.Equal(t, 0, code, stderr)
			assert.Contains(t, stderr, fresh+": no cache yet: building the cache\n")
			assert.True(t, bytes.Equal(readFile(t, want), readFile(t, out)), "a fit that built the cache: the model differs")
		})
	}
}

// withoutFlag drops the named flags, and their values, from args.
func withoutFlag(args []string, names ...string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		drop := false
		for _, n := range names {
			drop = drop || args[i] == n
		}
		if drop {
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

// TestCacheRebuiltWhenSourceOrSettingsChange: a row appended, or the
// same size with other bytes and a new modification time, makes the next
// run build again, saying why in one line; so do other read settings or
// another precision, and the cache is never used for the wrong table.
func TestCacheRebuiltWhenSourceOrSettingsChange(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "iris.csv")
	text := readFile(t, "../../testdata/iris.csv")
	require.NoError(t, os.WriteFile(data, text, 0o644))
	cdir := filepath.Join(dir, "cache")
	build := func(t *testing.T, wantBuilt bool, extra ...string) string {
		t.Helper()
		code, stdout, stderr := drive(t, bin, append([]string{"cache", "--data", data, "--cache", cdir}, extra...)...)
		require.Equal(t, 0, code, stderr)
		if wantBuilt {
			assert.Contains(t, stdout, ": built: ")
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line says why: %q", stderr)
		} else {
			assert.Contains(t, stdout, ": checked, reused: ")
			assert.Empty(t, stderr)
		}
		return stderr
	}
	build(t, true)
	build(t, false)

	// a row appended
	require.NoError(t, os.WriteFile(data, append(bytes.Clone(text), "5.0,3.3,1.4,0.2,0\n"...), 0o644))
	why := build(t, true)
	assert.Contains(t, why, data+" has changed since the cache was made")
	build(t, false)

	// the same size, other bytes, a new modification time
	changed := bytes.Replace(readFile(t, data), []byte("5.1,3.5"), []byte("5.2,3.5"), 1)
	require.NoError(t, os.WriteFile(data, changed, 0o644))
	later := time.Now().Add(time.Hour)
	require.NoError(t, os.Chtimes(data, later, later))
	assert.Contains(t, build(t, true), "has changed since the cache was made")
	// the model from the rebuilt cache is that of the changed table
	want, got := filepath.Join(dir, "want"), filepath.Join(dir, "got")
	code, _, stderr := drive(t, bin, fitArgs(data, want, "--quiet")...)
	require.Equal(t, 0, code, stderr)
	code, _, stderr = drive(t, bin, fitArgs(data, got, "--quiet", "--cache", cdir)...)
	require.Equal(t, 0, code, stderr)
	assert.True(t, bytes.Equal(readFile(t, want), readFile(t, got)), "the model from the rebuilt cache")

	// other read settings, another precision
	for _, flags := range [][]string{{"--na", "?"}, {"--ignore", "sepal_length_cm"}, {"--target", "petal_width_cm"}, {"--precision", "f64"}} {
		t.Run(strings.Join(flags, " "), func(t *testing.T) {
			why := build(t, true, flags...)
			if flags[0] == "--precision" {
				assert.Contains(t, why, "made for float32, not float64")
			} else {
				assert.Contains(t, why, "made with other read settings")
			}
			build(t, false, flags...)
			out, mem := filepath.Join(dir, "cached"+flags[0]), filepath.Join(dir, "memory"+flags[0])
			extra := append([]string{"--quiet"}, flags...)
			if flags[0] == "--target" {
				extra = append(extra, "--task", "regress")
			}
			code, _, stderr := drive(t, bin, fitArgs(data, mem, extra...)...)
			require.Equal(t, 0, code, stderr)
			code, _, stderr = drive(t, bin, fitArgs(data, out, append(extra, "--cache", cdir)...)...)
			require.Equal(t, 0, code, stderr)
			assert.True(t, bytes.Equal(readFile(t, mem), readFile(t, out)), "the model from a cache built with %v", flags)
			assert.Contains(t, build(t, true), "building the cache", "back to the defaults: built again")
		})
	}
}

// genTable writes a table of rows rows of 20 numbers and a class to
// path, and returns its size.
func genTable(t *testing.T, path string, rows int) int64 {
	f, err := os.Create(path)
	require.NoError(t, err)
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(28, uint64(rows)))
	for i := range 20 {
		fmt.Fprintf(w, "x%d,", i)
	}
	w.WriteString("y\n")
	for i := range rows {
		for range 20 {
			fmt.Fprintf(w, "%.4f,", r.Float64())
		}
		fmt.Fprintf(w, "%d\n", i%3)
	}
	require.NoError(t, w.Flush())
	st, err := f.Stat()
	require.NoError(t, err)
	require.NoError(t, f.Close())
	return st.Size()
}

// TestCacheDamagedIsRefused: a byte flipped in rows.bin, or in
// cache.json, or a rows.bin cut short: exit 2, one line naming the file
// (and the block), the model file neither written nor created.
func TestCacheDamagedIsRefused(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "table.csv")
	const rows = 40000 // 96 B a row: 4 blocks of 1 MiB
	genTable(t, data, rows)
	cdir := filepath.Join(dir, "cache")
	code, stdout, stderr := drive(t, bin, "cache", "--data", data, "--cache", cdir, "--quiet")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "in 4 blocks")
	rp, hp := filepath.Join(cdir, "rows.bin"), filepath.Join(cdir, "cache.json")
	good, header := readFile(t, rp), readFile(t, hp)
	rowBytes := len(good) / rows
	blockRows := (1 << 20) / rowBytes

	existing := filepath.Join(dir, "existing")
	const keep = "an existing file that a refused fit must not touch\n"
	check := func(t *testing.T, want ...string) {
		t.Helper()
		require.NoError(t, os.WriteFile(existing, []byte(keep), 0o644))
		for _, read := range []string{"memory", "disk", "auto"} {
			code, stdout, stderr := drive(t, bin, fitArgs(data, existing, "--quiet", "--cache", cdir, "--cache-read", read)...)
			refused(t, code, stdout, stderr, want...)
			assert.Equal(t, keep, string(readFile(t, existing)), "--out changed")
			fresh := filepath.Join(dir, "new-"+read)
			code, stdout, stderr = drive(t, bin, fitArgs(data, fresh, "--quiet", "--cache", cdir, "--cache-read", read)...)
			refused(t, code, stdout, stderr, want...)
			assert.NoFileExists(t, fresh)
		}
		code, stdout, stderr := drive(t, bin, "cache", "--data", data, "--cache", cdir)
		refused(t, code, stdout, stderr, want...)
	}
	t.Run("rows.bin byte flipped", func(t *testing.T) {
		b := bytes.Clone(good)
		b[2*blockRows*rowBytes+12345] ^= 0x10 // in block 2
		require.NoError(t, os.WriteFile(rp, b, 0o644))
		check(t, rp+": block 2 (rows ", "checksum mismatch")
	})
	t.Run("rows.bin cut short", func(t *testing.T) {
		require.NoError(t, os.WriteFile(rp, good[:len(good)-1], 0o644))
		check(t, rp+": ", "the cache is damaged")
	})
	require.NoError(t, os.WriteFile(rp, good, 0o644))
	t.Run("cache.json not JSON", func(t *testing.T) {
		require.NoError(t, os.WriteFile(hp, header[:len(header)/2], 0o644))
		check(t, hp+": damaged")
	})
	t.Run("cache.json digit changed", func(t *testing.T) {
		at := bytes.Index(header, []byte(`"block_rows":`)) + len(`"block_rows":`)
		b := bytes.Clone(header)
		b[at] = '0' + (b[at]-'0'+1)%10
		require.NoError(t, os.WriteFile(hp, b, 0o644))
		check(t, hp+": checksum mismatch")
	})
	require.NoError(t, os.WriteFile(hp, header, 0o644))
	code, stdout, stderr = drive(t, bin, "cache", "--data", data, "--cache", cdir)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "checked, reused", "the repaired cache is good again")
}
