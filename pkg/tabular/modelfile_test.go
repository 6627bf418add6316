package tabular

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const bad = "../../testdata/bad/"

// TestLoadRefusesAnEditedHeader: the preprocessing, the label order and
// the activations are under the model file's checksum, so a file whose
// header was edited is refused with an *InputError naming it.
func TestLoadRefusesAnEditedHeader(t *testing.T) {
	for _, name := range []string{"model_flipped_mean.safetensors", "model_swapped_labels.safetensors", "model_flipped_activation.safetensors"} {
		m, err := Load(bad + name)
		assert.Nil(t, m)
		require.Error(t, err, name)
		assert.ErrorAs(t, err, new(*InputError))
		assert.Equal(t, bad+name+": model file: checksum mismatch: the header or the tensor data is damaged", err.Error())
	}
}

// TestLoadReadsFormat1: a model file of an earlier version, whose checksum
// covers the data alone, still loads and predicts.
func TestLoadReadsFormat1(t *testing.T) {
	m, err := Load(bad + "model_v1_iris.safetensors")
	require.NoError(t, err)
	p, err := m.Predict(context.Background(), File("../../testdata/iris.csv"), PredictOptions{})
	require.NoError(t, err)
	assert.Len(t, p.Labels, 150)
	assert.Equal(t, []string{"0", "1", "2"}, p.ClassNames)
}

// TestLoadOfNotAModel: a CSV or random bytes given to Load say that they
// are not a model file.
func TestLoadOfNotAModel(t *testing.T) {
	for _, path := range []string{bad + "ok.csv", bad + "binary.csv", bad + "model_random_bytes.safetensors"} {
		m, err := Load(path)
		assert.Nil(t, m)
		assert.EqualError(t, err, path+": not a densetrain model file")
		assert.ErrorAs(t, err, new(*InputError))
	}
}
