package csvdata_test

import (
	"context"
	"fmt"

	"github.com/densetrain/densetrain/pkg/csvdata"
)

// A table with a missing cell, an NA token and a text column: numbers stay
// one column each (NaN where missing), text becomes one-hot columns, the
// last column is the target.
func ExampleReadBytes() {
	text := "size;color;price\n1.5;red;10\nNA;blue;12\n2;;11\n"
	tab, err := csvdata.ReadBytes[float64](context.Background(), "houses.csv", []byte(text), csvdata.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tab.Schema.Names())
	for i := range tab.X.Rows {
		fmt.Println(tab.X.Row(i), tab.Targets[0].Text(i))
	}
	// Output:
	// [size color= color=blue color=red]
	// [1.5 0 0 1] 10
	// [NaN 0 1 0] 12
	// [2 1 0 0] 11
}
