package csvdata

import (
	"math"

	"github.com/densetrain/densetrain/pkg/tensor"
)

// A date column holds ISO 8601 dates (2024-03-15) or times
// (2024-03-15T13:45:00, 2024-03-15 13:45, with seconds, a fraction, and
// Z or an offset such as +01:00, which turns the time into UTC). It is
// not one matrix column but several, numbers a network can use:
//
//	name.year     the year
//	name.month    1 to 12
//	name.day      the day of the month, 1 to 31
//	name.weekday  0 (Monday) to 6 (Sunday)
//	name.yearday  the day of the year, 1 to 366
//	name.days     days since 1970-01-01 (with the time of day as a fraction, for times)
//	name.hour     the time of day in hours, 0 to 24 (times only)
//
// A column is a date column when its first present value is a date
// (FeatureColumn.Date says which kind) and every present value is one; a
// missing cell is missing in every one of its matrix columns.

// The kinds of date column (FeatureColumn.Date).
const (
	DateOnly = "date"     // dates: DateWidth matrix columns
	DateTime = "datetime" // times: DateTimeWidth matrix columns
)

// The number of matrix columns of a date column of each kind.
const (
	DateWidth     = 6
	DateTimeWidth = 7
)

// dateParts names a date column's matrix columns, in order.
var dateParts = [DateTimeWidth]string{"year", "month", "day", "weekday", "yearday", "days", "hour"}

// Date is a parsed date or time: the day, as days since 1970-01-01, and
// the time of that day in seconds (0 for a date).
type Date struct {
	Days    int64
	Seconds float64
	Time    bool // written with a time of day
}

// ParseDate parses an ISO 8601 date or time (see the kinds above): it
// reports false for anything else, a day that does not exist (2023-02-29)
// included.
func ParseDate(b []byte) (Date, bool) {
	if len(b) < 10 || b[4] != '-' || b[7] != '-' {
		return Date{}, false
	}
	y, ok1 := digits(b[0:4])
	m, ok2 := digits(b[5:7])
	d, ok3 := digits(b[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return Date{}, false
	}
	days := daysFromCivil(int64(y), int64(m), int64(d))
	if len(b) == 10 {
		return Date{Days: days}, true
	}
	// A time: T or a space, hh:mm, then :ss[.fff], then Z or ±hh[:]mm.
	t := b[10:]
	if len(t) < 6 || t[0] != 'T' && t[0] != ' ' || t[3] != ':' {
		return Date{}, false
	}
	hh, ok1 := digits(t[1:3])
	mm, ok2 := digits(t[4:6])
	if !ok1 || !ok2 || hh > 23 || mm > 59 {
		return Date{}, false
	}
	secs := float64(hh*3600 + mm*60)
	t = t[6:]
	if len(t) >= 3 && t[0] == ':' {
		ss, ok := digits(t[1:3])
		if !ok || ss > 59 {
			return Date{}, false
		}
		secs += float64(ss)
		t = t[3:]
		if len(t) >= 2 && (t[0] == '.' || t[0] == ',') {
			k := 1
			scale := 0.1
			for ; k < len(t) && t[k] >= '0' && t[k] <= '9'; k++ {
				secs += float64(t[k]-'0') * scale
				scale /= 10
			}
			if k == 1 {
				return Date{}, false
			}
			t = t[k:]
		}
	}
	switch {
	case len(t) == 0:
	case len(t) == 1 && t[0] == 'Z':
	case len(t) >= 3 && (t[0] == '+' || t[0] == '-'):
		oh, ok1 := digits(t[1:3])
		om, ok2 := 0, true
		switch rest := t[3:]; {
		case len(rest) == 0:
		case len(rest) == 3 && rest[0] == ':':
			om, ok2 = digits(rest[1:3])
		case len(rest) == 2:
			om, ok2 = digits(rest)
		default:
			return Date{}, false
		}
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return Date{}, false
		}
		off := float64(oh*3600 + om*60)
		if t[0] == '+' {
			off = -off // 13:00+01:00 is 12:00 UTC
		}
		secs += off
		for secs < 0 {
			secs += 86400
			days--
		}
		for secs >= 86400 {
			secs -= 86400
			days++
		}
	default:
		return Date{}, false
	}
	return Date{Days: days, Seconds: secs, Time: true}, true
}

// DateFromSeconds returns the time s seconds after 1970-01-01T00:00:00
// UTC (the Unix time, as the ONNX export takes a date column), and false
// for NaN, an infinity, or a time beyond a million years either way.
func DateFromSeconds(s float64) (Date, bool) {
	if !(math.Abs(s) < 3e16) { // NaN too
		return Date{}, false
	}
	days := math.Floor(s / 86400)
	return Date{Days: int64(days), Seconds: s - days*86400, Time: true}, true
}

// Features writes the date's matrix columns for a column of kind (DateOnly
// or DateTime) into dst: year, month, day, weekday, day of the year,
// elapsed days and, for DateTime, the hour. A DateOnly column takes the
// day of a value written with a time.
func (d Date) Features(kind string, dst []float64) {
	y, m, day := civilFromDays(d.Days)
	dst[0], dst[1], dst[2] = float64(y), float64(m), float64(day)
	dst[3] = float64(((d.Days+3)%7 + 7) % 7) // 1970-01-01 was a Thursday (3)
	dst[4] = float64(d.Days - daysFromCivil(y, 1, 1) + 1)
	dst[5] = float64(d.Days)
	if kind == DateTime {
		dst[5] += d.Seconds / 86400
		dst[6] = d.Seconds / 3600
	}
}

// DateColumnWidth is the number of matrix columns of a date column of
// kind.
func DateColumnWidth(kind string) int {
	if kind == DateTime {
		return DateTimeWidth
	}
	return DateWidth
}

// digits reads a run of ASCII digits.
func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysIn returns the number of days of month m of year y.
func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days since 1970-01-01 of a date of the
// proleptic Gregorian calendar (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is daysFromCivil's inverse.
func civilFromDays(z int64) (y, m, d int64) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// nanDate fills a missing date's matrix columns.
func nanDate[T tensor.Float](dst []T) {
	for i := range dst {
		dst[i] = T(math.NaN())
	}
}

// putDate writes the matrix columns of the date v, of file column j, into
// cells; it reports false when v is no date. A time of day in a column
// taken for dates is noted (checkTypes makes it a column of times).
func (r *reader[T]) putDate(wk *worker, j int, cells []T, v []byte) bool {
	d, ok := ParseDate(v)
	if !ok {
		return false
	}
	if d.Time {
		wk.stats[j].timed = true
	}
	var f [DateTimeWidth]float64
	d.Features(r.dateKinds[j], f[:])
	for i := range cells {
		cells[i] = T(f[i])
	}
	return true
}
