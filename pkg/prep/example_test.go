package prep_test

import (
	"context"
	"fmt"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/prep"
)

// Fit on the training rows, then apply: the missing number is imputed with
// the training mean (2, which standardizes to 0), an indicator column says
// it was missing; one-hot and indicator columns are not scaled.
func ExampleFit() {
	ctx := context.Background()
	text := "x,color,y\n1,red,0\n3,blue,1\n,red,0\n"
	tab, err := csvdata.ReadBytes[float64](context.Background(), "t.csv", []byte(text), csvdata.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := prep.Fit(ctx, tab, nil, prep.Options{Task: prep.Classify, MissingIndicator: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	x, err := prep.Transform(ctx, p, tab.X)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Fill[0], p.Labels, p.InputWidth())
	fmt.Println(x.Row(2))
	// Output:
	// 2 [0 1] 4
	// [0 0 1 1]
}
