// Package nntest holds the helpers that the tests of pkg/nn and pkg/train
// share: random matrices, small classifiers, central differences. Only
// tests import it.
package nntest
