package csvdata

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestScanNumberMatchesStrconv checks scanNumber on random plain decimals
// of every length against strconv.ParseFloat: same bits when it accepts,
// and it must accept the common short ones.
func TestScanNumberMatchesStrconv(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	digits := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		return b.String()
	}
	accepted := 0
	for range 200000 {
		s := digits(rng.IntN(12))
		if rng.IntN(2) == 0 {
			s += "." + digits(rng.IntN(20))
		}
		if rng.IntN(3) == 0 {
			s = "-" + s
		}
		rec := []byte(s + ",x")
		v, end, ok := scanNumber(rec, 0, ',')
		want, err := strconv.ParseFloat(s, 64)
		if !ok {
			if err == nil && len(strings.Trim(s, "-.")) > 0 && len(s) <= 12 {
				t.Fatalf("%q: refused a short plain number", s)
			}
			continue
		}
		accepted++
		if err != nil {
			t.Fatalf("%q: accepted, strconv says %v", s, err)
		}
		if math.Float64bits(v) != math.Float64bits(want) || end != len(s) {
			t.Fatalf("%q: got %v (end %d), want %v (end %d)", s, v, end, want, len(s))
		}
	}
	if accepted < 100000 {
		t.Fatalf("accepted only %d numbers", accepted)
	}
}

// TestScanNumberRefuses lists what must go to the slower parsers.
func TestScanNumberRefuses(t *testing.T) {
	for _, s := range []string{"", "-", ".", "-.", "+1", "1e5", "1.5E-3", " 1", "1 ", "0x10", "1_000",
		"12345678901234567890", "9007199254740993", "1.2.3", "inf", "NaN", "1;"} {
		if v, _, ok := scanNumber([]byte(s), 0, ','); ok {
			t.Errorf("%q: accepted as %v", s, v)
		}
	}
	for s, want := range map[string]float64{"0": 0, "-0.5": -0.5, "1.": 1, ".25": 0.25, "007": 7,
		"9007199254740992": 1 << 53, "12345678.12345678": 12345678.12345678, "0.000000000000000001": 1e-18} {
		v, _, ok := scanNumber([]byte(s), 0, ',')
		if !ok || v != want {
			t.Errorf("%q: got %v, %v; want %v", s, v, ok, want)
		}
	}
}
