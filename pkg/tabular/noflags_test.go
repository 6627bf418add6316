package tabular

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLibraryStringsNameNoFlags: no string in the code of the packages
// under pkg/ (csvdata, prep, tabular, nn, train, parallel, serve, tensor:
// their non-test files) names a command-line flag: their
// errors and warnings name Go fields (Config.NA), and the train command
// names its flags (Config.Hints, its flagError).
func TestLibraryStringsNameNoFlags(t *testing.T) {
	flagLike := regexp.MustCompile(`(^|[\s("'` + "`" + `])--[a-z]`)
	for _, dir := range []string{".", "../csvdata", "../prep", "../nn", "../train", "../parallel", "../serve", "../tensor"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		require.NotEmpty(t, files)
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			require.NoError(t, err)
			ast.Inspect(f, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, err := strconv.Unquote(lit.Value)
					require.NoError(t, err)
					assert.False(t, flagLike.MatchString(s), "%s: %s names a flag", path, lit.Value)
				}
				return true
			})
		}
	}
}
