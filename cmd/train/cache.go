package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/densetrain/densetrain/internal/mpi"
	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tabular"
)

// cacheFlagNames are fit's flags that shape a block cache: the cache
// command takes them, defined once, in fitFlags, so that a cache it builds
// is the one fit --cache with the same flags reuses.
var cacheFlagNames = []string{"data", "cache", "target", "categorical", "ignore", "na", "impute", "delimiter", "max-categories", "precision", "workers", "quiet", "cache-per-rank"}

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
	if mpi.UnderLauncher() { // the ranks agree on who builds what
		c.command = "cache"
		return fitUnderMPI(ctx, &c, stderr, func() error { return runCache(ctx, c, tc, stdout, stderr) })
	}
	return runCache(ctx, c, tc, stdout, stderr)
}

// runCache builds or checks the cache as tc says; under MPI, rank 0 alone
// prints.
func runCache(ctx context.Context, c fitConfig, tc tabular.Config, stdout, stderr io.Writer) error {
	if c.comm != nil && c.comm.Size() > 1 {
		tc.Comm, tc.LocalRanks = c.comm, mpi.LocalRanks()
		if c.comm.Rank() != 0 {
			c.quiet, stdout = true, io.Discard
		}
	}
	switch {
	case c.comm != nil && c.comm.Rank() != 0:
		tc.Warn, tc.Notes = nil, nil // rank 0 speaks
	case c.quiet: // warnings of the data still go to stderr
		tc.Notes = nil
	case isTerminal(stderr):
		tc.CacheSize, tc.CacheProgress = byteBar(stderr, "building the cache")
	}
	info, err := tabular.BuildCache(ctx, source(c.data), tc)
	if err != nil {
		return userError(flagError(c.flags, err))
	}
	how := "built"
	if info.Reused {
		how = "checked, reused"
	}
	precision := "f32"
	if info.Float64 {
		precision = "f64"
	}
	part := ""
	if info.Ranks > 1 {
		part = fmt.Sprintf(" (this rank's part of %d)", info.Ranks)
	}
	_, err = fmt.Fprintf(stdout, "%s: %s: %d rows × %d columns (%s), %s in %d blocks%s\n",
		info.Dir, how, info.Rows, info.Columns, precision, csvdata.SizeString(info.Bytes), info.Blocks, part)
	return writeError(err)
}
