package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFeatureScaleResumesAndFolds: a fit with a learned feature scale,
// killed in epoch 3, resumes from its checkpoint (which holds the Scale
// layer) to the uninterrupted run's bytes; the model file holds Dense
// layers only (the scale folded into the first), and it is not the model
// trained without the scale.
func TestFeatureScaleResumesAndFolds(t *testing.T) {
	if testing.Short() {
		t.Skip("trains three times")
	}
	bin := binary(t)
	dir := t.TempDir()
	want := fitBytes(t, bin, filepath.Join(dir, "straight"), "--feature-scale", "6")
	assert.False(t, bytes.Contains(want, []byte("feature_scale")), "the model file holds the Scale layer")

	other := fitBytes(t, bin, filepath.Join(dir, "plain"))
	assert.Equal(t, len(other), len(want), "the folded network has the plain network's shape")
	assert.False(t, bytes.Equal(other, want), "the feature scale changed nothing")

	out := filepath.Join(dir, "resumed")
	args := interruptArgs(out, "--feature-scale", "6", "--checkpoint-every", "1")
	ckpt, got := killAndResume(t, bin, out, args, args)
	assert.True(t, bytes.Contains(ckpt, []byte("feature_scale")), "the checkpoint lacks the Scale layer")
	assert.True(t, bytes.Equal(want, got), "the resumed run's model differs from the uninterrupted run's")
}

// TestNumericEmbeddingResumes: a fit with the PBLD embedding, killed in
// epoch 3, resumes from its checkpoint to the uninterrupted run's bytes,
// and the model file keeps the embedding.
func TestNumericEmbeddingResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("trains twice")
	}
	bin := binary(t)
	dir := t.TempDir()
	want := fitBytes(t, bin, filepath.Join(dir, "straight"), "--numeric-embedding", "pbld")
	assert.True(t, bytes.Contains(want, []byte("numeric_embedding")), "the model file lacks the embedding")

	out := filepath.Join(dir, "resumed")
	args := interruptArgs(out, "--numeric-embedding", "pbld", "--checkpoint-every", "1")
	_, got := killAndResume(t, bin, out, args, args)
	assert.True(t, bytes.Equal(want, got), "the resumed run's model differs from the uninterrupted run's")
}

// fitBytes fits interruptArgs' network with extra settings, uninterrupted,
// into out and returns the model file.
func fitBytes(t *testing.T, bin, out string, extra ...string) []byte {
	t.Helper()
	code, _, errOut := drive(t, bin, append(interruptArgs(out, extra...), "--quiet")...)
	require.Equal(t, 0, code, errOut)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	return b
}
