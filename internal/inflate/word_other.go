//go:build !(amd64 || arm64) || noasm

package inflate

import "encoding/binary"

// load reads the 8 bytes at b[i:], little-endian.
func load(b []byte, i int) uint64 { return binary.LittleEndian.Uint64(b[i:]) }

// store writes v as the 8 bytes at b[i:], little-endian.
func store(b []byte, i int, v uint64) { binary.LittleEndian.PutUint64(b[i:], v) }
