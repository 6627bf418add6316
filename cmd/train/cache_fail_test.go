package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// assertNoCacheLeft asserts that dir holds no cache a later run could
// trust (no cache.json) and no temporary file of a write cut short.
func assertNoCacheLeft(t *testing.T, dir string) {
	t.Helper()
	assert.NoFileExists(t, filepath.Join(dir, "cache.json"))
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		assert.NotContains(t, e.Name(), ".tmp-", "a temporary file was left behind")
	}
}

// TestCacheBuildInterrupted: SIGINT and SIGTERM while train cache (and fit
// --cache) builds the cache of a 40 MB table: exit 130 and 143, no
// cache.json, no temporary file; the next run builds it cleanly.
func TestCacheBuildInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 40 MB table")
	}
	bin := binary(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "big.csv")
	genTable(t, data, 300000)
	for _, c := range []struct {
		name, cmd string
		sig       syscall.Signal
		code      int
	}{{"SIGINT", "cache", syscall.SIGINT, 130}, {"SIGTERM", "cache", syscall.SIGTERM, 143}, {"fit SIGINT", "fit", syscall.SIGINT, 130}} {
		t.Run(c.name, func(t *testing.T) {
			cdir := filepath.Join(dir, "cache-"+c.cmd+c.sig.String())
			args := []string{c.cmd, "--data", data, "--cache", cdir}
			if c.cmd == "fit" {
				args = append(args, "--out", filepath.Join(dir, "model"), "--epochs", "1")
			}
			interrupted := false
			for try := 0; try < 3 && !interrupted; try++ { // a fast machine may finish first
				var errText bytes.Buffer
				cmd, lines := startFit(t, bin, args, &errText)
				t.Cleanup(func() { cmd.Process.Kill() })
				waitFor(t, lines, cdir+": no cache yet: building the cache")
				require.NoError(t, cmd.Process.Signal(c.sig))
				for range lines {
				}
				code := procExitCode(t, cmd.Wait())
				if code == 0 {
					t.Logf("the build ended before %s; again", c.sig)
					require.NoError(t, os.RemoveAll(cdir))
					continue
				}
				interrupted = true
				assert.Equal(t, c.code, code, errText.String())
				assert.Equal(t, 2, strings.Count(errText.String(), "\n"), "the note and one line: %q", errText.String())
				assert.Contains(t, errText.String(), "interrupted by "+strings.TrimPrefix(c.name, "fit "))
				assert.NotContains(t, errText.String(), "goroutine", "no stack trace")
				assertNoCacheLeft(t, cdir)
			}
			require.True(t, interrupted, "every build ended before the signal")
			code, stdout, stderr := drive(t, bin, "cache", "--data", data, "--cache", cdir)
			require.Equal(t, 0, code, stderr)
			assert.Contains(t, stdout, cdir+": built: 300000 rows")
			code, stdout, stderr = drive(t, bin, "cache", "--data", data, "--cache", cdir)
			require.Equal(t, 0, code, stderr)
			assert.Contains(t, stdout, "checked, reused")
		})
	}
}

// mountTmpfs mounts a tmpfs with options on dir until the test ends; it
// skips the test where that cannot be done (not root, no mount).
func mountTmpfs(t *testing.T, dir, options string) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
}

// TestCacheDiskFull: the cache of a 4 MB table on a 2 MB tmpfs: exit 2,
// one line saying there is no space, no cache left that a later run
// trusts; with room the next run builds it.
func TestCacheDiskFull(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "table.csv")
	genTable(t, data, 40000)
	cdir := filepath.Join(dir, "cache")
	require.NoError(t, os.Mkdir(cdir, 0o755))
	mountTmpfs(t, cdir, "size=2m")
	code, stdout, stderr := drive(t, bin, "cache", "--data", data, "--cache", cdir, "--quiet")
	refused(t, code, stdout, stderr, filepath.Join(cdir, "rows.bin"), "no space left on device")
	assertNoCacheLeft(t, cdir)
	out := filepath.Join(dir, "model")
	code, stdout, stderr = drive(t, bin, fitArgs(data, out, "--cache", cdir, "--quiet")...)
	refused(t, code, stdout, stderr, "no space left on device")
	assert.NoFileExists(t, out)
	assertNoCacheLeft(t, cdir)

	remount := exec.Command("mount", "-o", "remount,size=64m", cdir)
	require.NoError(t, remount.Run())
	code, stdout, stderr = drive(t, bin, "cache", "--data", data, "--cache", cdir)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, ": built: 40000 rows")
}

// TestCacheReadOnlyDirectory: a cache directory that cannot be written
// (mode 0500, or for root a read-only tmpfs): exit 2, one line naming it;
// a valid cache there is still reused.
func TestCacheReadOnlyDirectory(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	cdir := filepath.Join(dir, "cache")
	require.NoError(t, os.Mkdir(cdir, 0o755))
	if os.Geteuid() == 0 {
		mountTmpfs(t, cdir, "ro,size=1m")
	} else {
		require.NoError(t, os.Chmod(cdir, 0o500))
		t.Cleanup(func() { os.Chmod(cdir, 0o755) })
	}
	code, stdout, stderr := drive(t, bin, "cache", "--data", "../../testdata/iris.csv", "--cache", cdir, "--quiet")
	refused(t, code, stdout, stderr, cdir+": ", "cannot build the cache")
	code, stdout, stderr = drive(t, bin, fitArgs("../../testdata/iris.csv", filepath.Join(dir, "m"), "--cache", cdir+"/sub", "--quiet")...)
	refused(t, code, stdout, stderr, cdir+"/sub")
}

