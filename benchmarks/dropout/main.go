// Command dropout trains the dropout MLP recipe on MNIST with densetrain's
// CLI and with PyTorch, side by side in one run on the same machine, and
// prints a Markdown table of the test accuracy each reaches and the
// training time it takes to get there.
//
// The recipe, the same on both sides: 784-1024-1024-10, ReLU, dropout 0.2
// on the input pixels and 0.5 after each hidden layer, softmax
// cross-entropy, Adam (lr 0.001, Keras' ε 1e-7), batch 128 reshuffled every
// epoch, Glorot-uniform weights and zero biases, inputs min-max scaled into
// [0, 1] with the training set's per-column minimum and range (a constant
// column maps to 0, as scikit-learn's MinMaxScaler), -epochs epochs, no
// early stopping.
//
//   - densetrain: the CLI binary -train-bin (default: built from ./cmd/train
//     into a temporary directory) runs
//     train fit --input-dropout 0.2 --dropout 0.5 --val TEST --history H.jsonl …
//     with the test file as validation data, so its history holds the test
//     accuracy after every epoch ("val_accuracy") and the training seconds
//     of every epoch ("train_seconds"); then train evaluate --json on the
//     test file gives the final test accuracy.
//   - PyTorch (Debian's python3-torch, -python): pytorch_dropout.py next to
//     this file prints the same per epoch as JSON lines.
//
// Training seconds count the training steps only, not the evaluations
// after each epoch. "Seconds to ≥ 98.4 %" is the training time summed up to
// the first epoch after which the test accuracy reaches 98.4 %. Both sides
// inherit this command's environment unchanged, OPENBLAS_* variables
// included, and get -threads workers or threads.
//
// Run it from the repository root:
//
//	go run ./benchmarks/mnistcsv -dir /tmp/mnist
//	go run ./benchmarks/dropout -train /tmp/mnist/mnist_train.csv -test /tmp/mnist/mnist_test.csv -epochs 25 -threads 2
//
// -train-bin picks a prebuilt densetrain binary (an OpenBLAS build, say),
// -extra adds flags to train fit ("-extra '--precision f64'"), and
// -skip-densetrain or -skip-pytorch leaves one side out. Progress goes to
// standard error, the report to standard output.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/densetrain/densetrain/benchmarks"
)

// thresholds are the test accuracies whose time to reach the report gives.
var thresholds = []float64{0.984, 0.988}

// result is one trainer's run.
type result struct {
	name     string
	seconds  []float64 // training seconds of each epoch
	accuracy []float64 // test accuracy after each epoch
	final    float64   // final test accuracy
	commands []string  // the commands run, as a shell would take them
	wall     float64   // wall-clock seconds of the whole run (loading and evaluation included)
	err      error
	note     string
}

func main() {
	train := flag.String("train", "", "training CSV, header pixel0,…,pixel783,label (required)")
	test := flag.String("test", "", "test CSV, same header (required); densetrain's validation data")
	epochs := flag.Int("epochs", 25, "epochs for both trainers")
	threads := flag.Int("threads", 2, "densetrain --workers and PyTorch threads")
	trainBin := flag.String("train-bin", "", "densetrain CLI binary (default: go build ./cmd/train into a temporary directory)")
	seed := flag.Uint64("seed", 1, "seed of both trainers")
	skipDense := flag.Bool("skip-densetrain", false, "leave densetrain out")
	skipTorch := flag.Bool("skip-pytorch", false, "leave PyTorch out")
	extra := flag.String("extra", "", "more flags for train fit, separated by spaces")
	schedule := flag.String("lr-schedule", "constant", "learning-rate schedule of both trainers: constant or cosine")
	python := flag.String("python", "/usr/bin/python3", "Python with torch, numpy and pandas")
	flag.Parse()
	if *train == "" || *test == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "dropout: -train and -test are required, and no arguments besides flags")
		flag.Usage()
		os.Exit(2)
	}
	if *epochs < 1 || *threads < 1 {
		fatal(errors.New("-epochs and -threads must be at least 1"))
	}
	tmp, err := os.MkdirTemp("", "dropout")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(tmp)

	var results []result
	if !*skipDense {
		bin := *trainBin
		var built string
		if bin == "" {
			bin = filepath.Join(tmp, "train")
			args := []string{"go", "build", "-o", bin, "./cmd/train"}
			built = shellJoin(args)
			fmt.Fprintln(os.Stderr, "+", built)
			if err := command(args...).Run(); err != nil {
				fatal(fmt.Errorf("%s: %w", built, err))
			}
		}
		r := densetrain(bin, tmp, *train, *test, *epochs, *threads, *seed, append([]string{"--lr-schedule", *schedule}, strings.Fields(*extra)...))
		if built != "" {
			r.commands = append([]string{built}, r.commands...)
		}
		results = append(results, r)
	}
	if !*skipTorch {
		results = append(results, pytorch(*python, *train, *test, *epochs, *threads, *seed, *schedule))
	}
	report(os.Stdout, results, *epochs, *threads)
	for _, r := range results {
		if r.err != nil {
			os.Exit(1)
		}
	}
}

