package tabular_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/densetrain/densetrain/pkg/tabular"
)

// The class is the sign of x; noise is noise: shuffling x costs the
// model most of its accuracy, shuffling noise next to nothing.
func ExampleModel_Importance() {
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("noise,x,y\n")
	for i := range 200 {
		x, noise := float64(i%20)-9.5, float64(i*7%13)
		fmt.Fprintf(&b, "%g,%g,%v\n", noise, x, x > 0)
	}
	table := tabular.Bytes("table", []byte(b.String()))
	m, err := tabular.Fit(ctx, table, tabular.Config{Hidden: []int{8}, Epochs: 30, Workers: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	imp, err := m.Importance(ctx, table, tabular.ImportanceOptions{Repeats: 3, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(imp.Metric, imp.Columns[0].Name, imp.Columns[0].Mean > 0.3, imp.Columns[1].Name, imp.Columns[1].Mean < 0.05)
	// Output: accuracy x true noise true
}
