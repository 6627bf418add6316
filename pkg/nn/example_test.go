package nn_test

import (
	"context"
	"fmt"
	"log"
	"math"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/train"
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
	hist, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 5000, BatchSize: 1, NoShuffle: true})
	if err != nil {
		log.Fatal(err)
	}
	pred, err := m.Predict(context.Background(), x)
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
