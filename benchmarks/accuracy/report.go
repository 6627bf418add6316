package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"runtime"
	"strings"
	"time"
)

// row is one dataset's results over all splits.
type row struct {
	name, task, metric string
	rows               int      // data records in the file
	dense, sk          []result // per split
}

// report prints the header lines, the Markdown table and the notes.
func report(w io.Writer, o options, rows []row, notes []string) {
	fmt.Fprintln(w, "# densetrain (defaults) vs scikit-learn: hold-out scores")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "- date: %s\n", time.Now().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "- machine: %s, %s, %d CPUs\n", uname(), cpuModel(), runtime.NumCPU())
	fmt.Fprintf(w, "- command: `%s`\n", commandLine())
	bin := o.train
	if o.built {
		bin = "go build ./cmd/train"
	}
	fmt.Fprintf(w, "- densetrain: %s%s, `train fit` defaults", bin, gitCommit())
	if o.extra != "" {
		fmt.Fprintf(w, " plus `%s`", o.extra)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "- scikit-learn: %s (%s), sklearn_ref.py", pythonVersions(o.python), o.python)
	if o.skExtra != "" {
		fmt.Fprintf(w, " `%s`", o.skExtra)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "- %d splits (75/25, seed %d + k), mean ± sample std; fit s: densetrain's whole `train fit` process, scikit-learn's final pipeline fit on the training rows (its cross-validation not counted)\n",
		o.splits, o.seed)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| dataset | rows | task | metric | densetrain mean ± std | scikit-learn mean ± std | Δ | densetrain fit s | sklearn fit s |")
	fmt.Fprintln(w, "|---|---:|---|---|---|---|---:|---:|---:|")
	for _, r := range rows {
		metric := "accuracy"
		if r.metric == "r2" {
			metric = "R²"
		}
		delta := "—"
		dm, _, dn := stats(r.dense, false)
		sm, _, sn := stats(r.sk, false)
		if dn > 0 && sn > 0 {
			delta = fmt.Sprintf("%+.3f", dm-sm)
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", r.name, r.rows, r.task, metric,
			cell(r.dense), cell(r.sk), delta, seconds(r.dense), seconds(r.sk))
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Data:")
		fmt.Fprintln(w)
		for _, n := range notes {
			fmt.Fprintf(w, "- %s\n", n)
		}
	}
}

// stats returns the mean and sample standard deviation of the successful
// results' scores (or training seconds), and how many there were.
func stats(rs []result, secs bool) (mean, std float64, n int) {
	var xs []float64
	for _, r := range rs {
		if r.err == "" {
			if secs {
				xs = append(xs, r.seconds)
			} else {
				xs = append(xs, r.score)
			}
		}
	}
	if len(xs) == 0 {
		return 0, 0, 0
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) > 1 {
		for _, x := range xs {
			std += (x - mean) * (x - mean)
		}
		std = math.Sqrt(std / float64(len(xs)-1))
	}
	return mean, std, len(xs)
}

// cell formats a tool's scores: mean ± std, or its first error line, and
// how many splits failed when only some did.
func cell(rs []result) string {
	mean, std, n := stats(rs, false)
	firstErr := ""
	for _, r := range rs {
		if r.err != "" {
			firstErr = "error: " + r.err
			break
		}
	}
	switch {
	case n == 0:
		return escape(firstErr)
	case n < len(rs):
		return escape(fmt.Sprintf("%.3f ± %.3f (%d of %d splits failed: %s)", mean, std, len(rs)-n, len(rs), firstErr))
	default:
		return fmt.Sprintf("%.3f ± %.3f", mean, std)
	}
}

// seconds formats the mean training time of the successful splits.
func seconds(rs []result) string {
	mean, _, n := stats(rs, true)
	if n == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", mean)
}

// escape makes s safe inside a Markdown table cell.
func escape(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// shellSafe matches arguments that need no quoting in a shell.
var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./=:,+@-]+$`)

// commandLine returns the command that produced the report.
func commandLine() string {
	parts := []string{"go run ./benchmarks/accuracy"}
	for _, a := range os.Args[1:] {
		if !shellSafe.MatchString(a) {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

// uname returns `uname -m`.
func uname() string {
	out, _, err := execute("uname", "-m")
	if err != nil {
		return runtime.GOARCH
	}
	return strings.TrimSpace(string(out))
}

// cpuModel returns the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// gitCommit returns " (commit …)" for the repository's HEAD, or "".
func gitCommit() string {
	out, _, err := executeIn(repoRoot(), "git", "rev-parse", "--short", "HEAD")
	if err != nil {
		return ""
	}
	return " (work tree at commit " + strings.TrimSpace(string(out)) + ")"
}

// pythonVersions returns the versions of scikit-learn, pandas, NumPy and
// Python.
func pythonVersions(python string) string {
	out, stderr, err := execute(python, "-c",
		"import sys, sklearn, pandas, numpy; print('scikit-learn %s, pandas %s, NumPy %s, Python %s' % "+
			"(sklearn.__version__, pandas.__version__, numpy.__version__, sys.version.split()[0]))")
	if err != nil {
		return "not importable: " + errorLine(stderr, err, true)
	}
	return strings.TrimSpace(string(out))
}