// densetrain runs train fit with the test file as validation data, reads
// the history, and evaluates the saved model on the test file.
func densetrain(bin, tmp, train, test string, epochs, threads int, seed uint64, extra []string) (r result) {
	r.name = fmt.Sprintf("densetrain, %d worker(s)", threads)
	hist := filepath.Join(tmp, "history.jsonl")
	model := filepath.Join(tmp, "model.safetensors")
	fit := []string{bin, "fit", "--data", train, "--target", "label", "--hidden", "1024,1024",
		"--input-dropout", "0.2", "--dropout", "0.5", "--optimizer", "adam", "--lr", "0.001",
		"--batch", "128", "--epochs", strconv.Itoa(epochs), "--scale", "minmax", "--patience", "0",
		"--val", test, "--history", hist, "--out", model, "--label-smoothing", "0", // PyTorch's recipe: plain cross-entropy
		"--workers", strconv.Itoa(threads), "--seed", strconv.FormatUint(seed, 10)}
	fit = append(fit, extra...)
	eval := []string{bin, "evaluate", "--model", model, "--data", test, "--json"}
	r.commands = []string{shellJoin(fit), shellJoin(eval)}
	start := time.Now()
	defer func() { r.wall = time.Since(start).Seconds() }()

	fmt.Fprintln(os.Stderr, "+", r.commands[0])
	cmd := command(fit...)
	cmd.Stdout = os.Stderr // the last epoch's line; the report owns stdout
	if err := cmd.Run(); err != nil {
		r.err = fmt.Errorf("train fit: %w", err)
		return r
	}
	if r.err = readHistory(hist, &r); r.err != nil {
		return r
	}

	fmt.Fprintln(os.Stderr, "+", r.commands[1])
	out, err := command(eval...).Output()
	if err != nil {
		r.err = fmt.Errorf("train evaluate: %w", err)
		return r
	}
	var ev struct {
		Accuracy *float64 `json:"accuracy"`
		Loss     *float64 `json:"loss"`
	}
	if err := json.Unmarshal(out, &ev); err != nil || ev.Accuracy == nil {
		r.err = fmt.Errorf("train evaluate --json printed %q, want an object with \"accuracy\"", bytes.TrimSpace(out))
		return r
	}
	r.final = *ev.Accuracy
	if last := r.accuracy[len(r.accuracy)-1]; math.Abs(last-r.final) > 1e-9 {
		r.note = fmt.Sprintf("densetrain: the history's last val_accuracy %.4f differs from train evaluate's %.4f", last, r.final)
	}
	return r
}

