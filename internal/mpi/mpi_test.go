//go:build mpi

package mpi

import (
	"bytes"
	"testing"
)

// TestCollectives runs alone (an MPI singleton, one rank) or under mpirun:
//
//	go test -c -tags mpi -o mpi.test ./internal/mpi
//	mpirun --allow-run-as-root --oversubscribe -np 3 ./mpi.test
func TestCollectives(t *testing.T) {
	c, err := Init()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Finalize()
	if c.Rank() < 0 || c.Rank() >= c.Size() {
		t.Fatalf("rank %d of %d", c.Rank(), c.Size())
	}
	send := []byte{byte(c.Rank()), byte(c.Rank() * 2)}
	recv := make([]byte, 2*c.Size())
	if err := c.Allgather(send, recv); err != nil {
		t.Fatal(err)
	}
	for r := range c.Size() {
		if recv[2*r] != byte(r) || recv[2*r+1] != byte(2*r) {
			t.Fatalf("rank %d: allgather gave %v", c.Rank(), recv)
		}
	}
	buf := []byte("not yet")
	if c.Rank() == 0 {
		buf = []byte("from 0!")
	}
	if err := c.Bcast(buf, 0); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf, []byte("from 0!")) {
		t.Fatalf("rank %d: broadcast gave %q", c.Rank(), buf)
	}
	if err := c.Allgather(send, make([]byte, 1)); err == nil {
		t.Error("a wrong receive size was accepted")
	}
	f32, f64 := []float32{float32(c.Rank()), 1}, []float64{float64(c.Rank()), 1}
	if err := c.AllreduceFloat32(f32); err != nil {
		t.Fatal(err)
	}
	if err := c.AllreduceFloat64(f64); err != nil {
		t.Fatal(err)
	}
	n := c.Size()
	if want := float32(n * (n - 1) / 2); f32[0] != want || f32[1] != float32(n) || f64[0] != float64(want) || f64[1] != float64(n) {
		t.Fatalf("rank %d: all-reduce gave %v and %v", c.Rank(), f32, f64)
	}
	if err := c.Barrier(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkExchangeW1 is one step's lane exchange of W1 (784-256-128-10,
// batch 128) between the ranks with 32-row shards (Parallelism.ShardSize
// 32): four lanes of 235 146 float32 gradients plus their loss and metric
// counts. The default ShardSize at batch 128 is 64 rows (⌈batch/2⌉
// clamped to [32, 128]), which gives two lanes and about half these bytes.
//
//	mpirun --allow-run-as-root -np 2 ./mpi.test -test.run '^$' -test.bench ExchangeW1
func BenchmarkExchangeW1(b *testing.B) {
	c, err := Init()
	if err != nil {
		b.Fatal(err)
	}
	defer c.Finalize()
	const lanes, laneBytes = 4, 235146*4 + 8 + 8*3
	slots := (lanes + c.Size() - 1) / c.Size()
	send := make([]byte, 8+slots*laneBytes)
	recv := make([]byte, c.Size()*len(send))
	c.Barrier()
	b.ResetTimer()
	for b.Loop() {
		if err := c.Allgather(send, recv); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(recv))/1e6, "MB-received/op")
}
