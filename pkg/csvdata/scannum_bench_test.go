package csvdata

import "testing"

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
