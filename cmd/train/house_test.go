package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// floors are the rooms of the house (docs/design.md), from the bottom up:
// a package may import packages of this module on lower floors only, but
// that internal packages may import each other (Go refuses a cycle).
// Internal packages are one floor above pkg/tensor; a package's own
// subpackages, such as pkg/nn/nntest, are above it.
var floors = [][]string{
	{"pkg/tensor"},
	{"internal/"},
	{"pkg/csvdata", "pkg/nn", "pkg/parallel"},
	{"pkg/nn/", "pkg/prep", "pkg/cache"},
	{"pkg/train"},
	{"pkg/tabular"},
	{"pkg/serve"},
	{"cmd/", "benchmarks"},
	{"benchmarks/"},
}

// floorOf returns the floor of a package path (relative to the module).
func floorOf(pkg string) int {
	best, floor := "", -1
	for f, rooms := range floors {
		for _, r := range rooms {
			if (pkg == r || strings.HasSuffix(r, "/") && strings.HasPrefix(pkg, r)) && len(r) > len(best) {
				best, floor = r, f
			}
		}
	}
	return floor
}

// TestTheHouse: no package imports one above it (nor one beside it, on
// its floor), and pkg/nn depends on nothing of this module but pkg/tensor
// and internal packages — go list's view, test files left out.
func TestTheHouse(t *testing.T) {
	const mod = "github.com/densetrain/densetrain/"
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", mod+"...").Output()
	require.NoError(t, err)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], mod)
		f := floorOf(pkg)
		require.GreaterOrEqual(t, f, 0, "%s is on no floor of the house", pkg)
		for _, imp := range fields[1:] {
			if !strings.HasPrefix(imp, mod) {
				continue
			}
			dep := strings.TrimPrefix(imp, mod)
			if strings.HasPrefix(pkg, "internal/") && strings.HasPrefix(dep, "internal/") {
				continue
			}
			assert.Less(t, floorOf(dep), f, "%s imports %s, which is not below it", pkg, dep)
		}
	}
	out, err = exec.Command("go", "list", "-deps", mod+"pkg/nn").Output()
	require.NoError(t, err)
	for _, dep := range strings.Fields(string(out)) {
		if rel, ok := strings.CutPrefix(dep, mod); ok && rel != "pkg/nn" {
			assert.True(t, rel == "pkg/tensor" || strings.HasPrefix(rel, "internal/"), "pkg/nn depends on %s", rel)
		}
	}
}
