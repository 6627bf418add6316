package parallel

// Communicator connects the processes of a multi-process run (ranks
// 0…Size−1), such as the ranks of an MPI job. Every rank must make the same
// calls in the same order, from one goroutine at a time.
type Communicator interface {
	// Rank returns this process's rank and Size the number of ranks.
	Rank() int
	Size() int
	// Allgather sends send to every rank and fills recv with every rank's
	// send, in rank order; every rank sends the same length and
	// len(recv) = Size()·len(send).
	Allgather(send, recv []byte) error
	// Bcast copies root's buf into every other rank's buf.
	Bcast(buf []byte, root int) error
	// AllreduceFloat32 and AllreduceFloat64 replace buf, in place, by the
	// element-wise sum of every rank's buf, in an order the implementation
	// chooses (so the bits may differ from any fixed-order sum).
	AllreduceFloat32(buf []float32) error
	AllreduceFloat64(buf []float64) error
	// Barrier returns when every rank has called it.
	Barrier() error
	// Alltoallv sends each rank q its own bytes of send — sendCounts[q]
	// of them, after those for the ranks before q — and receives from each
	// rank q recvCounts[q] bytes into recv, after those from the ranks
	// before q. recvCounts[q] must be rank q's sendCounts for this rank
	// (the ranks agree on them first, with Allgather).
	Alltoallv(send []byte, sendCounts []int, recv []byte, recvCounts []int) error
}
