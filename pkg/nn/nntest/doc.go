// Package nntest holds the helpers that the tests of pkg/nn and pkg/train
// share, as net/http/httptest serves net/http's: random matrices, small
// classifiers, the tutorial's XOR network, central differences. Only
// tests import it.
package nntest
