package csvdata

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseDate: the ISO forms a date column takes, and what it refuses.
func TestParseDate(t *testing.T) {
	day := func(s string) int64 {
		tm, err := time.Parse(time.DateOnly, s)
		require.NoError(t, err)
		return tm.Unix() / 86400
	}
	for _, c := range []struct {
		in   string
		days int64
		secs float64
		time bool
	}{
		{"2024-03-15", day("2024-03-15"), 0, false},
		{"1970-01-01", 0, 0, false},
		{"1969-12-31", -1, 0, false},
		{"2000-02-29", day("2000-02-29"), 0, false},
		{"2024-03-15 13:45", day("2024-03-15"), 13*3600 + 45*60, true},
		{"2024-03-15T13:45:07", day("2024-03-15"), 13*3600 + 45*60 + 7, true},
		{"2024-03-15T13:45:07.25", day("2024-03-15"), 13*3600 + 45*60 + 7.25, true},
		{"2024-03-15T13:45:07Z", day("2024-03-15"), 13*3600 + 45*60 + 7, true},
		{"2024-03-15T13:45:07+01:00", day("2024-03-15"), 12*3600 + 45*60 + 7, true},
		{"2024-03-15T00:30:00+0100", day("2024-03-14"), 23*3600 + 30*60, true},
		{"2024-03-15T23:30-02", day("2024-03-16"), 3600 + 30*60, true},
	} {
		d, ok := ParseDate([]byte(c.in))
		require.True(t, ok, c.in)
		assert.Equal(t, Date{Days: c.days, Seconds: c.secs, Time: c.time}, d, c.in)
	}
	for _, bad := range []string{"", "2024", "20240315", "2024-3-15", "2024-03-5", "2023-02-29", "1900-02-29", "2024-13-01",
		"2024-00-10", "2024-04-31", "2024-03-15x", "2024-03-15 ", "2024-03-15T", "2024-03-15T24:00", "2024-03-15T10:60",
		"2024-03-15T10:00:61", "2024-03-15T10:00:00.", "2024-03-15T10:00+1", "2024-03-15T10:00+01:0", "2024/03/15", "15-03-2024", "abcd-ef-gh"} {
		_, ok := ParseDate([]byte(bad))
		assert.False(t, ok, bad)
	}
}

// TestDateFeatures: year, month, day, weekday, day of the year and
// elapsed days as Go's time package has them, over 4 000 years of random
// days (the proleptic Gregorian calendar), and the hour of times.
func TestDateFeatures(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		days := rng.Int64N(1_500_000) - 750_000
		secs := float64(rng.IntN(86400))
		tm := time.Unix(days*86400+int64(secs), 0).UTC()
		var f [DateTimeWidth]float64
		Date{Days: days, Seconds: secs, Time: true}.Features(DateTime, f[:])
		want := [DateTimeWidth]float64{float64(tm.Year()), float64(tm.Month()), float64(tm.Day()),
			float64((int(tm.Weekday()) + 6) % 7), float64(tm.YearDay()), float64(days) + secs/86400, secs / 3600}
		require.Equal(t, want, f, "day %d", days)
		Date{Days: days, Seconds: secs}.Features(DateOnly, f[:])
		assert.Equal(t, float64(days), f[5])
	}
}

