package parallel

import "encoding/binary"

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

// FirstDiffering gathers every rank's b (of one length on every rank) and
// returns the first rank whose b differs from this rank's, or −1: the
// ranks check that they agree on something (a fingerprint, a file list).
func FirstDiffering(comm Communicator, b []byte) (int, error) {
	all := make([]byte, comm.Size()*len(b))
	if err := comm.Allgather(b, all); err != nil {
		return 0, err
	}
	for r := range comm.Size() {
		if string(all[r*len(b):(r+1)*len(b)]) != string(b) {
			return r, nil
		}
	}
	return -1, nil
}

// GatherBytes returns every rank's b, of any length, in rank order: an
// Allgather of the lengths, then one of the bytes, each padded to the
// longest.
func GatherBytes(comm Communicator, b []byte) ([][]byte, error) {
	size := comm.Size()
	n := make([]byte, 8)
	binary.LittleEndian.PutUint64(n, uint64(len(b)))
	ns := make([]byte, 8*size)
	if err := comm.Allgather(n, ns); err != nil {
		return nil, err
	}
	most := 0
	for q := range size {
		most = max(most, int(binary.LittleEndian.Uint64(ns[8*q:])))
	}
	send := make([]byte, most)
	copy(send, b)
	recv := make([]byte, size*most)
	if err := comm.Allgather(send, recv); err != nil {
		return nil, err
	}
	out := make([][]byte, size)
	for q := range size {
		out[q] = recv[q*most : q*most+int(binary.LittleEndian.Uint64(ns[8*q:]))]
	}
	return out, nil
}
