// Package tensor holds the data types at the bottom of densetrain: the
// element types the engine is generic over (Float) and the dense row-major
// Matrix that carries samples from the CSV reader to the network. It
// imports nothing from this module, so that readers and preprocessing
// (pkg/csvdata, pkg/prep) need not import the network package (pkg/nn),
// which re-exports both names as aliases. Float is declared here only:
// pkg/parallel and internal/gemm alias it too. It must stay at the
// bottom: no layers, no I/O, no imports of this module.
package tensor
