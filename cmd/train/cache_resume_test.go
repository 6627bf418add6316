package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKillAndResumeFromTheCache: a fit reading its cache from disk,
// killed with SIGKILL in epoch 3, resumes from its checkpoint with the
// uninterrupted in-memory model's bytes; so does one killed in memory and
// resumed from the cache, and one killed reading the cache and resumed in
// memory.
func TestKillAndResumeFromTheCache(t *testing.T) {
	if testing.Short() {
		t.Skip("trains several times")
	}
	bin := binary(t)
	dir := t.TempDir()
	straight := filepath.Join(dir, "straight")
	code, _, errOut := drive(t, bin, interruptArgs(straight, "--quiet")...)
	require.Equal(t, 0, code, errOut)
	want, err := os.ReadFile(straight)
	require.NoError(t, err)
	cached := []string{"--cache", filepath.Join(dir, "cache"), "--cache-read", "disk"}
	for _, c := range []struct {
		name          string
		killed, after []string
	}{
		{"cache", cached, cached},
		{"memory then cache", nil, cached},
		{"cache then memory", cached, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, "model "+c.name)
			args := interruptArgs(out, "--checkpoint-every", "1")
			_, got := killAndResume(t, bin, out, append(slices.Clip(args), c.killed...), append(slices.Clip(args), c.after...))
			assert.True(t, bytes.Equal(want, got), "the resumed run's model differs from the uninterrupted run's")
		})
	}
}