// TestDateColumns: a column of dates is read as its date parts, one of
// times (a time anywhere) with the hour too; a missing date is missing in
// every part; text in fewer than half the cells is an error naming it,
// in more a category; a declared category stays one; read with the
// schema, a value that is no date is an error at its cell.
func TestDateColumns(t *testing.T) {
	read := func(text string, o Options) (*Table[float64], error) {
		return ReadBytes[float64](context.Background(), "t.csv", []byte(text), o)
	}
	tab, err := read("d,x,y\n2024-03-15,1,0\n,2,1\n2024-03-17,3,0\n", Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"d.year", "d.month", "d.day", "d.weekday", "d.yearday", "d.days", "x"}, tab.Schema.Names())
	assert.Equal(t, DateOnly, tab.Schema.Features[0].Date)
	assert.Equal(t, []float64{2024, 3, 15, 4, 75, 19797, 1}, tab.X.Row(0))
	assert.True(t, math.IsNaN(tab.X.Row(1)[0]) && math.IsNaN(tab.X.Row(1)[5]))
	assert.Equal(t, 2.0, tab.X.Row(1)[6])
	assert.Equal(t, []Cells{{Column: "d", Count: 1, Line: 3, Offset: 1}}, tab.Missing)

	tab, err = read("d,x,y\n2024-03-15,1,0\n2024-03-16 06:00,2,1\n2024-03-17,3,0\n", Options{})
	require.NoError(t, err)
	assert.Equal(t, DateTime, tab.Schema.Features[0].Date)
	assert.Equal(t, []float64{2024, 3, 16, 5, 76, 19798.25, 6, 2}, tab.X.Row(1))

	_, err = read("d,x,y\n2024-03-15,1,0\nsoon,2,1\n2024-03-17,3,0\n", Options{})
	assert.ErrorContains(t, err, `t.csv:3:1: column "d" mixes dates and text (2 dates, 1 text values, the first "soon" here)`)
	// A number among dates is the same error wherever it is, first cell
	// included (it made the dates categories there).
	_, err = read("d,x,y\n0,1,0\n2024-03-15,1,0\n2024-03-17,3,0\n", Options{})
	assert.ErrorContains(t, err, `t.csv:2:1: column "d" mixes dates and text (2 dates, 1 text values, the first "0" here): if the column holds categories`)
	// Text first, then dates: the same error (they became categories).
	_, err = read("d,x,y\n?,1,0\n2024-03-15,1,0\n2024-03-17,3,0\n", Options{})
	assert.ErrorContains(t, err, `t.csv:2:1: column "d" mixes dates and text (2 dates, 1 text values, the first "?" here): if "?" means a missing value`)
	_, err = read("d,x,y\n0,1,0\n?,1,0\n2024-03-15,1,0\n2024-03-16,1,0\n2024-03-17,3,0\n", Options{})
	assert.ErrorContains(t, err, `t.csv:2:1: column "d" mixes dates and text (3 dates, 2 text values, the first "0" here)`)
	_, err = read("d,x,y\n2024-03-15,1,0\n0,1,0\n2024-03-17,3,0\n", Options{})
	assert.ErrorContains(t, err, `t.csv:3:1: column "d" mixes dates and text (2 dates, 1 text values, the first "0" here)`)
	tab, err = read("d,x,y\n0,1,0\n2024-03-15,1,0\nsoon,2,1\nlater,3,0\n", Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"d=0", "d=2024-03-15", "d=later", "d=soon", "x"}, tab.Schema.Names())
	tab, err = read("d,x,y\n2024-03-15,1,0\nsoon,2,1\nlater,3,0\n", Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"d=2024-03-15", "d=later", "d=soon", "x"}, tab.Schema.Names())
	tab, err = read("d,x,y\n2024-03-15,1,0\n2024-03-16,2,1\n", Options{Categorical: []string{"d"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"d=2024-03-15", "d=2024-03-16", "x"}, tab.Schema.Names())

	s := Schema{Features: []FeatureColumn{{Name: "d", Date: DateTime}, {Name: "x"}}}
	tab, err = read("d,x\n2024-03-15,1\n\"  2024-03-15 12:00 \",2\n", Options{Schema: &s, NoTargets: true})
	require.NoError(t, err)
	assert.Equal(t, 12.0, tab.X.Row(1)[6])
	_, err = read("d,x\n2024-03-15,1\n2024-02-30,2\n", Options{Schema: &s, NoTargets: true})
	assert.ErrorContains(t, err, `t.csv:3:1: "2024-02-30" in column "d" is not a date`)
}
