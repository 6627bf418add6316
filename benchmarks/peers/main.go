// Command peers trains the W1 workload on real MNIST with densetrain and
// its peers, on the same machine in one run, and prints a Markdown table.
//
//	go run ./benchmarks/mnistcsv -dir /tmp/mnist
//	go run ./benchmarks/peers -train /tmp/mnist/mnist_train.csv -test /tmp/mnist/mnist_test.csv
//
// Every side trains 784-256-128-10 (ReLU, softmax cross-entropy) with Adam
// (lr 1e-3, Keras' ε), batch 128, the same number of epochs, on inputs
// scaled the same way (min-max into [0, 1], densetrain's --scale minmax), in
// the same environment (OPENBLAS_* included, inherited by every side):
//   - densetrain, the default build (no cgo: internal/gemm's assembly
//     kernels, named by nn.BLASPath, or gonum's pure Go on CPUs without
//     AVX2+FMA) and the OpenBLAS build (-tags netlib), 1 and 2 workers,
//     float32 and float64, default layout;
//   - PyTorch CPU (Debian python3-torch, /usr/bin/python3), 1 and 2 threads;
//   - scikit-learn's MLPClassifier (Debian python3-sklearn).
//
// samples/s counts training steps only; the roofline is the measured
// single-thread GEMM rate of the build and precision (go test -bench GEMM)
// times the workers; "to 98 %" is the training time until the test accuracy
// after an epoch first reaches 98 %. The report names the OpenBLAS kernels
// (its "core") each side loaded: PyTorch and NumPy use Debian's OpenBLAS
// too, so OPENBLAS_CORETYPE moves every side.
package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/densetrain/densetrain/benchmarks"
	"github.com/densetrain/densetrain/pkg/nn"
)

// flopsPerSample is W1's training cost (see benchmarks.W1FlopsPerSample).
const flopsPerSample = 1007104

// run is one trainer's result.
type run struct {
	name     string
	seconds  []float64 // training seconds per epoch
	accuracy []float64 // test accuracy after each epoch
	roofline float64   // GFLOP/s, 0 when not measured
	samples  int       // training samples per epoch
}

func main() {
	train := flag.String("train", "", "mnist_train.csv (required)")
	test := flag.String("test", "", "mnist_test.csv (required)")
	epochs := flag.Int("epochs", 10, "epochs for every trainer")
	flag.Parse()
	if *train == "" || *test == "" {
		fmt.Fprintln(os.Stderr, "peers: -train and -test are required")
		os.Exit(2)
	}
	tmp, err := os.MkdirTemp("", "peers")
	check(err)
	defer os.RemoveAll(tmp)
	const rows = 60000
	var runs []run
	var cores []string
	for _, tag := range []string{"", "netlib"} {
		bin := filepath.Join(tmp, "train"+tag)
		build := "default (" + nn.BLASPath() + ")"
		if tag != "" {
			build = "OpenBLAS"
		}
		check(command("go", "build", "-tags="+tag, "-o", bin, "./cmd/train").Run())
		if tag != "" {
			cores = append(cores, "densetrain: "+openblasCore(bin, "help"))
		}
		roof := gemmRates(tag)
		for _, prec := range []string{"f32", "f64"} {
			for _, w := range []int{1, 2} {
				r := densetrain(bin, tmp, *train, *test, prec, w, *epochs)
				r.name = fmt.Sprintf("densetrain %s %s, %d worker(s)", build, prec, w)
				r.roofline, r.samples = roof[prec]*float64(w), rows
				runs = append(runs, r)
			}
		}
	}
	for _, threads := range []int{1, 2} {
		r := python("benchmarks/peers/pytorch_w1.py", *train, *test, *epochs, "--threads", strconv.Itoa(threads))
		r.name, r.samples = fmt.Sprintf("PyTorch f32, %d thread(s)", threads), rows
		runs = append(runs, r)
	}
	r := python("benchmarks/peers/sklearn_w1.py", *train, *test, *epochs)
	r.name, r.samples = "scikit-learn MLPClassifier", rows
	runs = append(runs, r)
	cores = append(cores, "PyTorch: "+openblasCore("/usr/bin/python3", "-c", "import torch"),
		"scikit-learn: "+openblasCore("/usr/bin/python3", "-c", "import sklearn.neural_network"))
	report(runs, *epochs, cores)
}

// openblasCore runs a command with OPENBLAS_VERBOSE=2, with which OpenBLAS
// names the kernels it picked for this CPU when it loads.
func openblasCore(name string, args ...string) string {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "OPENBLAS_VERBOSE=2")
	out, _ := cmd.CombinedOutput()
	if m := regexp.MustCompile(`Core: (\S+)`).FindSubmatch(out); m != nil {
		return "OpenBLAS " + string(m[1])
	}
	return "no OpenBLAS loaded"
}

