package csvdata

import (
	"context"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuoteCutsLongValuesShort(t *testing.T) {
	assert.Equal(t, `"abc"`, Quote("abc"))
	assert.Equal(t, `"`+strings.Repeat("a", MaxQuoted)+`"`, Quote(strings.Repeat("a", MaxQuoted)))
	assert.Equal(t, `"`+strings.Repeat("a", 26)+`"… (41 bytes)`, Quote(strings.Repeat("a", MaxQuoted+1)))
	assert.Equal(t, `",,,,,,,,"… (30 bytes)`, QuoteN(strings.Repeat(",", 30), 12))
	// Cut back to a whole character: "é" is two bytes.
	assert.Equal(t, `"aaaaaaa"… (13 bytes)`, QuoteN("aaaaaaaé"+"bbbb", 12))
	assert.Equal(t, Quote("x\x00y"), Short([]byte("x\x00y")))
	assert.Equal(t, Quote(strings.Repeat("z", 1<<20)), Short([]byte(strings.Repeat("z", 1<<20))))
}

// TestLongValuesInErrors: a 1 MB value or column name is echoed by its
// first bytes and its length, in every error of the reader that names it.
func TestLongValuesInErrors(t *testing.T) {
	long := strings.Repeat("v", 1<<20)
	cases := []struct {
		name, text, want string
		opt              Options
	}{
		{"mixed column", "a,b\n1,2\n4,5\n" + long + ",3\n", "t.csv:4:1: column \"a\" mixes numbers and text", Options{}},
		{"not a number", "a,b\n" + long + ",3\n", "t.csv:2:1: ", Options{Schema: &Schema{Features: []FeatureColumn{{Name: "a"}}}}},
		{"unseen category", "a,b\n" + long + ",3\n", "t.csv:2:1: category", Options{Schema: &Schema{Features: []FeatureColumn{{Name: "a", Categories: []string{"x"}}}}, StrictCategories: true}},
		{"duplicate name", long + "," + long + ",y\n1,2,3\n", "t.csv:1: duplicate column name", Options{}},
		{"missing feature", "b,y\n1,2\n", "t.csv:1: column \"vvvvvvvvvvvvvvvvvvvvvvvvvv\"… (1048576 bytes), a feature", Options{Schema: &Schema{Features: []FeatureColumn{{Name: long}}}}},
		{"unknown ignored column", "a,b\n1,2\n", "t.csv:1: ignored column", Options{Ignore: []string{long}}},
		{"too many categories", long + ",b\nx,1\ny,2\nz,3\nw,4\n", `"0" in Options.Ignore (`, Options{Categorical: []string{"0"}, MaxCategories: 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadBytes[float32](context.Background(), "t.csv", []byte(c.text), c.opt)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.Contains(t, err.Error(), "… (1048576 bytes)")
			assert.Less(t, len(err.Error()), 300, "%.400s", err)
		})
	}
}

func TestShortPath(t *testing.T) {
	long := &os.PathError{Op: "open", Path: strings.Repeat("p", 2000), Err: syscall.ENAMETOOLONG}
	err := ShortPath(long)
	assert.EqualError(t, err, `open "pppppppppppppppppppppppppp"… (2000 bytes): file name too long`)
	assert.ErrorIs(t, err, syscall.ENAMETOOLONG)
	short := &os.PathError{Op: "open", Path: "/no/such/file", Err: syscall.ENOENT}
	assert.Equal(t, error(short), ShortPath(short))
}
