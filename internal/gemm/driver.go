package gemm

import (
	"sync"
	"unsafe"
)

// buffers are the packed panels of one call and the edge tile.
type buffers[T Float] struct {
	a, b, tile []T
}

// freeList keeps the buffers of finished calls for the next ones. Unlike
// a sync.Pool it never drops them (not at a garbage collection, not under
// the race detector), so warm calls never allocate; it holds one set per
// call that ever ran concurrently.
type freeList[T Float] struct {
	mu   sync.Mutex
	free []*buffers[T]
}

var (
	free32 freeList[float32]
	free64 freeList[float64]
)

func freeListOf[T Float]() *freeList[T] {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(&free32).(*freeList[T])
	}
	return any(&free64).(*freeList[T])
}

// get returns pack buffers large enough for p and KC blocks of kc.
func (l *freeList[T]) get(p *path[T], kc int) *buffers[T] {
	l.mu.Lock()
	var bufs *buffers[T]
	if n := len(l.free); n > 0 {
		bufs = l.free[n-1]
		l.free = l.free[:n-1]
	}
	l.mu.Unlock()
	if bufs == nil {
		bufs = new(buffers[T])
	}
	bufs.a = grow(bufs.a, p.mc*kc)
	bufs.b = grow(bufs.b, kc*p.nc)
	bufs.tile = grow(bufs.tile, p.mr*p.nr)
	return bufs
}

func (l *freeList[T]) put(bufs *buffers[T]) {
	l.mu.Lock()
	l.free = append(l.free, bufs)
	l.mu.Unlock()
}

// grow returns s if it holds n elements, or a new 64-byte-aligned slice of
// at least n elements (alignment only spares cache-line splits: results do
// not depend on it).
func grow[T Float](s []T, n int) []T {
	if len(s) >= n {
		return s
	}
	var z T
	size := int(unsafe.Sizeof(z))
	pad := 64 / size
	s = make([]T, n+pad)
	off := (64 - int(uintptr(unsafe.Pointer(unsafe.SliceData(s))))%64) % 64 / size
	return s[off : off+n]
}

// inPlaceMaxRow is the longest row of B, in bytes, for which a B that is
// not transposed is read in place rather than packed: the kernels then
// load its panels straight from its rows, which spares the copy (as costly
// for few rows of A as for many) as long as consecutive rows stay close
// (measured on AVX-512: faster with rows of 1–2 KiB, slower from 4 KiB).
var inPlaceMaxRow = 2048

// blocked computes c = alpha·op(a)·op(b) + beta·c (alpha ≠ 0, k > 0) with
// the kernels of p: for each NC block of columns and each KC block of the
// inner dimension, B is packed once (or read in place, see inPlaceMaxRow);
// for each MC block of rows, A is packed and the macro-kernel runs the
// micro-kernels over the block.
func blocked[T Float](p *path[T], tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	kcb := kcBlock[T](k)
	free := freeListOf[T]()
	bufs := free.get(p, kcb)
	defer free.put(bufs)
	ncb, mcb := balance(n, p.nc, p.nr), balance(m, p.mc, p.mr)
	inPlace := !tB && ldb*int(unsafe.Sizeof(alpha)) <= inPlaceMaxRow
	for jc := 0; jc < n; jc += ncb {
		nc := min(ncb, n-jc)
		for pc := 0; pc < k; pc += kcb {
			kc := min(kcb, k-pc)
			mode, bt := modeOf(beta), beta
			if pc > 0 {
				mode, bt = modeAdd, 1
			}
			var bd []T // B read in place, nil when packed
			if inPlace {
				bd = b[pc*ldb+jc:]
				if w := nc % p.nr; w != 0 { // only the partial panel is packed
					packB(false, b, ldb, pc, jc+nc-w, kc, w, p.nr, bufs.b)
				}
			} else {
				packB(tB, b, ldb, pc, jc, kc, nc, p.nr, bufs.b)
			}
			for ic := 0; ic < m; ic += mcb {
				mc := min(mcb, m-ic)
				packA(tA, a, lda, ic, pc, mc, kc, p.mr, bufs.a)
				macro(p, mc, nc, kc, bufs.a, bd, ldb, bufs.b, alpha, bt, mode, c[ic*ldc+jc:], ldc, bufs.tile)
			}
		}
	}
}

// macro runs the micro-kernel over an mc×nc block of c from packed A
// panels and B panels: read in place from bd (row stride ldb) when bd is
// not nil, but for a partial last panel, packed alone in packed; else all
// packed in packed. Tiles cut by the right edge go through tile, so that
// the kernel always writes NR columns; tiles cut by the bottom edge use
// fewer rows.
func macro[T Float](p *path[T], mc, nc, kc int, a, bd []T, ldb int, packed []T, alpha, beta T, mode int, c []T, ldc int, tile []T) {
	mr, nr := p.mr, p.nr
	for jr := 0; jr < nc; jr += nr {
		w := min(nr, nc-jr)
		bp, bs := packed[jr*kc:(jr+nr)*kc], nr
		switch {
		case bd != nil && w == nr:
			bp, bs = bd[jr:jr+(kc-1)*ldb+nr], ldb
		case bd != nil:
			bp = packed[:kc*nr]
		}
		for ir := 0; ir < mc; ir += mr {
			r := min(mr, mc-ir)
			ap := a[ir*kc : (ir+mr)*kc]
			cc := c[ir*ldc+jr:]
			if w == nr {
				p.kern(r, kc, ap, bp, cc, bs, ldc, alpha, beta, mode)
				continue
			}
			if mode != modeSet {
				for i := range r {
					copy(tile[i*nr:i*nr+w], cc[i*ldc:i*ldc+w])
				}
			}
			p.kern(r, kc, ap, bp, tile, bs, nr, alpha, beta, mode)
			for i := range r {
				copy(cc[i*ldc:i*ldc+w], tile[i*nr:i*nr+w])
			}
		}
	}
}

// balance cuts total into blocks of at most limit (a multiple of unit) of
// nearly equal lengths, multiples of unit but for the last, and returns
// the block length: 784 columns with limit 768 make blocks of 416 and 368,
// not 768 and 16. (Row and column blocks do not change any result.)
func balance(total, limit, unit int) int {
	nb := (total + limit - 1) / limit
	size := (total + nb - 1) / nb
	return min(limit, (size+unit-1)/unit*unit)
}
