package nn_test

import (
	"bytes"
	"encoding/binary"
	"path/filepath"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLargeHeaderLoads: a header of several MiB (the preprocessing of a
// wide table) loads, through ReadModel, LoadFile and FileDType.
func TestLargeHeaderLoads(t *testing.T) {
	m, _ := trainedClassifier[float32](t, 1)
	m.Preprocessing = []byte(`{"names":"` + strings.Repeat(`a \"b\" \\ `, 400_000) + `"}`)
	b := saved(t, m)
	require.Greater(t, binary.LittleEndian.Uint64(b), uint64(4<<20))
	back, err := readBytes(b)
	require.NoError(t, err)
	assert.Equal(t, string(m.Preprocessing), string(back.Preprocessing))
	path := filepath.Join(t.TempDir(), "m.safetensors")
	require.NoError(t, m.SaveFile(path))
	_, err = nn.LoadFile[float32](path)
	require.NoError(t, err)
	dt, err := nn.FileDType(path)
	require.NoError(t, err)
	assert.Equal(t, "F32", dt)
}

// TestHugeHeaderLengthIsRefusedUnread: a header length beyond the limit is
// refused before anything is read, even when the reader claims the size.
func TestHugeHeaderLengthIsRefusedUnread(t *testing.T) {
	b := append(binary.LittleEndian.AppendUint64(nil, 1<<40), '{')
	_, err := nn.ReadModel[float32](bytes.NewReader(b), 1<<41)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "header length 1099511627776 exceeds the 268435456-byte limit")
	// A header length within the limit but beyond the bytes there: an
	// error, with no more memory than those bytes.
	b = append(binary.LittleEndian.AppendUint64(nil, 200<<20), `{"__metadata__":{}}`...)
	_, err = nn.ReadModel[float32](bytes.NewReader(b), 1<<30)
	assert.ErrorContains(t, err, "truncated")
}
