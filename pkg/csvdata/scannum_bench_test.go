package csvdata

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

var benchRec = []byte("0.37792525,-0.062018212,1.4753368,1.5622787,-1.0028355,1.2398685,-0.68415433,-0.018636689,2.0612197,-0.3139443")

func BenchmarkScanNumber(b *testing.B) {
	var s float64
	for b.Loop() {
		i := 0
		for i < len(benchRec) {
			x, end, _ := scanNumber(benchRec, i, ',')
			s += x
			i = end + 1
		}
	}
	_ = s
}

func BenchmarkFastNumber(b *testing.B) {
	var s float64
	for b.Loop() {
		i := 0
		for i < len(benchRec) {
			end := fieldEnd(benchRec, i, ',')
			x, _ := fastNumber(benchRec[i:end])
			s += x
			i = end + 1
		}
	}
	_ = s
}

// benchNumbers is a long record of random float32 values as written by
// strconv (random signs and lengths, as in real files).
var benchNumbers = func() []byte {
	rng := rand.New(rand.NewPCG(3, 3))
	var b []byte
	for range 10000 {
		b = strconv.AppendFloat(b, float64(float32(rng.NormFloat64())), 'g', -1, 32)
		b = append(b, ',')
	}
	return append(b, make([]byte, 64)...)[:len(b)]
}()

func BenchmarkScanNumberRandom(b *testing.B) {
	var s float64
	b.SetBytes(int64(len(benchNumbers)))
	for b.Loop() {
		i := 0
		for i < len(benchNumbers) {
			x, end, _ := scanNumber(benchNumbers, i, ',')
			s += x
			i = end + 1
		}
	}
	_ = s
}
