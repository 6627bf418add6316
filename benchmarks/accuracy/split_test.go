package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSplitKeepsRawRecords checks that records come back byte for byte
// (quoted commas and line breaks, NA markers, a last line without a line
// end), that the split is stratified, seeded and complete, and that rows
// without a target go to the training side.
func TestSplitKeepsRawRecords(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,\"note\",y\r\n")
	var want []string
	for i := range 40 {
		y := []string{"a", "a", "a", "b"}[i%4]
		rec := strings.Repeat("x", i) + `,"q, ""r""` + "\nline\"," + y + "\r\n"
		switch i {
		case 7:
			rec = "7, NA ,NA\r\n"
		case 8:
			rec = "8,,\r\n"
		}
		want = append(want, rec)
		b.WriteString(rec)
	}
	b.WriteString("\n last,x,b") // a blank line, then no line end
	want = append(want, " last,x,b\n")
	dir := t.TempDir()
	path := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	tab, target, err := readTable(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if target != "y" || len(tab.raw) != len(want) || string(tab.rawHead) != "id,\"note\",y\r\n" {
		t.Fatalf("target %q, %d records, header %q", target, len(tab.raw), tab.rawHead)
	}
	for i, r := range tab.raw {
		if string(r) != want[i] {
			t.Errorf("record %d: %q, want %q", i, r, want[i])
		}
	}
	train, test := tab.split(3, true)
	train2, test2 := tab.split(3, true)
	if !slices.Equal(train, train2) || !slices.Equal(test, test2) {
		t.Error("the same seed drew different splits")
	}
	if other, _ := tab.split(4, true); slices.Equal(other, train) {
		t.Error("seeds 3 and 4 drew the same split")
	}
	all := slices.Sorted(slices.Values(append(slices.Clone(train), test...)))
	for i, r := range all {
		if r != i {
			t.Fatalf("rows %v: not each row once", all)
		}
	}
	classes := map[string]int{}
	for _, i := range test {
		classes[tab.target[i]]++
		if i == 7 || i == 8 {
			t.Errorf("row %d has no target but is in the test side", i)
		}
	}
	// 39 rows with a target: a 29, b 10 (the last row included) → 7 and 3 (2.5 rounds up).
	if classes["a"] != 7 || classes["b"] != 3 {
		t.Errorf("test classes %v, want a 7, b 3", classes)
	}
	out := filepath.Join(dir, "test.csv")
	if err := tab.write(out, test); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	if !strings.HasPrefix(string(got), "id,\"note\",y\r\n") || strings.Count(string(got), "\nline\"") != countLine(test, tab) {
		t.Errorf("written file %q", got)
	}
}

// countLine counts the rows among rows whose raw text holds a quoted line
// break.
func countLine(rows []int, tab *table) int {
	n := 0
	for _, i := range rows {
		if strings.Contains(string(tab.raw[i]), "\nline\"") {
			n++
		}
	}
	return n
}