func command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Stderr = os.Stderr
	return cmd
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "peers:", err)
		os.Exit(1)
	}
}

// gemmRates measures the single-thread GEMM rate (GFLOP/s, the faster of
// the raw and tiled paths) of a build, per precision.
func gemmRates(tag string) map[string]float64 {
	out, err := command("go", "test", "-tags="+tag, "-run", "^$", "-bench", "GEMM/.*/.*/rows=128", "-benchtime", "20x", "./benchmarks/").Output()
	check(err)
	rates := map[string]float64{}
	re := regexp.MustCompile(`BenchmarkGEMM/(f32|f64)/\w+/rows=128\S*\s.*\s([0-9.]+) GFLOP/s`)
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		rates[m[1]] = max(rates[m[1]], v)
	}
	return rates
}

// densetrain runs one fit with the test set as validation data and reads
// its history.
func densetrain(bin, tmp, train, test, prec string, workers, epochs int) run {
	hist := filepath.Join(tmp, "history.csv")
	check(command(bin, "fit", "--data", train, "--val", test, "--target", "label", "--hidden", "256,128",
		"--activation", "relu", "--optimizer", "adam", "--lr", "0.001", "--epochs", strconv.Itoa(epochs),
		"--batch", "128", "--workers", strconv.Itoa(workers), "--precision", prec, "--scale", "minmax",
		"--lr-schedule", "constant", "--ensemble", "1", "--label-smoothing", "0", // PyTorch's recipe: one network, a constant rate, plain cross-entropy
		"--history", hist, "--out", filepath.Join(tmp, "model"), "--quiet").Run())
	f, err := os.Open(hist)
	check(err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	check(err)
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	var r run
	for _, rec := range recs[1:] {
		s, _ := strconv.ParseFloat(rec[col["train_seconds"]], 64)
		a, _ := strconv.ParseFloat(rec[col["val_accuracy"]], 64)
		r.seconds, r.accuracy = append(r.seconds, s), append(r.accuracy, a)
	}
	return r
}

// python runs a peer script that prints one JSON line per epoch.
func python(script, train, test string, epochs int, extra ...string) run {
	args := append([]string{script, "--train", train, "--test", test, "--epochs", strconv.Itoa(epochs)}, extra...)
	out, err := command("/usr/bin/python3", args...).Output()
	check(err)
	var r run
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var e struct {
			TrainSeconds float64 `json:"train_seconds"`
			TestAccuracy float64 `json:"test_accuracy"`
		}
		if json.Unmarshal(sc.Bytes(), &e) == nil {
			r.seconds, r.accuracy = append(r.seconds, e.TrainSeconds), append(r.accuracy, e.TestAccuracy)
		}
	}
	return r
}

func report(runs []run, epochs int, cores []string) {
	rate := func(r run) float64 {
		var s float64
		for _, x := range r.seconds {
			s += x
		}
		return float64(r.samples*len(r.seconds)) / s
	}
	best := 0.0
	for _, r := range runs {
		if strings.HasPrefix(r.name, "PyTorch") {
			best = max(best, rate(r))
		}
	}
	fmt.Printf("W1 on MNIST (60 000 training rows, test accuracy on 10 000), %d epochs, %s; environment: %s; kernels: %s\n\n",
		epochs, time.Now().UTC().Format("2006-01-02"), benchmarks.OpenBLASEnv(), strings.Join(cores, ", "))
	fmt.Println("| trainer | samples/s | vs best PyTorch | GFLOP/s | % of roofline | test accuracy | to 98 % |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, r := range runs {
		sps := rate(r)
		roof := "—"
		if r.roofline > 0 {
			roof = fmt.Sprintf("%.0f %%", 100*sps*flopsPerSample/1e9/r.roofline)
		}
		to98, t := "not reached", 0.0
		for i, a := range r.accuracy {
			t += r.seconds[i]
			if a >= 0.98 {
				to98 = fmt.Sprintf("%.1f s (epoch %d)", t, i+1)
				break
			}
		}
		acc := 0.0
		if len(r.accuracy) > 0 {
			acc = r.accuracy[len(r.accuracy)-1]
		}
		fmt.Printf("| %s | %.0f | %.2f× | %.1f | %s | %.2f %% | %s |\n", r.name, sps, sps/best, sps*flopsPerSample/1e9, roof, 100*acc, to98)
	}
}
