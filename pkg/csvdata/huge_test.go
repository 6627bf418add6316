package csvdata

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLargeMatrixPages: matrices past the threshold (4 MiB) get huge pages
// or are pre-faulted, for any worker count, and read right.
func TestLargeMatrixPages(t *testing.T) {
	defer func(f func() bool) { hugePages = f }(hugePages)
	for _, huge := range []bool{true, false} { // both ways, whatever this system has
		hugePages = func() bool { return huge }
		for _, w := range []int{0, 1, 3} {
			s := make([]float32, 3<<20)
			prefault(s, w)
			assert.Zero(t, s[len(s)-1])
		}
	}
	var b strings.Builder
	b.WriteString("a,b,c,y\n")
	for i := range 200_000 {
		fmt.Fprintf(&b, "%d,%d.5,%s,%d\n", i, i%7, []string{"x", "y", ""}[i%3], i%2)
	}
	path := write(t, b.String())
	for _, w := range []int{1, 2} {
		tab, err := Read[float32](path, Options{Workers: w})
		require.NoError(t, err)
		assert.Equal(t, []float32{199_999, 2.5, 0, 0, 1}, tab.X.Row(199_999))
	}
}
