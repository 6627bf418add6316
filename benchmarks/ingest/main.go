// Command ingest compares densetrain's CSV reader with pandas.read_csv on
// the same file, in the same run: wall time of the parse, user and system
// CPU seconds and peak resident memory of a process that does only that,
// each side run -rounds times alternately (the medians are reported). It
// prints a Markdown table.
//
//	go run ./benchmarks/mnistcsv -dir /tmp/mnist
//	go run ./benchmarks/ingest -data /tmp/mnist/mnist_train.csv
//
// A gzipped file (name ending in .gz) is read as such by both sides:
// pandas infers the compression from the name. A side that fails, such as
// a reader that does not take the file's format, gets its error in its row
// of the table instead of numbers.
//
// The parse seconds are timed inside each child around the read call
// alone; the CPU seconds and peak RSS are the child process's, from its
// rusage, so they include starting the process (for pandas, importing it).
// MB/s counts the bytes of CSV text, after decompression. The memory
// yardstick is the float32 feature matrix after one-hot encoding, rows ×
// densetrain's matrix columns × 4 bytes; when densetrain fails on every
// run, its width is worked out from pandas' frame instead (a numeric
// column is one matrix column, a text column one per distinct value).
//
// pandas comes from Debian's python3-pandas and runs with /usr/bin/python3
// in the same environment.
//
// To see where densetrain's time goes, run one child by hand with a CPU
// profile or an execution trace of the read:
//
//	go build -o /tmp/ingest ./benchmarks/ingest
//	/tmp/ingest -child -data /tmp/mixed.csv -cpuprofile /tmp/cpu.prof -trace /tmp/trace.out
//	go tool pprof -top /tmp/ingest /tmp/cpu.prof
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/densetrain/densetrain/pkg/csvdata"
)

const python = "/usr/bin/python3"

// pandasScript prints "seconds rows columns version".
const pandasScript = `
import sys, time
import pandas as pd
t = time.perf_counter()
df = pd.read_csv(sys.argv[1])
print(time.perf_counter() - t, df.shape[0], df.shape[1], pd.__version__)
`

// widthScript prints "rows features targets" for the float32 matrix that
// one-hot encoding of the file gives, the last column being the target.
const widthScript = `
import sys
import pandas as pd
df = pd.read_csv(sys.argv[1])
w = sum(1 if pd.api.types.is_numeric_dtype(df[c]) else df[c].nunique() for c in df.columns[:-1])
print(df.shape[0], w, 1)
`