// readHistory reads a .jsonl history of train fit: one object per epoch
// with "epoch", "train_seconds" and "val_accuracy".
func readHistory(path string, r *result) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e struct {
			Epoch        *int     `json:"epoch"`
			TrainSeconds *float64 `json:"train_seconds"`
			ValAccuracy  *float64 `json:"val_accuracy"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if e.Epoch == nil || e.TrainSeconds == nil || e.ValAccuracy == nil {
			return fmt.Errorf("%s:%d: want \"epoch\", \"train_seconds\" and \"val_accuracy\" in %s", path, line, sc.Bytes())
		}
		r.seconds, r.accuracy = append(r.seconds, *e.TrainSeconds), append(r.accuracy, *e.ValAccuracy)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(r.accuracy) == 0 {
		return fmt.Errorf("%s: no epochs", path)
	}
	return nil
}

// pytorch runs pytorch_dropout.py, which prints one JSON line per epoch.
func pytorch(python, train, test string, epochs, threads int, seed uint64, schedule string) (r result) {
	r.name = fmt.Sprintf("PyTorch, %d thread(s)", threads)
	script, err := scriptPath("pytorch_dropout.py")
	if err != nil {
		r.err = err
		return r
	}
	args := []string{python, script, "--train", train, "--test", test, "--epochs", strconv.Itoa(epochs),
		"--threads", strconv.Itoa(threads), "--seed", strconv.FormatUint(seed, 10), "--lr-schedule", schedule}
	r.commands = []string{shellJoin(args)}
	start := time.Now()
	defer func() { r.wall = time.Since(start).Seconds() }()

	fmt.Fprintln(os.Stderr, "+", r.commands[0])
	cmd := command(args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		r.err = err
		return r
	}
	if err := cmd.Start(); err != nil {
		r.err = err
		return r
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		fmt.Fprintln(os.Stderr, sc.Text()) // progress
		var e struct {
			Epoch        *int     `json:"epoch"`
			TrainSeconds *float64 `json:"train_seconds"`
			TestAccuracy *float64 `json:"test_accuracy"`
		}
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Epoch != nil && e.TrainSeconds != nil && e.TestAccuracy != nil {
			r.seconds, r.accuracy = append(r.seconds, *e.TrainSeconds), append(r.accuracy, *e.TestAccuracy)
		}
	}
	io.Copy(io.Discard, stdout) // after a scanner error, let the script finish
	if err := cmd.Wait(); err != nil {
		r.err = fmt.Errorf("pytorch_dropout.py: %w", err)
		return r
	}
	if len(r.accuracy) == 0 {
		r.err = errors.New("pytorch_dropout.py printed no epochs")
		return r
	}
	r.final = r.accuracy[len(r.accuracy)-1]
	return r
}

// scriptPath finds a file of this directory: under the working directory
// (the repository root) or next to this source file.
func scriptPath(name string) (string, error) {
	p := filepath.Join("benchmarks", "dropout", name)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	if _, src, _, ok := runtime.Caller(0); ok {
		q := filepath.Join(filepath.Dir(src), name)
		if _, err := os.Stat(q); err == nil {
			return q, nil
		}
	}
	return "", fmt.Errorf("%s not found: run from the repository root", p)
}

func report(w io.Writer, results []result, epochs, threads int) {
	fmt.Fprintf(w, "# Dropout MLP on MNIST: densetrain vs PyTorch\n\n")
	fmt.Fprintf(w, "784-1024-1024-10, ReLU, dropout 0.2 on the inputs and 0.5 after each hidden layer, Adam lr 0.001 (ε 1e-7), batch 128, min-max scaling, %d epochs, %d worker(s)/thread(s).\n\n", epochs, threads)
	fmt.Fprintf(w, "- date: %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "- nproc: %s\n", nproc())
	fmt.Fprintf(w, "- CPU: %s\n", cpuModel())
	fmt.Fprintf(w, "- environment: %s\n\n", benchmarks.OpenBLASEnv())

	header := "| trainer | epochs | final test accuracy | best test accuracy (epoch) | training seconds in all | seconds to the best"
	sep := "|---|---|---|---|---|---"
	for _, t := range thresholds {
		header += fmt.Sprintf(" | seconds to ≥ %.1f %%", 100*t)
		sep += "|---"
	}
	fmt.Fprintln(w, header+" |")
	fmt.Fprintln(w, sep+"|")
	for _, r := range results {
		if r.err != nil {
			fmt.Fprintf(w, "| %s | failed: %s |%s\n", r.name, strings.ReplaceAll(r.err.Error(), "|", `\|`), strings.Repeat(" |", 4+len(thresholds)))
			continue
		}
		best, bestAt, total := -1.0, 0, 0.0
		cum := make([]float64, len(r.seconds))
		for i, s := range r.seconds {
			total += s
			cum[i] = total
			if r.accuracy[i] > best {
				best, bestAt = r.accuracy[i], i
			}
		}
		row := fmt.Sprintf("| %s | %d | %.2f %% | %.2f %% (%d) | %.1f | %.1f", r.name, len(r.seconds),
			100*r.final, 100*best, bestAt+1, total, cum[bestAt])
		for _, t := range thresholds {
			cell := "—"
			for i, a := range r.accuracy {
				if a >= t {
					cell = fmt.Sprintf("%.1f (epoch %d)", cum[i], i+1)
					break
				}
			}
			row += " | " + cell
		}
		fmt.Fprintln(w, row+" |")
	}

	fmt.Fprintln(w, "\nCommands run (from the repository root):")
	fmt.Fprintln(w, "\n```")
	for _, r := range results {
		fmt.Fprintf(w, "# %s (%.1f s wall, loading and evaluations included)\n", r.name, r.wall)
		for _, c := range r.commands {
			fmt.Fprintln(w, c)
		}
	}
	fmt.Fprintln(w, "```")
	for _, r := range results {
		if r.note != "" {
			fmt.Fprintf(w, "\nNote: %s\n", r.note)
		}
	}
}

// nproc is what nproc(1) prints: the CPUs this process may use.
func nproc() string {
	if out, err := exec.Command("nproc").Output(); err == nil {
		return strings.TrimSpace(string(out))
	}
	return strconv.Itoa(runtime.NumCPU())
}

// cpuModel is the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// command runs with this process's environment and standard error.
func command(args ...string) *exec.Cmd {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	return cmd
}

// shellJoin quotes the arguments that a POSIX shell would split or expand.
func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./,=:+@%") == "" {
			q[i] = a
		} else {
			q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(q, " ")
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "dropout:", err)
	os.Exit(1)
}
