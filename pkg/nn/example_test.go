package nn_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"math/rand/v2"

	"github.com/densetrain/densetrain/pkg/nn"
)

// The tutorial's XOR network: 2→3 sigmoid, 3→4 sigmoid, 4→1 linear, trained
// with the squared error 0.5·(o−y)² by per-sample SGD at learning rate 0.1,
// from weights and biases drawn from a standard normal like the tutorial's.
func Example_xor() {
	x := nn.NewMatrix(4, 2, []float64{0, 0, 0, 1, 1, 0, 1, 1})
	y := nn.NewMatrix(4, 1, []float64{0, 1, 1, 0})

	m := nn.NewModel[float64]()
	m.Add(nn.NewDense[float64](2, 3, nn.Sigmoid, "hidden1").WithInit(nn.Normal{}))
	m.Add(nn.NewDense[float64](3, 4, nn.Sigmoid, "hidden2").WithInit(nn.Normal{}))
	m.Add(nn.NewDense[float64](4, 1, nn.Linear, "output").WithInit(nn.Normal{}))
	if err := m.Compile(nn.HalfMSE[float64](), nn.NewSGD[float64](0.1), nn.WithSeed(1)); err != nil {
		log.Fatal(err)
	}
	hist, err := m.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 5000, BatchSize: 1, NoShuffle: true})
	if err != nil {
		log.Fatal(err)
	}
	pred, err := m.Predict(x)
	if err != nil {
		log.Fatal(err)
	}
	for i := range 4 {
		fmt.Printf("%v -> %.0f\n", x.Row(i), math.Round(pred.At(i, 0))+0) // +0 turns -0 into 0
	}
	fmt.Println("final loss below 0.01:", hist.Loss()[len(hist.Epochs)-1] < 0.01)
	// Output:
	// [0 0] -> 0
	// [0 1] -> 1
	// [1 0] -> 1
	// [1 1] -> 0
	// final loss below 0.01: true
}

func ExampleModel_Summary() {
	m := nn.NewModel[float32]()
	m.Add(nn.NewDense[float32](784, 256, nn.ReLU, "hidden1"))
	m.Add(nn.NewDense[float32](256, 128, nn.ReLU, "hidden2"))
	m.Add(nn.NewDense[float32](128, 10, nn.Softmax, "output"))
	fmt.Print(m.Summary())
	// Output:
	// #  layer    kind   activation  output shape  params
	// 0  hidden1  dense  relu        (batch, 256)  200960
	// 1  hidden2  dense  relu        (batch, 128)  32896
	// 2  output   dense  softmax     (batch, 10)   1290
	// total parameters: 235146
}

// A classifier with input dropout and dropout after its hidden layer:
// Dropout layers have no parameters and act only while Fit trains.
func ExampleNewDropout() {
	m := nn.NewModel[float32]()
	m.Add(nn.NewDropout[float32](4, 0.2, "input_dropout"))
	m.Add(nn.NewDense[float32](4, 8, nn.ReLU, "hidden"))
	m.Add(nn.NewDropout[float32](8, 0.5, "dropout"))
	m.Add(nn.NewDense[float32](8, 3, nn.Softmax, "output"))
	if err := m.Compile(nn.CrossEntropy[float32](), nn.NewAdam[float32](1e-3)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(m.Summary())
	// Output:
	// #  layer          kind     activation  output shape  params
	// 0  input_dropout  dropout              (batch, 4)    0
	// 1  hidden         dense    relu        (batch, 8)    40
	// 2  dropout        dropout              (batch, 8)    0
	// 3  output         dense    softmax     (batch, 3)    27
	// total parameters: 67
}

// A linear classifier of two classes of points, one on each side of the
// line x₀ = x₁, trained with Adam on 90 % of the rows and validated on the
// rest.
func ExampleModel_Fit() {
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
	hist, err := m.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 40, BatchSize: 16, ValidationSplit: 0.1})
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
	report := nn.CallbackFuncs{
		EpochEnd: func(_ nn.TrainState, log *nn.EpochLog) error {
			fmt.Printf("epoch %d: lr %g\n", log.Epoch, log.LearningRate)
			return nil
		},
	}
	_, err := m.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 4, Callbacks: []nn.Callback{
		nn.LearningRateScheduler{Schedule: nn.StepDecay(0.1, 0.5, 2)},
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
	es := &nn.EarlyStopping{Monitor: "val_loss", Patience: 2, MinDelta: 100, RestoreBestWeights: true}
	hist, err := m.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 50, BatchSize: 2, ValidationSplit: 0.25,
		Callbacks: []nn.Callback{es}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("epochs trained:", len(hist.Epochs))
	fmt.Println("best epoch:", es.BestEpoch())
	// Output:
	// epochs trained: 3
	// best epoch: 1
}