func main() {
	data := flag.String("data", "", "CSV file to parse, plain or gzipped (required)")
	rounds := flag.Int("rounds", 3, "runs of each side")
	child := flag.Bool("child", false, `internal: parse once and print "seconds rows features targets"`)
	cpuprofile := flag.String("cpuprofile", "", "with -child: write a CPU profile of the read to this file")
	traceOut := flag.String("trace", "", "with -child: write an execution trace of the read to this file")
	flag.Parse()
	if *data == "" || *rounds < 1 {
		fmt.Fprintln(os.Stderr, "ingest: -data is required, -rounds must be positive")
		os.Exit(2)
	}
	if *child {
		stop := profile(*cpuprofile, *traceOut)
		t := time.Now()
		tab, err := csvdata.Read[float32](*data, csvdata.Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		sec := time.Since(t).Seconds()
		stop()
		fmt.Println(sec, tab.X.Rows, tab.X.Cols, len(tab.Targets))
		return
	}
	self, err := os.Executable()
	if err != nil {
		fail(err)
	}
	st, err := os.Stat(*data)
	if err != nil {
		fail(err)
	}
	csvBytes, gz, err := textSize(*data)
	if err != nil {
		fail(err)
	}

	var dt, pd side
	for range *rounds {
		dt.run(self, "-child", "-data", *data)
		pd.run(python, "-c", pandasScript, *data)
	}

	// The yardstick: densetrain's matrix, or pandas' frame one-hot encoded.
	var rows, feats, targets int
	matrixFrom := "densetrain's matrix"
	if len(dt.runs) > 0 {
		f := dt.runs[0].out
		rows, feats, targets = atoi(f, 1), atoi(f, 2), atoi(f, 3)
	} else if len(pd.runs) > 0 {
		w := measure(python, "-c", widthScript, *data)
		if w.err != nil {
			fail(fmt.Errorf("working out the matrix width with pandas: %w", w.err))
		}
		rows, feats, targets = atoi(w.out, 0), atoi(w.out, 1), atoi(w.out, 2)
		matrixFrom = "pandas' frame one-hot encoded, as densetrain failed"
	}
	matrix := float64(rows) * float64(feats) * 4 / 1e6

	size := fmt.Sprintf("%.0f MB", float64(st.Size())/1e6)
	if gz {
		size = fmt.Sprintf("%.0f MB gzip, %.0f MB CSV", float64(st.Size())/1e6, float64(csvBytes)/1e6)
	}
	version := ""
	if len(pd.runs) > 0 && len(pd.runs[0].out) > 3 {
		version = " " + pd.runs[0].out[3]
	}
	fmt.Printf("%s (%s, %d rows × %d matrix columns after one-hot + %d target), %s, %d CPUs (GOMAXPROCS %d), pandas%s, median of %d alternating runs\n\n",
		*data, size, rows, feats, targets, time.Now().UTC().Format("2006-01-02"), runtime.NumCPU(), runtime.GOMAXPROCS(0), version, *rounds)
	fmt.Println("| reader | parse seconds | MB/s | speed-up vs pandas | user CPU s | sys CPU s | peak RSS MB | RSS / float32 matrix |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	mb := float64(csvBytes) / 1e6
	dt.row("densetrain csvdata (float32)", mb, pd, matrix)
	pd.row("pandas.read_csv", mb, pd, matrix)
	fmt.Printf("\nfloat32 feature matrix: %.0f MB (%s)\n", matrix, matrixFrom)
	if len(dt.runs) > 0 && len(pd.runs) > 0 {
		if pr := atoi(pd.runs[0].out, 1); pr != rows {
			fmt.Printf("\nwarning: pandas read %d rows, densetrain %d\n", pr, rows)
		}
	}
}

// side is one reader's runs: the successful ones, or the error that
// stopped it (a failure is not retried).
type side struct {
	runs []result
	err  error
}

func (s *side) run(name string, args ...string) {
	if s.err != nil {
		return
	}
	r := measure(name, args...)
	if r.err != nil {
		s.err = r.err
		return
	}
	s.runs = append(s.runs, r)
}

func (s *side) median(f func(result) float64) float64 {
	v := make([]float64, len(s.runs))
	for i, r := range s.runs {
		v[i] = f(r)
	}
	return median(v)
}

// row prints the side's line of the table; pandas is the side to compare
// with.
func (s *side) row(name string, mb float64, pandas side, matrix float64) {
	if len(s.runs) == 0 {
		fmt.Printf("| %s | failed: %s | | | | | | |\n", name, cell(s.err.Error()))
		return
	}
	sec := s.median(func(r result) float64 { return r.sec })
	speedup := "–"
	if len(pandas.runs) > 0 {
		speedup = fmt.Sprintf("%.1f×", pandas.median(func(r result) float64 { return r.sec })/sec)
	}
	rss := s.median(func(r result) float64 { return r.rss })
	ratio := "–"
	if matrix > 0 {
		ratio = fmt.Sprintf("%.2f", rss/matrix)
	}
	fmt.Printf("| %s | %.3f | %.0f | %s | %.2f | %.2f | %.0f | %s |\n", name, sec, mb/sec, speedup,
		s.median(func(r result) float64 { return r.user }),
		s.median(func(r result) float64 { return r.sys }), rss, ratio)
	if s.err != nil {
		fmt.Printf("| %s, a later run | failed: %s | | | | | | |\n", name, cell(s.err.Error()))
	}
}

// result is one run of a child: the fields it printed, the first being
// seconds, its CPU time and its peak resident set size in MB.
type result struct {
	out            []string
	sec            float64
	user, sys, rss float64
	err            error
}

// measure runs a command that prints its parse seconds first.
func measure(name string, args ...string) result {
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return result{err: fmt.Errorf("%s: %w: %s", filepath.Base(name), err, lastLine(stderr.String()))}
	}
	r := result{out: strings.Fields(string(out))}
	if len(r.out) < 3 {
		return result{err: fmt.Errorf("%s printed %q", name, out)}
	}
	if r.sec, err = strconv.ParseFloat(r.out[0], 64); err != nil {
		return result{err: fmt.Errorf("%s printed %q", name, out)}
	}
	ps := cmd.ProcessState
	r.user, r.sys = ps.UserTime().Seconds(), ps.SystemTime().Seconds()
	r.rss = float64(ps.SysUsage().(*syscall.Rusage).Maxrss) * 1024 / 1e6 // Maxrss is in KiB on Linux
	return r
}

// textSize returns the bytes of CSV text in the file at path, decompressed
// when it is gzipped, and whether it is.
func textSize(path string) (int64, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	b := bufio.NewReaderSize(f, 1<<20)
	magic, _ := b.Peek(2)
	if !bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		st, err := f.Stat()
		if err != nil {
			return 0, false, err
		}
		return st.Size(), false, nil
	}
	z, err := gzip.NewReader(b)
	if err != nil {
		return 0, true, err
	}
	n, err := io.Copy(io.Discard, z)
	if err != nil {
		return 0, true, fmt.Errorf("%s: %w", path, err)
	}
	return n, true, nil
}

// lastLine returns the last non-blank line of s (a Python traceback ends
// with the exception), shortened to fit a table cell.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	l := strings.TrimSpace(lines[len(lines)-1])
	if r := []rune(l); len(r) > 300 {
		l = string(r[:300]) + "…"
	}
	return l
}

// cell makes text safe for a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func atoi(f []string, i int) int {
	if i >= len(f) {
		return 0
	}
	n, _ := strconv.Atoi(f[i])
	return n
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[len(s)/2]
}

// profile starts a CPU profile and an execution trace when their files
// are named, and returns the function that stops them.
func profile(cpu, tr string) func() {
	var stops []func()
	for _, p := range []struct {
		path  string
		start func(io.Writer) error
		stop  func()
	}{
		{cpu, pprof.StartCPUProfile, pprof.StopCPUProfile},
		{tr, trace.Start, trace.Stop},
	} {
		if p.path == "" {
			continue
		}
		f, err := os.Create(p.path)
		if err != nil {
			fail(err)
		}
		if err := p.start(f); err != nil {
			fail(err)
		}
		stops = append(stops, func() { p.stop(); f.Close() })
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "ingest:", err)
	os.Exit(1)
}
