// Package safetensors reads and writes the safetensors container that
// pkg/nn's model files and checkpoints share: an 8-byte little-endian
// header length, a JSON header mapping tensor names to dtype, shape and
// data offsets, with a "__metadata__" map of strings, then the raw
// little-endian data. The metadata names a Format (name and version) and
// carries a SHA-256 under "checksum" (checksum.go) that Read verifies.
//
// # What it owns, and what it must not do
//
// The container, its bounds (MaxHeader), its checksum and the float
// encodings (FloatTensor, DecodeInto). It knows no layers, models or
// training: what the tensors and the metadata mean is pkg/nn's.
package safetensors
