package numscan

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// takes reports whether the kernels must parse field: [-]digits[.digits]
// with at least one digit, at most 16 bytes after the sign and a mantissa
// of at most 2⁵³.
func takes(field string) bool {
	body := strings.TrimPrefix(field, "-")
	if len(body) == 0 || len(body) > 16 || strings.Count(body, ".") > 1 {
		return false
	}
	digits := strings.Replace(body, ".", "", 1)
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return false
	}
	m, err := strconv.ParseUint(digits, 10, 64)
	return err == nil && m <= 1<<53
}

// randomField makes a field that the kernels take about two times in
// three, and otherwise one of the things they must refuse; sparse makes
// three in four fields "0", as in sparse data, which has a path of its own.
func randomField(rng *rand.Rand, sparse bool) string {
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		return string(b)
	}
	var s string
	if sparse && rng.IntN(4) != 0 {
		return "0"
	}
	switch rng.IntN(4) {
	case 0:
		s = digits(rng.IntN(18))
	default:
		s = digits(rng.IntN(9)) + "." + digits(rng.IntN(17))
	}
	if rng.IntN(3) == 0 {
		s = "-" + s
	}
	if rng.IntN(6) == 0 { // something the kernels must refuse, or not
		junk := []string{"", "+1", "1e5", " 1", "1 ", "1.2.3", "NaN", "-", ".", "1\"", "é", "9007199254740993",
			"9007199254740992", "0.9007199254740993", strings.Repeat("1", 40), "1\t2", "-0", "00000000000000001"}
		s = junk[rng.IntN(len(junk))]
	}
	return s
}

func TestKernelsMatchStrconv(t *testing.T) {
	if runtime.GOARCH == "amd64" && !Available {
		t.Log("this CPU lacks AVX2/BMI2: nothing to check but the fallback")
	}
	rng := rand.New(rand.NewPCG(7, 11))
	parsed := 0
	for round := range 20000 {
		sep := ",;\t|"[round%4]
		nf, sparse := 1+rng.IntN(12), round%3 == 0
		if sparse {
			nf = 1 + rng.IntN(80)
		}
		fields := make([]string, nf)
		for k := range fields {
			fields[k] = randomField(rng, sparse)
			if strings.IndexByte(fields[k], sep) >= 0 {
				fields[k] = "1"
			}
		}
		rec := []byte(strings.Join(fields, string(sep)) + string(sep) + strings.Repeat("7", rng.IntN(40)))
		d64, d32 := make([]float64, nf), make([]float32, nf)
		n64, next64 := Scan(d64, rec, 0, sep)
		n32, next32 := Scan(d32, rec, 0, sep)
		if n64 != n32 || next64 != next32 {
			t.Fatalf("%q: float64 kernel %d, %d; float32 kernel %d, %d", rec, n64, next64, n32, next32)
		}
		// What must be parsed: the fields taken, up to the first refused
		// or starting less than 32 bytes before the end (the kernels may
		// go on in a run of zeros read in one load, not past a refused one).
		least, most, off := 0, 0, 0
		for Available && most < nf && takes(fields[most]) {
			if len(rec)-off >= 32 && least == most {
				least++
			}
			off += len(fields[most]) + 1
			most++
		}
		if n64 < least || n64 > most {
			t.Fatalf("%q: parsed %d fields, want %d to %d", rec, n64, least, most)
		}
		if want := len(strings.Join(fields[:n64], "_")) + min(n64, 1); next64 != want {
			t.Fatalf("%q: parsed %d fields up to %d, want up to %d", rec, n64, next64, want)
		}
		for k := range n64 {
			v, err := strconv.ParseFloat(fields[k], 64)
			if err != nil || math.Float64bits(v) != math.Float64bits(d64[k]) {
				t.Fatalf("%q: field %d %q gave %v, strconv %v (%v)", rec, k, fields[k], d64[k], v, err)
			}
			if math.Float32bits(float32(v)) != math.Float32bits(d32[k]) {
				t.Fatalf("%q: field %d %q gave float32 %v, want %v", rec, k, fields[k], d32[k], float32(v))
			}
		}
		parsed += n64
	}
	if Available && parsed < 20000 {
		t.Fatalf("only %d fields parsed", parsed)
	}
}

// TestKernelsStopAtDstAndEnd checks the two limits that do not depend on
// the text: dst's length and the 32 bytes before the record's end.
func TestKernelsStopAtDstAndEnd(t *testing.T) {
	if !Available {
		t.Skip("no kernels on this CPU or build")
	}
	rec := []byte(strings.Repeat("12.5,", 20))
	dst := make([]float32, 3)
	if n, next := Scan(dst, rec, 5, ','); n != 3 || next != 20 || dst[2] != 12.5 {
		t.Fatalf("got %d fields up to %d (%v), want 3 up to 20", n, next, dst)
	}
	big := make([]float64, 100)
	n, next := Scan(big, rec, 0, ',')
	if len(rec)-next >= 32+5 || len(rec)-next < 32-5 || n != next/5 {
		t.Fatalf("got %d fields up to %d of %d bytes", n, next, len(rec))
	}
	if n, next := Scan(big, rec[:31], 0, ','); n != 0 || next != 0 {
		t.Fatalf("a 31-byte record: got %d, %d", n, next)
	}
}

func BenchmarkFloat32(b *testing.B) {
	if !Available {
		b.Skip("no kernels")
	}
	rng := rand.New(rand.NewPCG(3, 3))
	var rec []byte
	for range 10000 {
		rec = strconv.AppendFloat(rec, float64(float32(rng.NormFloat64())), 'f', -1, 32)
		rec = append(rec, ',')
	}
	rec = append(rec, strings.Repeat("x", 40)...)
	dst := make([]float32, 10000)
	b.SetBytes(int64(len(rec)))
	for b.Loop() {
		i := 0
		for i < len(rec)-40 {
			n, next := Scan(dst, rec, i, ',')
			if n == 0 {
				b.Fatalf("stuck at %d: %q", i, rec[i:i+20])
			}
			i = next
		}
	}
}
