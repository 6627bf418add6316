package csvdata

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWorkersOption: Options.Workers of 0 is one per CPU, a positive
// count is used as it is, a negative one is refused (the rule of
// internal/cpus, which tabular applies before it calls Read).
func TestWorkersOption(t *testing.T) {
	ctx := context.Background()
	data := []byte("a,b,y\n1,,0\n3,4,1\n")
	for _, w := range []int{0, 1, 3} {
		tab, err := ReadBytes[float32](ctx, "t", data, Options{Workers: w})
		require.NoError(t, err, "workers %d", w)
		assert.Equal(t, 2, tab.X.Rows)
	}
	_, err := ReadBytes[float32](ctx, "t", data, Options{Workers: -1})
	assert.EqualError(t, err, "Options.Workers -1: want 0 (one per CPU) or more")

	_, err = ReadBytes[float32](ctx, "t", data, Options{MissingIsError: true})
	var me *MissingError
	require.ErrorAs(t, err, &me)
	assert.Equal(t, "b", me.Column)
	assert.True(t, errors.Is(err, ErrMissing))
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, [2]int{2, 3}, [2]int{pe.Line, pe.Column})
}
