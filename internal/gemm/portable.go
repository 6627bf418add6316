package gemm

import "math"

// The portable path: micro-tiles in Go (2×2 for float32, whose exact FMA
// emulation needs more registers, 4×4 for float64), computing exactly what
// the assembly kernels compute (one fused multiply-add per term).
const (
	portMR   = 2 // float32
	portNR   = 2
	port64MR = 4 // float64
	port64NR = 4
)

var (
	portable32 = &path[float32]{name: "portable", mr: portMR, nr: portNR, mc: 128, nc: 512, kern: kernPortable32}
	portable64 = &path[float64]{name: "portable", mr: port64MR, nr: port64NR, mc: 128, nc: 512, kern: kernPortable64}
)

// kernPortable32 is the float32 micro-kernel of the portable path. Each
// step takes the fast fma32 for all the tile, unless one element needs the
// exact one.
func kernPortable32(r, kc int, a, b, c []float32, ldb, ldc int, alpha, beta float32, mode int) {
	a = a[:kc*portMR]
	var c00, c01, c10, c11 float32
	for p := range kc {
		g, h := a[p*portMR:p*portMR+portMR:p*portMR+portMR], b[p*ldb:p*ldb+portNR:p*ldb+portNR]
		a0, a1 := g[0], g[1]
		b0, b1 := h[0], h[1]
		n00, k00 := fast32(a0, b0, c00)
		n01, k01 := fast32(a0, b1, c01)
		n10, k10 := fast32(a1, b0, c10)
		n11, k11 := fast32(a1, b1, c11)
		if !(k00 && k01 && k10 && k11) {
			// A rare tie or subnormal: redo the step exactly.
			n00, n01 = fma32(a0, b0, c00), fma32(a0, b1, c01)
			n10, n11 = fma32(a1, b0, c10), fma32(a1, b1, c11)
		}
		c00, c01 = n00, n01
		c10, c11 = n10, n11
	}
	acc := [portMR * portNR]float32{c00, c01, c10, c11}
	fold(c, ldc, r, portNR, acc[:], alpha, beta, mode, fma32)
}

// kernPortable64 is the float64 micro-kernel of the portable path.
func kernPortable64(r, kc int, a, b, c []float64, ldb, ldc int, alpha, beta float64, mode int) {
	a = a[:kc*port64MR]
	var c00, c01, c02, c03, c10, c11, c12, c13 float64
	var c20, c21, c22, c23, c30, c31, c32, c33 float64
	for p := range kc {
		g, h := a[p*port64MR:p*port64MR+port64MR:p*port64MR+port64MR], b[p*ldb:p*ldb+port64NR:p*ldb+port64NR]
		a0, a1, a2, a3 := g[0], g[1], g[2], g[3]
		b0, b1, b2, b3 := h[0], h[1], h[2], h[3]
		c00, c01, c02, c03 = math.FMA(a0, b0, c00), math.FMA(a0, b1, c01), math.FMA(a0, b2, c02), math.FMA(a0, b3, c03)
		c10, c11, c12, c13 = math.FMA(a1, b0, c10), math.FMA(a1, b1, c11), math.FMA(a1, b2, c12), math.FMA(a1, b3, c13)
		c20, c21, c22, c23 = math.FMA(a2, b0, c20), math.FMA(a2, b1, c21), math.FMA(a2, b2, c22), math.FMA(a2, b3, c23)
		c30, c31, c32, c33 = math.FMA(a3, b0, c30), math.FMA(a3, b1, c31), math.FMA(a3, b2, c32), math.FMA(a3, b3, c33)
	}
	acc := [port64MR * port64NR]float64{c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33}
	fold(c, ldc, r, port64NR, acc[:], alpha, beta, mode, fma64)
}

// fma64 is math.FMA called directly (the intrinsic), for fold.
func fma64(x, y, z float64) float64 { return math.FMA(x, y, z) }

// fold writes the first r rows of an r×nr tile of accumulators (acc, row
// by row) into c as the assembly kernels do: alpha·acc (modeSet),
// fma(alpha, acc, c) (modeAdd) or fma(alpha, acc, beta·c).
func fold[T float32 | float64](c []T, ldc, r, nr int, acc []T, alpha, beta T, mode int, fma func(x, y, z T) T) {
	for i := range r {
		row := c[i*ldc : i*ldc+nr]
		for j, v := range acc[i*nr : i*nr+nr] {
			switch mode {
			case modeSet:
				row[j] = alpha * v
			case modeAdd:
				row[j] = fma(alpha, v, row[j])
			default:
				row[j] = fma(alpha, v, beta*row[j])
			}
		}
	}
}
