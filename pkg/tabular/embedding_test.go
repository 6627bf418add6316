package tabular

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEmbeddingChecksBeforeTraining: an ensemble whose packed embedding
// would exceed a layer's bounds is refused before any network trains,
// naming NumericEmbedding; a table without numeric inputs trains without
// an embedding, with a warning.
func TestEmbeddingChecksBeforeTraining(t *testing.T) {
	dir := t.TempDir()
	const cols = 1<<16 + 64 // 64 networks of (cols + 3·cols) outputs pass 2^24
	var b strings.Builder
	for j := range cols {
		fmt.Fprintf(&b, "x%d,", j)
	}
	b.WriteString("y\n")
	for r := range 4 {
		for j := range cols {
			fmt.Fprintf(&b, "%d,", (r*j)%7)
		}
		fmt.Fprintf(&b, "%d\n", r%2)
	}
	wide := filepath.Join(dir, "wide.csv")
	require.NoError(t, os.WriteFile(wide, []byte(b.String()), 0o644))
	_, err := Fit(context.Background(), File(wide), Config{NumericEmbedding: PBLD, Ensemble: MaxEnsemble, Hidden: []int{}, Epochs: 1})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "NumericEmbedding")
	assert.Contains(t, err.Error(), "64 networks")

	text := filepath.Join(dir, "text.csv")
	require.NoError(t, os.WriteFile(text, []byte("a,b,y\nx,p,0\ny,q,1\nx,q,0\ny,p,1\n"), 0o644))
	var warn bytes.Buffer
	m, err := Fit(context.Background(), File(text), Config{NumericEmbedding: PBLD, Hidden: []int{4}, Epochs: 2, Warn: &warn})
	require.NoError(t, err)
	assert.Contains(t, warn.String(), "no numeric input to embed")
	for _, l := range m.Summary().Layers {
		assert.NotEqual(t, "periodic", l.Kind)
	}
}
