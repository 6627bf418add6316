package tabular

import (
	"context"

	"github.com/densetrain/densetrain/pkg/tensor"
)

// CacheInfo describes a block cache that BuildCache opened or built.
type CacheInfo struct {
	Dir             string // of a part (Config.CachePerRank), the part's
	Rows, Columns   int    // the rows kept and the matrix columns (one-hot)
	Bytes           int64  // the size of its rows (a part's)
	Blocks          int    // (a part's)
	SkippedRows     int    // rows left out for a missing target
	Float64, Reused bool
	Ranks           int // of a part: the ranks the cache is spread over
}

// BuildCache builds the block cache of src (a File) in c.Cache, as Fit
// with the same Config would, without training; a valid cache there is
// reused. The settings that shape the cache are those that read the
// table (Targets, Categorical, Ignore, NA, Delimiter, MaxCategories,
// Impute's MissingIsError) and Precision.
func BuildCache(ctx context.Context, src Source, c Config) (CacheInfo, error) {
	c, err := c.withDefaults()
	if err != nil {
		return CacheInfo{}, inputError(err)
	}
	if c.Cache == "" {
		return CacheInfo{}, inputError(settingError("Cache", c.Cache, "names no directory"))
	}
	var info CacheInfo
	if c.Precision == F64 {
		info, err = buildCache[float64](ctx, src, c)
	} else {
		info, err = buildCache[float32](ctx, src, c)
	}
	return info, withHints(err, c.hints())
}

func buildCache[T tensor.Float](ctx context.Context, src Source, c Config) (CacheInfo, error) {
	c.CacheRead = CacheDisk // its blocks verified, not loaded: nothing trains
	d, err := openCached[T](ctx, src, c)
	if err != nil {
		return CacheInfo{}, err
	}
	defer d.close()
	s := d.c.Summary()
	var z T
	info := CacheInfo{Dir: c.Cache, Rows: s.Rows, Columns: d.c.Cols(), Bytes: d.c.Bytes(), Blocks: d.c.Blocks(),
		SkippedRows: s.Skipped.Count, Float64: any(z) == any(float64(0)), Reused: !d.c.Built() && !d.built}
	if d.sp != nil {
		first, end := d.c.OwnedBlocks()
		info.Dir, info.Blocks, info.Ranks = PartDir(c.Cache, c.Comm.Rank(), c.Comm.Size()), end-first, c.Comm.Size()
	}
	return info, nil
}
