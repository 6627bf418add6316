// Package benchmarks holds densetrain's reproducible workloads and the Go
// benchmarks that measure them.
//
// W1 is an MNIST-shaped multi-layer perceptron, 784-256-128-10 with ReLU and
// softmax cross-entropy, trained with Adam on batches of 128 random samples.
// Run the benchmarks with
//
//	go test -run '^$' -bench . -benchtime 3x ./benchmarks/
//
// and the table recorded in benchmarks/README.md with
//
//	go run ./benchmarks/w1table
package benchmarks
