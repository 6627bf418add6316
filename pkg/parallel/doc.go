// Package parallel runs the synchronous data-parallel part of a training step:
// it cuts a global batch into micro-shards, groups them into lanes, hands
// lanes to a fixed pool of worker goroutines and combines the per-lane
// results with a reduction tree of fixed shape.
//
// The package knows nothing about neural networks; it moves work and sums
// flat float slices. Every decision that affects floating-point results —
// shard boundaries, lane boundaries, the order of the reduction — depends only
// on the batch size and the layout parameters, never on the number of
// workers, so results are bit-identical whatever the worker count.
//
// A Pool is only valid inside Run, which starts the workers with an
// errgroup and waits for every one of them before it returns: no goroutine
// outlives Run.
package parallel
