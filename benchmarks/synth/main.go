// Command synth writes a synthetic regression CSV for the large-data test:
// rows × cols standard-normal features and a target made by a fixed
// teacher network (cols → 32 tanh → 1) plus Gaussian noise, so that the
// best possible RMSE is the noise's standard deviation.
//
//	go run ./benchmarks/synth -rows 1000000 -out /tmp/synth_train.csv
//	go run ./benchmarks/synth -rows 100000 -seed 2 -out /tmp/synth_test.csv
//
// The teacher depends only on -teacher and -cols; -seed draws the rows.
// The file is written to a temporary name and renamed.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"

	"github.com/densetrain/densetrain/internal/atomicfile"
)

const hidden = 32

func main() {
	rows := flag.Int("rows", 1_000_000, "rows to write")
	cols := flag.Int("cols", 100, "feature columns")
	noise := flag.Float64("noise", 0.1, "standard deviation of the target noise")
	teacherSeed := flag.Uint64("teacher", 1, "seed of the teacher network")
	seed := flag.Uint64("seed", 1, "seed of the rows")
	out := flag.String("out", "", "the CSV file to write (required)")
	flag.Parse()
	if *out == "" || *rows < 1 || *cols < 1 || *noise < 0 {
		fmt.Fprintln(os.Stderr, "synth: -out is required; -rows and -cols must be positive, -noise not negative")
		os.Exit(2)
	}
	t := rand.New(rand.NewPCG(*teacherSeed, 7))
	w1 := make([]float64, *cols*hidden)
	for i := range w1 {
		w1[i] = t.NormFloat64() / math.Sqrt(float64(*cols))
	}
	w2 := make([]float64, hidden)
	for i := range w2 {
		w2[i] = t.NormFloat64() / math.Sqrt(hidden)
	}
	r := rand.New(rand.NewPCG(*seed, 8))
	err := atomicfile.Write(*out, func(f io.Writer) error {
		w := bufio.NewWriterSize(f, 1<<20)
		for j := range *cols {
			w.WriteString("x" + strconv.Itoa(j) + ",")
		}
		w.WriteString("y\n")
		x := make([]float64, *cols)
		var buf []byte
		for range *rows {
			for j := range x {
				v := float32(r.NormFloat64()) // written exactly: the teacher sees what the file holds
				x[j] = float64(v)
				buf = strconv.AppendFloat(buf[:0], x[j], 'g', -1, 32)
				buf = append(buf, ',')
				w.Write(buf)
			}
			var y float64
			for h := range hidden {
				var z float64
				for j, v := range x {
					z += v * w1[j*hidden+h]
				}
				y += math.Tanh(z) * w2[h]
			}
			y += *noise * r.NormFloat64()
			buf = strconv.AppendFloat(buf[:0], y, 'g', 7, 64)
			buf = append(buf, '\n')
			w.Write(buf)
		}
		return w.Flush()
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		os.Exit(1)
	}
}
