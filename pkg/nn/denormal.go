package nn

// Optimizer state decays geometrically wherever the gradient is exactly
// zero — a dead ReLU unit, an input pixel that is blank in every image — and
// tiny gradients square to tinier numbers; in float32 these soon reach the
// subnormal range, where each x86 operation takes a microcode assist, dozens
// of times slower (on MNIST, Adam's update took over half of a training step).
// TensorFlow, and so Keras, runs its CPU kernels in the FPU's flush-to-zero
// (FTZ) and denormals-are-zero (DAZ) modes for this reason. Go cannot set
// those modes, so Adam's SSE2 kernel (adam_amd64.s) sets them for its own
// duration, adamScalar emulates them with flush, and the other optimizers
// flush their state in code. Below the smallest normal number the state no
// longer moves a weight anyway (α·m/(√v+ε) is far below a weight's ulp).

// flush returns x, or zero with x's sign when |x| < tiny, as the FPU's
// flush-to-zero mode does.
func flush[T Float](x, tiny T) T {
	if x < tiny && x > -tiny {
		return x * 0
	}
	return x
}

// smallestNormal returns the smallest positive normal number of T.
func smallestNormal[T Float]() T {
	var z T
	if _, ok := any(z).(float32); ok {
		f := float32(0x1p-126)
		return T(f)
	}
	f := 0x1p-1022
	return T(f)
}
