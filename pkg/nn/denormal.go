package nn

import "unsafe"

// Optimizer state decays geometrically wherever the gradient is exactly
// zero — a dead ReLU unit, an input pixel that is blank in every image — and
// tiny gradients square to tinier numbers; in float32 these soon reach the
// subnormal range, where each x86 operation takes a microcode assist, dozens
// of times slower (on MNIST, Adam's update took over half of a training step).
// TensorFlow, and so Keras, runs its CPU kernels in the FPU's flush-to-zero
// (FTZ) and denormals-are-zero (DAZ) modes for this reason. Go cannot set
// those modes, so Adam's SSE2 kernel (asm_amd64.s) sets them for its own
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
	if unsafe.Sizeof(z) == 4 {
		f := float32(0x1p-126)
		return T(f)
	}
	f := 0x1p-1022
	return T(f)
}

// The FPU's flush-to-zero mode zeroes a result that is tiny before it is
// denormalized: rounded to T's precision with an unbounded exponent, it is
// below the smallest normal number. Go rounds the other way (to a subnormal
// first), and the two differ only where Go's result is exactly ±tiny: the
// exact value may be just below tiny. For a product or a quotient (sums and
// differences that close to tiny are exact) ftzMul and ftzDiv then redo the
// operation with one operand scaled by 2⁶⁴ — exact, and far from overflow
// since the result is tiny — so that it rounds in the normal range.

// ftzMul returns a·b as the FPU computes it in flush-to-zero mode.
func ftzMul[T Float](a, b, tiny T) T {
	r := a * b
	if r == tiny || r == -tiny {
		const s = 0x1p64
		var scaled T
		if abs(a) < abs(b) {
			scaled = (a * s) * b
		} else {
			scaled = a * (b * s)
		}
		if abs(scaled) < tiny*s {
			return r * 0
		}
		return r
	}
	return flush(r, tiny)
}

// ftzDiv returns a/b as the FPU computes it in flush-to-zero mode.
func ftzDiv[T Float](a, b, tiny T) T {
	r := a / b
	if r == tiny || r == -tiny {
		const s = 0x1p64
		if abs((a*s)/b) < tiny*s {
			return r * 0
		}
		return r
	}
	return flush(r, tiny)
}

func abs[T Float](x T) T {
	if x < 0 {
		return -x
	}
	return x
}
