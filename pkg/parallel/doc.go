// Package parallel is the goroutine toolkit under pkg/train: a fixed pool
// of workers on an errgroup (Run, Pool.Do, Pool.Finish), the cut of a
// global batch into micro-shards and lanes (Layout), the fixed-shape
// pairwise sums (TreeSumInto, TreeAddInto, TreeSum, over Chunks) and the
// Communicator between the processes of a multi-process run.
//
// # What it owns, and what it must not do
//
// It moves work and sums flat float slices; it knows nothing of neural
// networks and imports nothing of this module but pkg/tensor (Float) and
// internal/cpus (the worker rule). Every decision that affects
// floating-point results — shard boundaries, lane boundaries, the order of
// the sums — depends only on the batch size and the layout parameters,
// never on the number of workers, so results are bit-identical whatever
// the worker count.
//
// A Pool is only valid inside Run, which starts the workers with an
// errgroup and waits for every one of them before it returns: no goroutine
// outlives Run.
package parallel
