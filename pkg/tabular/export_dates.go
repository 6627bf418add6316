package tabular

import (
	"github.com/densetrain/densetrain/pkg/csvdata"
)

// date adds the matrix columns of a date column (csvdata's date parts) of
// the input x: its Unix time in seconds, float64 [N, 1], NaN when
// missing. They are computed in float64 with csvdata.Date's arithmetic
// — days and seconds of the day, Howard Hinnant's civil calendar with
// floors of exact quotients — and returned as float64 [N, width].
func (b *graphBuilder) date(f csvdata.FeatureColumn, x string) string {
	name := f.Name + "/"
	k := func(v float64) string { return b.doubles(name+"k", []float64{v}) }
	op := func(typ, a, c string) string { return b.op(typ, name+typ, []string{a, c}) }
	add := func(a, c string) string { return op("Add", a, c) }
	sub := func(a, c string) string { return op("Sub", a, c) }
	mul := func(a, c string) string { return op("Mul", a, c) }
	fdiv := func(a string, d float64) string { // floor(a/d), exact for the integers here
		return b.op("Floor", name+"Floor", []string{op("Div", a, k(d))})
	}
	days := fdiv(x, 86400)
	secs := sub(x, mul(days, k(86400)))
	// civilFromDays
	z := add(days, k(719468))
	era := fdiv(z, 146097)
	doe := sub(z, mul(era, k(146097)))
	yoe := fdiv(add(sub(doe, fdiv(doe, 1460)), sub(fdiv(doe, 36524), fdiv(doe, 146096))), 365)
	doy := sub(doe, sub(add(mul(yoe, k(365)), fdiv(yoe, 4)), fdiv(yoe, 100)))
	mp := fdiv(add(mul(doy, k(5)), k(2)), 153)
	day := add(sub(doy, fdiv(add(mul(mp, k(153)), k(2)), 5)), k(1))
	late := fdiv(mp, 10) // 1 for January and February (mp 10, 11)
	month := sub(add(mp, k(3)), mul(late, k(12)))
	year := add(add(yoe, mul(era, k(400))), late)
	// weekday: (days + 3) mod 7, Monday 0
	d3 := add(days, k(3))
	weekday := sub(d3, mul(fdiv(d3, 7), k(7)))
	// yearday: days − daysFromCivil(year, 1, 1) + 1
	y1 := sub(year, k(1))
	era1 := fdiv(y1, 400)
	yoe1 := sub(y1, mul(era1, k(400)))
	doe1 := add(sub(add(mul(yoe1, k(365)), fdiv(yoe1, 4)), fdiv(yoe1, 100)), k(306))
	jan1 := sub(add(mul(era1, k(146097)), doe1), k(719468))
	yearday := add(sub(days, jan1), k(1))
	parts := []string{year, month, day, weekday, yearday, days}
	if f.Date == csvdata.DateTime {
		parts[5] = add(days, op("Div", secs, k(86400)))
		parts = append(parts, op("Div", secs, k(3600)))
	}
	return b.op("Concat", name+"parts", parts, attrInt("axis", 1))
}
