package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tabular"
)

// cacheFlagNames are fit's flags that shape a block cache: the cache
// command takes them, defined once, in fitFlags, so that a cache it builds
// is the one fit --cache with the same flags reuses.
var cacheFlagNames = []string{"data", "cache", "target", "categorical", "ignore", "na", "impute", "delimiter", "max-categories", "precision", "workers", "quiet"}

// cacheCommand builds the block cache of a CSV file (tabular.BuildCache)
// without training, or checks the one there, and says what it holds.
func cacheCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c fitConfig
	all := fitFlags(&c)
	fs := newFlags("cache")
	for _, name := range cacheFlagNames {
		f := all.Lookup(name)
		fs.Var(f.Value, f.Name, f.Usage)
	}
	fs.Lookup("cache").Usage = "the cache's directory (made if need be): a valid cache there is checked and reused (required)"
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	c.flags = fs
	switch {
	case c.data == "":
		return usageError(errors.New("--data is required"))
	case c.cache == "":
		return usageError(errors.New("--cache is required"))
	case badData(c.data) != nil:
		return usageError(badData(c.data))
	}
	tc, err := c.config(stderr)
	if err != nil {
		return usageError(err)
	}
	if c.quiet {
		tc.Warn = nil
	} else if isTerminal(stderr) {
		tc.CacheSize, tc.CacheProgress = byteBar(stderr, "building the cache")
	}
	info, err := tabular.BuildCache(ctx, source(c.data), tc)
	if err != nil {
		return userError(flagError(fs, err))
	}
	how := "built"
	if info.Reused {
		how = "checked, reused"
	}
	precision := "f32"
	if info.Float64 {
		precision = "f64"
	}
	_, err = fmt.Fprintf(stdout, "%s: %s: %d rows × %d columns (%s), %s in %d blocks\n",
		info.Dir, how, info.Rows, info.Columns, precision, csvdata.SizeString(info.Bytes), info.Blocks)
	return writeError(err)
}
