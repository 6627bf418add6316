package nn

import (
	"math"
	"math/rand/v2"
)

// Initializer draws the initial weights and biases of a layer with fanIn
// inputs and fanOut outputs.
type Initializer interface {
	Weight(rng *rand.Rand, fanIn, fanOut int) float64
	Bias(rng *rand.Rand, fanIn, fanOut int) float64
}

// GlorotUniform draws weights uniformly from ±√(6/(fanIn+fanOut)) and sets
// biases to zero (Keras' default).
type GlorotUniform struct{}

// Weight implements Initializer.
func (GlorotUniform) Weight(rng *rand.Rand, fanIn, fanOut int) float64 {
	limit := math.Sqrt(6 / float64(fanIn+fanOut))
	return (2*rng.Float64() - 1) * limit
}

// Bias implements Initializer.
func (GlorotUniform) Bias(*rand.Rand, int, int) float64 { return 0 }

// HeNormal draws weights from a normal distribution with standard deviation
// √(2/fanIn), suited to ReLU layers, and sets biases to zero (PyTorch's
// kaiming_normal_ with fan_in; Keras' he_normal truncates the tails).
type HeNormal struct{}

// Weight implements Initializer.
func (HeNormal) Weight(rng *rand.Rand, fanIn, _ int) float64 {
	return rng.NormFloat64() * math.Sqrt(2/float64(fanIn))
}

// Bias implements Initializer.
func (HeNormal) Bias(*rand.Rand, int, int) float64 { return 0 }

// Normal draws weights and biases from a normal distribution with mean 0 and
// standard deviation Std (1 when zero), like the tutorial's np.random.randn.
type Normal struct{ Std float64 }

// Weight implements Initializer.
func (n Normal) Weight(rng *rand.Rand, _, _ int) float64 { return rng.NormFloat64() * n.std() }

// Bias implements Initializer.
func (n Normal) Bias(rng *rand.Rand, _, _ int) float64 { return rng.NormFloat64() * n.std() }

func (n Normal) std() float64 {
	if n.Std == 0 {
		return 1
	}
	return n.Std
}
