// Command ingest compares densetrain's CSV reader with pandas.read_csv on
// the same file, in the same run: wall time of the parse and peak resident
// memory of a process that does only that, each side run -rounds times
// alternately (the median is reported). It prints a Markdown table.
//
//	go run ./benchmarks/mnistcsv -dir /tmp/mnist
//	go run ./benchmarks/ingest -data /tmp/mnist/mnist_train.csv
//
// pandas comes from Debian's python3-pandas and runs with /usr/bin/python3
// in the same environment.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/densetrain/densetrain/pkg/csvdata"
)

const pandasScript = `
import sys, time
import pandas as pd
t = time.perf_counter()
df = pd.read_csv(sys.argv[1])
print(time.perf_counter() - t, df.shape[0], df.shape[1])
`

func main() {
	data := flag.String("data", "", "CSV file to parse (required)")
	rounds := flag.Int("rounds", 3, "runs of each side")
	child := flag.Bool("child", false, "internal: parse once and print the seconds")
	flag.Parse()
	if *data == "" {
		fmt.Fprintln(os.Stderr, "ingest: -data is required")
		os.Exit(2)
	}
	if *child {
		t := time.Now()
		tab, err := csvdata.Read[float32](*data, csvdata.Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(time.Since(t).Seconds(), tab.X.Rows, tab.X.Cols+len(tab.Targets))
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
	var goSec, pySec, goRSS, pyRSS []float64
	var rows, cols int
	for range *rounds {
		s, r, c, rss := measure(self, "-child", "-data", *data)
		goSec, goRSS, rows, cols = append(goSec, s), append(goRSS, rss), r, c
		s, _, _, rss = measure("/usr/bin/python3", "-c", pandasScript, *data)
		pySec, pyRSS = append(pySec, s), append(pyRSS, rss)
	}
	mb := float64(st.Size()) / 1e6
	matrix := float64(rows*(cols-1)*4) / 1e6
	g, p := median(goSec), median(pySec)
	fmt.Printf("%s (%.0f MB, %d rows × %d columns), %s, median of %d alternating runs\n\n",
		*data, mb, rows, cols, time.Now().UTC().Format("2006-01-02"), *rounds)
	fmt.Println("| reader | parse seconds | MB/s | speed-up vs pandas | peak RSS MB | RSS / float32 matrix |")
	fmt.Println("|---|---|---|---|---|---|")
	fmt.Printf("| densetrain csvdata (float32) | %.3f | %.0f | %.1f× | %.0f | %.2f |\n", g, mb/g, p/g, median(goRSS), median(goRSS)/matrix)
	fmt.Printf("| pandas.read_csv | %.3f | %.0f | 1.0× | %.0f | %.2f |\n", p, mb/p, median(pyRSS), median(pyRSS)/matrix)
	fmt.Printf("\nfloat32 feature matrix: %.0f MB\n", matrix)
}

// measure runs a command that prints "seconds rows cols" and returns them
// with the process's peak resident set size in MB.
func measure(name string, args ...string) (float64, int, int, float64) {
	cmd := exec.Command(name, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		fail(fmt.Errorf("%s: %w", name, err))
	}
	f := strings.Fields(string(out))
	if len(f) < 3 {
		fail(fmt.Errorf("%s printed %q", name, out))
	}
	sec, _ := strconv.ParseFloat(f[0], 64)
	rows, _ := strconv.Atoi(f[1])
	cols, _ := strconv.Atoi(f[2])
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return sec, rows, cols, float64(ru.Maxrss) * 1024 / 1e6 // Maxrss is in KiB on Linux
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "ingest:", err)
	os.Exit(1)
}
