package csvdata

import (
	"math"

	"github.com/densetrain/densetrain/internal/numscan"
)

// scanNumber parses the plain decimal [-]digits[.digits] that starts at
// rec[i] and ends at sep or at the end of rec, in one pass over its
// bytes. It returns the value and the offset just after the number. It reports false, leaving the field to
// fastNumber or parseNumber, for anything else: no digits, an exponent, a
// plus sign, spaces, more than 19 digits, or a mantissa beyond 2⁵³ (where
// one division by an exact power of ten would no longer be correctly
// rounded). What it accepts is the correctly rounded float64, the same
// bits as strconv.ParseFloat.
func scanNumber(rec []byte, i int, sep byte) (float64, int, bool) {
	n := len(rec)
	// The sign without a branch: in real data it is often as likely as
	// not, and a mispredicted branch costs as much as the rest of a short
	// number (twice: here and when the value is negated).
	var neg uint64
	if i < n {
		neg = (uint64(rec[i]^'-') - 1) >> 63 // 1 for '-'
	}
	i += int(neg)
	var mant uint64
	start := i
	mant, i = scanDigits(rec, i, mant)
	digits, frac := i-start, 0
	if i < n && rec[i] == '.' {
		i++
		fs := i
		mant, i = scanDigits(rec, i, mant)
		frac = i - fs
		digits += frac
	}
	if digits == 0 || digits > 19 || i < n && rec[i] != sep || mant > 1<<53 || frac >= len(pow10) {
		return 0, i, false
	}
	v := float64(mant)                                                  // exact: mant ≤ 2⁵³
	v /= pow10[frac]                                                    // exact divisor (1 for none): one correctly rounded operation
	return math.Float64frombits(math.Float64bits(v) | neg<<63), i, true // v ≥ +0: the sign bit negates it
}

// scanDigits appends the decimal digits from rec[i] on to mant (modulo
// 2⁶⁴: callers reject more than 19 digits) and returns it with the offset
// of the first byte that is not a digit. (Eight or sixteen digits at a
// time with SWAR arithmetic measured slower here: it makes the end of the
// number a data dependency where a predicted branch lets the processor run
// ahead.)
func scanDigits(rec []byte, i int, mant uint64) (uint64, int) {
	for ; uint(i) < uint(len(rec)); i++ { // unsigned: no second bounds check
		c := rec[i] - '0'
		if c > 9 {
			break
		}
		mant = mant*10 + uint64(c)
	}
	return mant, i
}

// useNumscan says whether parseSimple hands runs of numeric fields to
// package numscan's vector kernels (tests turn it off to compare).
var useNumscan = numscan.Available
