// Command synth writes a synthetic regression CSV for the large-data test:
// rows × cols standard-normal features and a target made by a fixed
// teacher network (features → 32 tanh → 1) plus Gaussian noise, so that the
// best possible RMSE is the noise's standard deviation.
//
//	go run ./benchmarks/synth -rows 1000000 -out /tmp/synth_train.csv
//	go run ./benchmarks/synth -rows 100000 -seed 2 -out /tmp/synth_test.csv
//
// A messy mixed file, for the ingest benchmark, adds -text columns of
// category strings placed among the numeric ones, leaves a -missing
// fraction of the feature cells empty, and may be gzipped (-gzip, or an
// -out ending in .gz):
//
//	go run ./benchmarks/synth -rows 1000000 -cols 20 -text 3 -missing 0.05 -out /tmp/mixed.csv
//	go run ./benchmarks/synth -rows 1000000 -cols 20 -text 3 -missing 0.05 -out /tmp/mixed.csv.gz
//
// Text column tK draws from a fixed vocabulary, in turn 4 colours, 12 city
// names and 50 codes cat00…cat49 (t3 colours again, and so on), with a
// skewed (Zipf, s = 1) distribution: the first value is the most common.
// The teacher sees the one-hot encoding of each text value and counts a
// missing number as 0 and a missing text as no category. The target is
// never missing.
//
// The teacher depends only on -teacher, -cols and -text; -seed draws the
// rows: the numbers from one source, the text values from a second and the
// missing cells from a third, so -missing only blanks cells (and changes
// the target accordingly) and -text only adds columns. With the defaults
// (-text 0 -missing 0) the output is the same as before these flags.
// The file is written to a temporary name and renamed.
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/densetrain/densetrain/internal/atomicfile"
)

const hidden = 32

// vocabularies are the text columns' values, used in turn: t0 gets the
// first, t1 the second, t3 the first again.
var vocabularies = [][]string{
	{"red", "green", "blue", "yellow"},
	{"London", "Paris", "New York", "Tokyo", "São Paulo", "Berlin",
		"Madrid", "Toronto", "Sydney", "Mumbai", "Los Angeles", "Rotterdam"},
	codes("cat", 50),
}

func codes(prefix string, n int) []string {
	v := make([]string, n)
	for i := range v {
		v[i] = fmt.Sprintf("%s%02d", prefix, i)
	}
	return v
}

// textColumn is one text feature: its vocabulary and the cumulative Zipf
// weights to draw from it.
type textColumn struct {
	values []string
	cum    []float64
}

func newTextColumn(values []string) textColumn {
	c := textColumn{values: values, cum: make([]float64, len(values))}
	var s float64
	for i := range values {
		s += 1 / float64(i+1)
		c.cum[i] = s
	}
	for i := range c.cum {
		c.cum[i] /= s
	}
	return c
}

// draw returns the index of a value.
func (c textColumn) draw(r *rand.Rand) int {
	i, _ := slices.BinarySearch(c.cum, r.Float64())
	return min(i, len(c.cum)-1)
}

