package main

import (
	"context"
	"fmt"
	"io"
	"math"

	"github.com/densetrain/densetrain/internal/cpus"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/train"
)

// xorCommand trains the tutorial's XOR network.
func xorCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("xor")
	epochs := fs.Int("epochs", 5000, "passes over the four samples")
	lr := fs.Float64("lr", 0.1, "SGD learning rate")
	seed := fs.Uint64("seed", 1, "seed of the initial weights")
	workers := fs.Int("workers", 0, "worker goroutines, at most 1024 (default 0: one per CPU); results do not depend on it")
	quiet := fs.Bool("quiet", false, "do not print the per-epoch loss")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	switch {
	case *epochs < 1:
		return usageError(fmt.Errorf("--epochs %d: want at least 1", *epochs))
	case !(*lr > 0) || math.IsInf(*lr, 0):
		return usageError(fmt.Errorf("--lr %v: want a positive finite rate", *lr))
	case cpusWant(*workers) != "":
		return usageError(fmt.Errorf("--workers %d: %s", *workers, cpusWant(*workers)))
	}

	x := nn.NewMatrix(4, 2, []float64{0, 0, 0, 1, 1, 0, 1, 1})
	y := nn.NewMatrix(4, 1, []float64{0, 1, 1, 0})
	m := nn.NewModel[float64]()
	m.Add(nn.NewDense[float64](2, 3, nn.Sigmoid, "hidden1").WithInit(nn.Normal{}))
	m.Add(nn.NewDense[float64](3, 4, nn.Sigmoid, "hidden2").WithInit(nn.Normal{}))
	m.Add(nn.NewDense[float64](4, 1, nn.Linear, "output").WithInit(nn.Normal{}))
	if err := m.Compile(nn.HalfMSE[float64](), nn.NewSGD[float64](*lr), nn.WithSeed(*seed)); err != nil {
		return err
	}
	opts := train.Options{Epochs: *epochs, BatchSize: 1, NoShuffle: true, Parallelism: train.Parallelism{Workers: *workers}}
	if !*quiet {
		opts.Log = stderr
	}
	if _, err := train.Fit(ctx, m, train.InMemory(x, y), opts); err != nil {
		return err
	}
	pred, err := m.Predict(ctx, x)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "x1,x2,prediction")
	for i := range x.Rows {
		v := pred.At(i, 0)
		if math.Abs(v) < 0.00005 { // printed as 0.0000: not as -0.0000
			v = 0
		}
		fmt.Fprintf(stdout, "%g,%g,%.4f\n", x.At(i, 0), x.At(i, 1), v)
	}
	return nil
}

// cpusWant is what --workers must be when n is not a worker count.
func cpusWant(n int) string {
	_, want := cpus.Workers(n)
	return want
}
