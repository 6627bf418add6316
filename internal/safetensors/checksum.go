package safetensors

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strconv"
)

// The checksum of a model file or checkpoint, "checksum" in its metadata,
// is "sha256:" and the hex SHA-256 of everything that decides what the file
// means, so that a damaged header (a scaling mean, the label order, an
// activation) is refused like damaged weights. Hashed in this order, each
// string as its 8-byte little-endian length and its bytes, each number as
// 8 little-endian bytes:
//
//  1. the number of metadata entries other than "checksum", then each
//     such key and value, keys in byte order;
//  2. the number of tensors, then each tensor's name, dtype, rank, each
//     dimension and its two data offsets, names in byte order;
//  3. the data section.
//
// The values hashed are the decoded ones, so the JSON's spacing and key
// order do not matter. Files of an older format version (model files 1
// and 2, checkpoints 1) hold the SHA-256 of the data section alone and are
// still read: the version tells them apart, and a newer file passed off
// as an older version is refused too, since its checksum is not the one of
// its data alone.

// Format is a kind of file: its format name, the newest version this
// package reads (and the one it writes), and the first version whose
// checksum covers the header.
type Format struct {
	Name           string
	Newest, Covers int
}

// CheckFormat checks a file's format name and version and returns the
// version.
func CheckFormat(meta map[string]string, ff Format) (int, error) {
	if meta["format"] != ff.Name {
		return 0, fmt.Errorf("format %q, want %q", meta["format"], ff.Name)
	}
	version, err := strconv.Atoi(meta["format_version"])
	if err != nil || version < 1 {
		return 0, fmt.Errorf("bad format version %q", meta["format_version"])
	}
	if version > ff.Newest {
		return 0, fmt.Errorf("format version %d is newer than this program reads (%d): upgrade densetrain", version, ff.Newest)
	}
	return version, nil
}

// headerChecksum returns the checksum of the metadata (but its
// "checksum"), the tensor entries and the data, in the order above.
func headerChecksum(meta map[string]string, infos map[string]Info, data ...[]byte) string {
	h := sha256.New()
	keys := make([]string, 0, len(meta))
	for k := range meta {
		if k != "checksum" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	putInt(h, int64(len(keys)))
	for _, k := range keys {
		putString(h, k)
		putString(h, meta[k])
	}
	names := make([]string, 0, len(infos))
	for n := range infos {
		names = append(names, n)
	}
	slices.Sort(names)
	putInt(h, int64(len(names)))
	for _, n := range names {
		t := infos[n]
		putString(h, n)
		putString(h, t.DType)
		putInt(h, int64(len(t.Shape)))
		for _, d := range t.Shape {
			putInt(h, d)
		}
		putInt(h, t.Offsets[0])
		putInt(h, t.Offsets[1])
	}
	for _, d := range data {
		h.Write(d)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func putInt(h hash.Hash, v int64) { h.Write(binary.LittleEndian.AppendUint64(nil, uint64(v))) }

func putString(h hash.Hash, s string) {
	putInt(h, int64(len(s)))
	h.Write([]byte(s))
}

// verifyChecksum checks the file's checksum: of the header and the data
// when covers is set, of the data alone otherwise (older versions).
func verifyChecksum(meta map[string]string, infos map[string]Info, data []byte, covers bool) error {
	if covers {
		if meta["checksum"] != headerChecksum(meta, infos, data) {
			return errors.New("checksum mismatch: the header or the tensor data is damaged")
		}
		return nil
	}
	sum := sha256.Sum256(data)
	if meta["checksum"] != "sha256:"+hex.EncodeToString(sum[:]) {
		return errors.New("checksum mismatch: the tensor data is damaged")
	}
	return nil
}
