package nn

// Pass tells a layer what it needs to know about the rows it computes
// besides their values: whether a trainer (train.Fit) is training on them (Dropout drops
// units only then) and, in training, a random source per row keyed by
// (seed, epoch, step, the row's sample index in the training data, layer).
// A row's random numbers therefore depend on its sample, never on the
// worker, shard or process that computes it, so that training gives the
// same bits for any worker or rank count.
//
// Predict and evaluation pass a Pass whose Training is false.
type Pass struct {
	// Training is true in a trainer's forward and backward passes.
	Training bool
	// Layer is the index of the layer in its model.
	Layer int

	seed, epoch, step uint64
	samples           []int // the training-data index of each row
}

// TrainingPass returns the training Pass train.Fit gives layer layer for rows
// that are the samples samples of the training data, in step step of epoch
// epoch with seed seed — to test a layer as training runs it, or to drive Replica.Backprop.
func TrainingPass(seed, epoch, step uint64, samples []int, layer int) Pass {
	return Pass{Training: true, Layer: layer, seed: seed, epoch: epoch, step: step, samples: samples}
}

// Rand returns row r's random source for this pass and layer. The same
// row, in the same pass, gets the same stream however often it is asked
// for: a layer can draw a mask in Forward and draw it again in Backward.
// It panics when the pass is not a training pass.
func (p Pass) Rand(r int) Stream {
	if !p.Training {
		panic("nn: Pass.Rand outside training")
	}
	k := mix(p.seed ^ 0x6a09e667f3bcc908)
	k = mix(k ^ p.epoch)
	k = mix(k ^ p.step)
	k = mix(k ^ uint64(p.samples[r]))
	return Stream{key: mix(k ^ uint64(p.Layer))}
}

// Stream is a counter-based random stream: the i-th number it gives is a
// hash of its key and i, so that a stream is a value, cheap to create and
// to copy, and reproducible anywhere.
type Stream struct{ key, ctr uint64 }

// Uint64 returns the next 64 random bits.
func (s *Stream) Uint64() uint64 {
	s.ctr++
	return mix(s.key + s.ctr*0x9e3779b97f4a7c15)
}

// Float64 returns the next number, uniform in [0, 1).
func (s *Stream) Float64() float64 { return float64(s.Uint64()>>11) / (1 << 53) }

// mix is SplitMix64's finalizer: a bijection of 64-bit words whose output
// bits each depend on every input bit.
func mix(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// dropThreshold returns the threshold under which 64 random bits drop a
// unit: rate·2⁶⁴, to 53 bits, so that a unit is dropped with probability
// rate.
func dropThreshold(rate float64) uint64 { return uint64(rate*(1<<53)) << 11 }
