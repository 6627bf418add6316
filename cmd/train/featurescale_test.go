package main

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
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
	straight := filepath.Join(dir, "straight")
	code, _, errOut := drive(t, bin, interruptArgs(straight, "--feature-scale", "6", "--quiet")...)
	require.Equal(t, 0, code, errOut)
	want, err := os.ReadFile(straight)
	require.NoError(t, err)
	assert.False(t, bytes.Contains(want, []byte("feature_scale")), "the model file holds the Scale layer")

	plain := filepath.Join(dir, "plain")
	code, _, errOut = drive(t, bin, interruptArgs(plain, "--quiet")...)
	require.Equal(t, 0, code, errOut)
	other, err := os.ReadFile(plain)
	require.NoError(t, err)
	assert.Equal(t, len(other), len(want), "the folded network has the plain network's shape")
	assert.False(t, bytes.Equal(other, want), "the feature scale changed nothing")

	out := filepath.Join(dir, "resumed")
	args := interruptArgs(out, "--feature-scale", "6", "--checkpoint-every", "1")
	cmd, _, _ := signalInEpoch3(t, bin, args, syscall.SIGKILL)
	require.True(t, cmd.ProcessState.Sys().(syscall.WaitStatus).Signaled())
	ckpt, err := os.ReadFile(out + ".ckpt")
	require.NoError(t, err, "no checkpoint to resume from")
	assert.True(t, bytes.Contains(ckpt, []byte("feature_scale")), "the checkpoint lacks the Scale layer")
	code, _, errOut = drive(t, bin, append(args, "--resume", "--quiet")...)
	require.Equal(t, 0, code, errOut)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
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
	straight := filepath.Join(dir, "straight")
	code, _, errOut := drive(t, bin, interruptArgs(straight, "--numeric-embedding", "pbld", "--quiet")...)
	require.Equal(t, 0, code, errOut)
	want, err := os.ReadFile(straight)
	require.NoError(t, err)
	assert.True(t, bytes.Contains(want, []byte("numeric_embedding")), "the model file lacks the embedding")

	out := filepath.Join(dir, "resumed")
	args := interruptArgs(out, "--numeric-embedding", "pbld", "--checkpoint-every", "1")
	cmd, _, _ := signalInEpoch3(t, bin, args, syscall.SIGKILL)
	require.True(t, cmd.ProcessState.Sys().(syscall.WaitStatus).Signaled())
	code, _, errOut = drive(t, bin, append(args, "--resume", "--quiet")...)
	require.Equal(t, 0, code, errOut)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want, got), "the resumed run's model differs from the uninterrupted run's")
}