// TestCacheHostilePaths: --cache naming a file, a device, a symbolic
// link to a directory (which works) or to nothing; --out in the cache.
func TestCacheHostilePaths(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	iris := "../../testdata/iris.csv"
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, []byte("keep\n"), 0o644))
	for _, c := range []struct {
		name, cache string
		want        []string
	}{
		{"a regular file", file, []string{`--cache "`, ": not a directory (a regular file)"}},
		{"/dev/null", "/dev/null", []string{`--cache "/dev/null": not a directory (a character device)`}},
		{"a dangling link", filepath.Join(dir, "dangling"), []string{`--cache "`, ": a symbolic link to " + filepath.Join(dir, "nowhere") + ", which does not exist"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "dangling")))
			defer os.Remove(filepath.Join(dir, "dangling"))
			// without --quiet: refused before any note
			code, stdout, stderr := drive(t, bin, "cache", "--data", iris, "--cache", c.cache)
			refused(t, code, stdout, stderr, c.want...)
			out := filepath.Join(dir, "model")
			code, stdout, stderr = drive(t, bin, fitArgs(iris, out, "--cache", c.cache, "--quiet")...)
			refused(t, code, stdout, stderr, c.want...)
			assert.NoFileExists(t, out)
			assert.Equal(t, "keep\n", string(readFile(t, file)))
			assert.NoFileExists(t, filepath.Join(dir, "nowhere"))
		})
	}
	t.Run("a link to a directory", func(t *testing.T) {
		real, link := filepath.Join(dir, "real"), filepath.Join(dir, "link")
		require.NoError(t, os.Mkdir(real, 0o755))
		require.NoError(t, os.Symlink(real, link))
		code, stdout, stderr := drive(t, bin, "cache", "--data", iris, "--cache", link)
		require.Equal(t, 0, code, stderr)
		assert.Contains(t, stdout, link+": built: ")
		assert.FileExists(t, filepath.Join(real, "cache.json"))
		code, stdout, stderr = drive(t, bin, "cache", "--data", iris, "--cache", real)
		require.Equal(t, 0, code, stderr)
		assert.Contains(t, stdout, real+": checked, reused: ")
	})
	t.Run("--out in the cache", func(t *testing.T) {
		cdir := filepath.Join(dir, "c")
		for _, built := range []bool{false, true} {
			for _, out := range []string{"rows.bin", "cache.json"} {
				code, stdout, stderr := drive(t, bin, fitArgs(iris, filepath.Join(cdir, out), "--cache", cdir, "--quiet")...)
				if built {
					refused(t, code, stdout, stderr, "--out "+filepath.Join(cdir, out)+": the same file as --cache's "+out+", which it would overwrite")
				} else { // no directory yet
					refused(t, code, stdout, stderr, "--out: "+filepath.Join(cdir, out)+": the directory "+cdir+": no such file or directory")
				}
			}
			code, stdout, stderr := drive(t, bin, fitArgs(iris, cdir, "--cache", cdir, "--quiet")...)
			if built {
				refused(t, code, stdout, stderr, "--out", cdir+": is a directory")
			} else {
				refused(t, code, stdout, stderr, "--out "+cdir+": the same file as --cache")
				code, _, stderr = drive(t, bin, "cache", "--data", iris, "--cache", cdir, "--quiet")
				require.Equal(t, 0, code, stderr)
			}
		}
		code, stdout, stderr := drive(t, bin, "cache", "--data", iris, "--cache", cdir)
		require.Equal(t, 0, code, stderr)
		assert.Contains(t, stdout, "checked, reused", "the cache is intact")
	})
}

// TestCacheHostileFiles: a cache.json without its rows.bin is refused as
// damaged, in one line; a rows.bin that links to a device is not written
// through, and no cache.json is left beside it.
func TestCacheHostileFiles(t *testing.T) {
	bin := binary(t)
	iris := "../../testdata/iris.csv"
	cdir := filepath.Join(t.TempDir(), "cache")
	code, _, stderr := drive(t, bin, "cache", "--data", iris, "--cache", cdir)
	require.Equal(t, 0, code, stderr)
	rp := filepath.Join(cdir, "rows.bin")
	require.NoError(t, os.Remove(rp))
	code, stdout, stderr := drive(t, bin, "cache", "--data", iris, "--cache", cdir)
	refused(t, code, stdout, stderr, rp+": no such file or directory: the cache is damaged; delete "+cdir)

	require.NoError(t, os.Remove(filepath.Join(cdir, "cache.json")))
	require.NoError(t, os.Symlink("/dev/null", rp))
	code, stdout, stderr = drive(t, bin, "cache", "--data", iris, "--cache", cdir, "--quiet")
	refused(t, code, stdout, stderr, rp+": not a regular file")
	assertNoCacheLeft(t, cdir)
	code, stdout, stderr = drive(t, bin, fitArgs(iris, filepath.Join(cdir, "..", "m"), "--cache", cdir, "--quiet")...)
	refused(t, code, stdout, stderr, rp+": not a regular file")
	assertNoCacheLeft(t, cdir)
}