func main() {
	rows := flag.Int("rows", 1_000_000, "rows to write")
	cols := flag.Int("cols", 100, "numeric feature columns")
	text := flag.Int("text", 0, "text (categorical) feature columns, placed among the numeric ones")
	missing := flag.Float64("missing", 0, "fraction of feature cells left empty, drawn per cell")
	gz := flag.Bool("gzip", false, "gzip the output (implied by an -out ending in .gz)")
	noise := flag.Float64("noise", 0.1, "standard deviation of the target noise")
	teacherSeed := flag.Uint64("teacher", 1, "seed of the teacher network")
	seed := flag.Uint64("seed", 1, "seed of the rows")
	out := flag.String("out", "", "the CSV file to write (required)")
	flag.Parse()
	if *out == "" || *rows < 1 || *cols < 1 || *text < 0 || *noise < 0 || !(*missing >= 0 && *missing <= 1) {
		fmt.Fprintln(os.Stderr, "synth: -out is required; -rows and -cols must be positive, -text and -noise not negative, -missing in [0, 1]")
		os.Exit(2)
	}
	*gz = *gz || strings.HasSuffix(*out, ".gz")
	err := atomicfile.Write(*out, func(f io.Writer) error {
		if !*gz {
			return write(f, *rows, *cols, *text, *missing, *noise, *teacherSeed, *seed)
		}
		z := gzip.NewWriter(f)
		if err := write(z, *rows, *cols, *text, *missing, *noise, *teacherSeed, *seed); err != nil {
			return err
		}
		return z.Close()
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		os.Exit(1)
	}
}

// write writes the header and the rows to f.
func write(f io.Writer, rows, cols, text int, missing, noise float64, teacherSeed, seed uint64) error {
	t := rand.New(rand.NewPCG(teacherSeed, 7))
	w1 := make([]float64, cols*hidden)
	for i := range w1 {
		w1[i] = t.NormFloat64() / math.Sqrt(float64(cols))
	}
	w2 := make([]float64, hidden)
	for i := range w2 {
		w2[i] = t.NormFloat64() / math.Sqrt(hidden)
	}
	// Each text column's one-hot weights, drawn after the numeric ones so
	// that those do not depend on -text; scaled like one numeric column.
	texts := make([]textColumn, text)
	wt := make([][]float64, text)
	for k := range texts {
		texts[k] = newTextColumn(vocabularies[k%len(vocabularies)])
		wt[k] = make([]float64, len(texts[k].values)*hidden)
		for i := range wt[k] {
			wt[k][i] = t.NormFloat64() / math.Sqrt(float64(cols))
		}
	}
	// isText[p] is the text column at feature position p, or −1: text
	// column k goes to position ⌊(k+1)·F/(text+1)⌋ of the F features,
	// spread among the numeric ones.
	nf := cols + text
	isText := make([]int, nf)
	for p := range isText {
		isText[p] = -1
	}
	for k := range text {
		isText[(k+1)*nf/(text+1)] = k
	}

	r := rand.New(rand.NewPCG(seed, 8))  // numbers and noise
	c := rand.New(rand.NewPCG(seed, 9))  // text values
	m := rand.New(rand.NewPCG(seed, 10)) // missing cells

	w := bufio.NewWriterSize(f, 1<<20)
	var buf []byte
	num := 0
	for _, k := range isText {
		if k >= 0 {
			buf = append(buf, "t"+strconv.Itoa(k)+","...)
		} else {
			buf = append(buf, "x"+strconv.Itoa(num)+","...)
			num++
		}
	}
	buf = append(buf, "y\n"...)
	w.Write(buf)
	x := make([]float64, cols)
	cat := make([]int, text) // the value drawn, −1 when missing
	z := make([]float64, hidden)
	for range rows {
		buf, num = buf[:0], 0
		for _, k := range isText {
			if k >= 0 {
				cat[k] = texts[k].draw(c)
				if missing > 0 && m.Float64() < missing {
					cat[k] = -1
				} else {
					buf = append(buf, texts[k].values[cat[k]]...)
				}
			} else {
				v := float32(r.NormFloat64()) // written exactly: the teacher sees what the file holds
				if missing > 0 && m.Float64() < missing {
					x[num] = 0
				} else {
					x[num] = float64(v)
					buf = strconv.AppendFloat(buf, x[num], 'g', -1, 32)
				}
				num++
			}
			buf = append(buf, ',')
		}
		clear(z)
		for j, v := range x {
			for h := range hidden {
				z[h] += v * w1[j*hidden+h]
			}
		}
		for k, i := range cat {
			if i >= 0 {
				for h := range hidden {
					z[h] += wt[k][i*hidden+h]
				}
			}
		}
		var y float64
		for h := range hidden {
			y += math.Tanh(z[h]) * w2[h]
		}
		y += noise * r.NormFloat64()
		buf = strconv.AppendFloat(buf, y, 'g', 7, 64)
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return w.Flush()
}
