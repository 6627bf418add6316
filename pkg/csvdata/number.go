package csvdata

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"
	"unsafe"
)

var (
	errNotNumber = errors.New("not a number")
	errNonFinite = errors.New("NaN and Inf are not allowed")
)

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseNumber parses a decimal number. Plain decimals with at most 15
// significant digits and a small exponent take an exact fast path (one
// correctly rounded multiplication or division by an exact power of ten);
// everything else goes to strconv.ParseFloat, so results are always the
// correctly rounded float64. NaN and ±Inf are rejected.
func parseNumber(b []byte) (float64, error) {
	if v, ok := fastNumber(b); ok {
		return v, nil
	}
	if len(b) == 0 {
		return 0, errNotNumber
	}
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			// strconv also takes hex floats, underscores, NaN and Inf: CSV
			// numbers are plain decimals.
			if nonFinite(b) {
				return 0, errNonFinite
			}
			return 0, errNotNumber
		}
	}
	v, err := strconv.ParseFloat(unsafe.String(&b[0], len(b)), 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return 0, errNonFinite
		}
		return 0, errNotNumber
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, errNonFinite
	}
	return v, nil
}

// fastNumber handles [+-]digits[.digits][e[+-]digits] with at most 15
// significant digits and a resulting power of ten within ±22.
func fastNumber(b []byte) (float64, bool) {
	i, neg := 0, false
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		neg = b[i] == '-'
		i++
	}
	var mant uint64
	digits, frac, any := 0, 0, false
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		any = true
		if mant == 0 && b[i] == '0' {
			continue // leading zeros do not count
		}
		mant = mant*10 + uint64(b[i]-'0')
		digits++
	}
	if i < len(b) && b[i] == '.' {
		i++
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			any = true
			mant = mant*10 + uint64(b[i]-'0')
			frac++
			if mant != 0 {
				digits++
			}
		}
	}
	if !any || digits > 15 {
		return 0, false
	}
	exp := -frac
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		eneg := false
		if i < len(b) && (b[i] == '-' || b[i] == '+') {
			eneg = b[i] == '-'
			i++
		}
		e, n := 0, 0
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9' && n < 4; i++ {
			e = e*10 + int(b[i]-'0')
			n++
		}
		if n == 0 {
			return 0, false
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if i != len(b) || exp < -22 || exp > 22 {
		return 0, false
	}
	v := float64(mant) // exact: mant < 10^15 < 2^53
	if exp < 0 {
		v /= pow10[-exp]
	} else {
		v *= pow10[exp]
	}
	if neg {
		v = -v
	}
	return v, true
}

// nonFinite reports whether b spells NaN or Inf, signed or not, in any case.
func nonFinite(b []byte) bool {
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		b = b[1:]
	}
	return bytes.EqualFold(b, []byte("nan")) || bytes.EqualFold(b, []byte("inf")) || bytes.EqualFold(b, []byte("infinity"))
}

// IsNumber reports whether s reads as a number, as a cell of a numeric
// column is read.
func IsNumber(s string) bool {
	_, err := parseNumber([]byte(s))
	return err == nil
}

// IsDecimalComma reports whether v is a number written with a decimal
// comma ("3,14"), which parses as text.
func IsDecimalComma(v string) bool {
	return strings.Count(v, ",") == 1 && !strings.Contains(v, ".") && IsNumber(strings.Replace(v, ",", ".", 1))
}
