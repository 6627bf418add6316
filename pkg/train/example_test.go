package train_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/train"
)

// A linear classifier of two classes of points, one on each side of the
// line x₀ = x₁, trained with Adam on 90 % of the rows and validated on the
// rest.
func ExampleFit() {
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := nn.NewMatrix[float32](400, 2, nil), nn.NewMatrix[float32](400, 1, nil)
	for i := range x.Rows {
		a, b := rng.Float32(), rng.Float32()
		x.Row(i)[0], x.Row(i)[1] = a, b
		if a > b {
			y.Data[i] = 1
		}
	}
	m := nn.NewModel[float32]()
	m.Add(nn.NewDense[float32](2, 2, nn.Softmax, "output"))
	if err := m.Compile(nn.CrossEntropy[float32](), nn.NewAdam[float32](0.05), nn.WithSeed(1)); err != nil {
		log.Fatal(err)
	}
	hist, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 40, BatchSize: 16, ValidationSplit: 0.1})
	if err != nil {
		log.Fatal(err)
	}
	last := hist.Epochs[len(hist.Epochs)-1]
	fmt.Println("epochs:", len(hist.Epochs))
	fmt.Println("validation accuracy above 0.95:", last.ValMetrics["accuracy"] > 0.95)
	// Output:
	// epochs: 40
	// validation accuracy above 0.95: true
}

// CallbackFuncs makes a callback of functions: here one that reports the
// learning rate a schedule set, at the end of every epoch.
func ExampleCallbackFuncs() {
	m := nn.NewModel[float64]()
	m.Add(nn.NewDense[float64](2, 1, nn.Linear, "output"))
	if err := m.Compile(nn.MSE[float64](), nn.NewSGD[float64](0.1)); err != nil {
		log.Fatal(err)
	}
	x := nn.NewMatrix(4, 2, []float64{0, 0, 0, 1, 1, 0, 1, 1})
	y := nn.NewMatrix(4, 1, []float64{0, 1, 1, 2})
	report := train.CallbackFuncs{
		EpochEnd: func(_ train.TrainState, log *train.EpochLog) error {
			fmt.Printf("epoch %d: lr %g\n", log.Epoch, log.LearningRate)
			return nil
		},
	}
	_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 4, Callbacks: []train.Callback{
		train.LearningRateScheduler{Schedule: train.StepDecay(0.1, 0.5, 2)},
		report,
	}})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// epoch 1: lr 0.1
	// epoch 2: lr 0.1
	// epoch 3: lr 0.05
	// epoch 4: lr 0.05
}

// Early stopping on the validation loss, which improves by going down
// (accuracy and r2 improve by going up). Only an improvement of more than
// MinDelta counts — a large one here, so that no epoch after the first
// improves — and training stops after Patience epochs without one, with
// the best epoch's weights put back.
func ExampleEarlyStopping() {
	m := nn.NewModel[float64]()
	m.Add(nn.NewDense[float64](2, 1, nn.Linear, "output"))
	if err := m.Compile(nn.MSE[float64](), nn.NewSGD[float64](0.1)); err != nil {
		log.Fatal(err)
	}
	x := nn.NewMatrix(8, 2, []float64{0, 0, 0, 1, 1, 0, 1, 1, 2, 0, 0, 2, 2, 1, 1, 2})
	y := nn.NewMatrix(8, 1, []float64{0, 1, 1, 2, 2, 2, 3, 3})
	es := &train.EarlyStopping{Monitor: "val_loss", Patience: 2, MinDelta: 100, RestoreBestWeights: true}
	hist, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 50, BatchSize: 2, ValidationSplit: 0.25,
		Callbacks: []train.Callback{es}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("epochs trained:", len(hist.Epochs))
	fmt.Println("best epoch:", es.BestEpoch())
	// Output:
	// epochs trained: 3
	// best epoch: 1
}
