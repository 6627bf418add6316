// Package openblas installs OpenBLAS as gonum's BLAS when densetrain is
// built with the netlib tag (go build -tags netlib, with Debian's
// libopenblas-dev); without the tag it is empty and the pure-Go gonum BLAS
// is used. See openblas.go.
package openblas
