package csvdata

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/internal/numscan"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// wideCSV makes a file of many columns as real wide tables have them:
// runs of numbers of every form (sparse zeros, integers, decimals, signs,
// exponents, missing cells and NA tokens, the odd stray text), text
// columns between the runs, a target last.
func wideCSV(rng *rand.Rand, rows int, sep byte, crlf bool) []byte {
	cols := 8 + rng.IntN(60)
	text := map[int]bool{}
	for range rng.IntN(4) {
		text[rng.IntN(cols)] = true
	}
	var b strings.Builder
	for c := range cols {
		fmt.Fprintf(&b, "c%d%c", c, sep)
	}
	b.WriteString("y\n")
	number := func() string {
		switch k := rng.IntN(40); {
		case k < 16:
			return "0"
		case k < 22:
			return fmt.Sprint(rng.IntN(256))
		case k < 30:
			return fmt.Sprintf("%.*f", rng.IntN(12), rng.NormFloat64()*math.Pow(10, float64(rng.IntN(8))))
		case k < 33:
			return fmt.Sprint(float32(rng.NormFloat64()))
		case k < 35:
			return fmt.Sprintf("%g", rng.NormFloat64()*1e-7)
		case k == 35:
			return ""
		case k == 36:
			return "NA"
		case k == 37:
			return "-0"
		case k == 38:
			return fmt.Sprint(rng.Uint64() >> rng.IntN(64))
		default:
			return "." + fmt.Sprint(rng.IntN(1000))
		}
	}
	for range rows {
		for c := range cols {
			if text[c] {
				b.WriteString([]string{"red", "green", "", "blue"}[rng.IntN(4)])
			} else {
				b.WriteString(number())
			}
			b.WriteByte(sep)
		}
		b.WriteString(fmt.Sprint(rng.IntN(3)))
		if crlf {
			b.WriteByte('\r')
		}
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// sameRead reads data with and without numscan's kernels and fails unless
// both give the same error or tables with the same bits.
func sameRead[T tensor.Float](t *testing.T, name string, data []byte, opt Options) {
	t.Helper()
	read := func(kernels bool) (*Table[T], error) {
		defer func(old bool) { useNumscan = old }(useNumscan)
		useNumscan = kernels
		return ReadBytes[T](context.Background(), name, data, opt)
	}
	a, errA := read(true)
	b, errB := read(false)
	if fmt.Sprint(errA) != fmt.Sprint(errB) {
		t.Fatalf("%s: with the kernels %v, without %v", name, errA, errB)
	}
	if errA != nil {
		return
	}
	if len(a.X.Data) != len(b.X.Data) {
		t.Fatalf("%s: %d values with the kernels, %d without", name, len(a.X.Data), len(b.X.Data))
	}
	for i := range a.X.Data {
		if math.Float64bits(float64(a.X.Data[i])) != math.Float64bits(float64(b.X.Data[i])) {
			t.Fatalf("%s: value %d (row %d): %v with the kernels, %v without", name, i, i/a.X.Cols, a.X.Data[i], b.X.Data[i])
		}
	}
	a.X.Data, b.X.Data = nil, nil
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("%s: tables differ beyond the matrix", name)
	}
}

// TestNumscanSameTables checks that the vector kernels change no bit of
// any table, nor any error, on the test files and on random wide ones.
func TestNumscanSameTables(t *testing.T) {
	if !numscan.Available {
		t.Skip("no vector kernels on this CPU or build")
	}
	files, _ := filepath.Glob("../../testdata/*.csv")
	bad, _ := filepath.Glob("../../testdata/bad/*.csv")
	for _, p := range append(files, bad...) {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sameRead[float32](t, p, data, Options{})
		sameRead[float64](t, p, data, Options{NA: []string{"?"}})
	}
	rng := rand.New(rand.NewPCG(5, 8))
	for k := range 60 {
		data := wideCSV(rng, 50+rng.IntN(400), ",;\t"[k%3], k%4 == 0)
		opt := Options{Workers: 1 + k%3, ChunkBytes: 1 << (10 + k%8)}
		name := fmt.Sprintf("wide%d.csv", k)
		sameRead[float32](t, name, data, opt)
		sameRead[float64](t, name, data, opt)
	}
}
