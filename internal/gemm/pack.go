package gemm

// packA copies the mc×kc block of op(a) at (ic, pc) into dst as
// micro-panels of mr rows: panel q holds rows q·mr… as kc groups of mr
// values (one per row, zero past the last row), so that the kernel reads
// one contiguous group per step of the inner dimension.
func packA[T Float](tA bool, a []T, lda, ic, pc, mc, kc, mr int, dst []T) {
	for ir := 0; ir < mc; ir += mr {
		r := min(mr, mc-ir)
		panel := dst[ir*kc : (ir+mr)*kc]
		if tA { // op(a)[i][p] = a[p][i]: rows of a give the groups
			for p := range kc {
				src := a[(pc+p)*lda+ic+ir:]
				g := panel[p*mr : p*mr+mr]
				copy(g, src[:r])
				clear(g[r:])
			}
			continue
		}
		gather(panel, a[(ic+ir)*lda+pc:], lda, r, kc, mr)
	}
}

// packB copies the kc×nc block of op(b) at (pc, jc) into dst as
// micro-panels of nr columns: panel q holds columns q·nr… as kc groups of
// nr values (zero past the last column). Column j of op(b) is row j of
// op(b)ᵀ, which is b itself when tB is set and bᵀ otherwise: so this is
// packA of that matrix, with the transposition flipped.
func packB[T Float](tB bool, b []T, ldb, pc, jc, kc, nc, nr int, dst []T) {
	packA(!tB, b, ldb, jc, pc, nc, kc, nr, dst)
}

// gather transposes the rows×kc block of src (row stride ld) into dst as
// kc groups of width values: dst[p·width+i] = src[i·ld+p], zero for
// rows ≤ i < width.
func gather[T Float](dst, src []T, ld, rows, kc, width int) {
	dst = dst[:kc*width]
	if gatherAsm(dst, src, ld, rows, kc, width) {
		return
	}
	i := 0
	for ; i+4 <= rows; i += 4 {
		s0 := src[i*ld : i*ld+kc]
		s1 := src[(i+1)*ld : (i+1)*ld+kc]
		s2 := src[(i+2)*ld : (i+2)*ld+kc]
		s3 := src[(i+3)*ld : (i+3)*ld+kc]
		for p := range s0 {
			g := dst[p*width+i : p*width+i+4 : p*width+i+4]
			g[0], g[1], g[2], g[3] = s0[p], s1[p], s2[p], s3[p]
		}
	}
	for ; i < rows; i++ {
		s0 := src[i*ld : i*ld+kc]
		for p, v := range s0 {
			dst[p*width+i] = v
		}
	}
	for ; i < width; i++ {
		for p := range kc {
			dst[p*width+i] = 0
		}
	}
}
