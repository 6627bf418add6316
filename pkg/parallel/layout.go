package parallel

import (
	"fmt"

	"github.com/densetrain/densetrain/pkg/tensor"
)

// Float is the set of element types the reductions work on (an alias of
// tensor.Float).
type Float = tensor.Float

// Layout describes how a global batch of Rows rows is cut for one step.
//
// The batch is split into micro-shards of ShardSize rows (the last one may be
// shorter). Consecutive shards are grouped into at most MaxLanes lanes of
// near-equal length; a lane is a contiguous row range whose shards are
// processed one after another by a single worker, accumulating into one
// gradient buffer. Lane boundaries depend only on Rows, ShardSize and
// MaxLanes, so the floating-point work for a lane is the same whichever
// worker runs it.
type Layout struct {
	Rows      int // rows in the global batch
	ShardSize int // rows per micro-shard
	MaxLanes  int // upper bound on the number of lanes (gradient buffers)
}

// NewLayout validates and returns a Layout.
func NewLayout(rows, shardSize, maxLanes int) (Layout, error) {
	l := Layout{Rows: rows, ShardSize: shardSize, MaxLanes: maxLanes}
	switch {
	case rows < 0:
		return Layout{}, fmt.Errorf("parallel: negative batch size %d", rows)
	case shardSize < 1:
		return Layout{}, fmt.Errorf("parallel: shard size %d, want at least 1", shardSize)
	case maxLanes < 1:
		return Layout{}, fmt.Errorf("parallel: max lanes %d, want at least 1", maxLanes)
	}
	return l, nil
}

// Shards returns the number of micro-shards.
func (l Layout) Shards() int { return (l.Rows + l.ShardSize - 1) / l.ShardSize }

// Lanes returns the number of lanes: min(Shards, MaxLanes).
func (l Layout) Lanes() int { return min(l.Shards(), l.MaxLanes) }

// LaneShards returns the half-open range of shard indices in lane i.
func (l Layout) LaneShards(i int) (first, end int) {
	s, n := l.Shards(), l.Lanes()
	return i * s / n, (i + 1) * s / n
}

// Shard returns the half-open row range of shard j.
func (l Layout) Shard(j int) (lo, hi int) {
	lo = j * l.ShardSize
	return lo, min(lo+l.ShardSize, l.Rows)
}
