package parallel_test

import (
	"context"
	"fmt"
	"log"

	"github.com/densetrain/densetrain/pkg/parallel"
)

// A batch of 100 rows in shards of 8, grouped into at most 4 lanes: each
// lane is a contiguous run of shards that one worker computes in order.
func ExampleLayout() {
	l, err := parallel.NewLayout(100, 8, 4)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("shards:", l.Shards(), "lanes:", l.Lanes())
	for i := range l.Lanes() {
		first, end := l.LaneShards(i)
		lo, _ := l.Shard(first)
		_, hi := l.Shard(end - 1)
		fmt.Printf("lane %d: shards [%d, %d), rows [%d, %d)\n", i, first, end, lo, hi)
	}
	// Output:
	// shards: 13 lanes: 4
	// lane 0: shards [0, 3), rows [0, 24)
	// lane 1: shards [3, 6), rows [24, 48)
	// lane 2: shards [6, 9), rows [48, 72)
	// lane 3: shards [9, 13), rows [72, 100)
}

// Run starts the workers; Do hands them indexed tasks, each writing its own
// part, and returns when all are done. The per-part sums are then combined
// by the fixed tree, so the total has the same bits whatever the number of
// workers.
func ExampleRun() {
	parts := make([]float64, 10)
	err := parallel.Run(context.Background(), 3, func(p *parallel.Pool) error {
		return p.Do(len(parts), func(_, i int) error {
			for k := range 1000 {
				parts[i] += 1 / float64(i*1000+k+1)
			}
			return nil
		})
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("H(10000) = %.6f\n", parallel.TreeSum(parts))
	// Output:
	// H(10000) = 9.787606
}

// TreeSumInto adds parts element-wise into parts[0] in the order of a
// pairwise tree: ((p0+p1)+(p2+p3))+p4.
func ExampleTreeSumInto() {
	parts := [][]float32{{1, 10}, {2, 20}, {3, 30}, {4, 40}, {5, 50}}
	parallel.TreeSumInto(parts, 0, 2)
	fmt.Println(parts[0])
	// Output:
	// [15 150]
}
