package tabular_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/densetrain/densetrain/pkg/tabular"
)

// A table with a missing cell, a text column and a regression target in
// dollars: fit, save, load, predict new rows (one with a city the training
// data never saw) in dollars.
func Example() {
	ctx := context.Background()
	train := "city,sqft,price\nSacramento,836,59222\nDavis,1167,68212\nSacramento,,68880\nDavis,1100,69307\n" +
		"Sacramento,1200,81900\nDavis,900,89921\nSacramento,1500,90895\nDavis,1600,91002\n"
	m, err := tabular.Fit(ctx, tabular.Reader("train", strings.NewReader(train)),
		tabular.Config{Targets: []string{"price"}, Task: "regress", Hidden: []int{8}, Epochs: 50, Workers: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	path := filepath.Join(os.TempDir(), "example.safetensors")
	defer os.Remove(path)
	if err := m.Save(path); err != nil {
		fmt.Println(err)
		return
	}
	m, err = tabular.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	pred, err := m.Predict(ctx, tabular.Reader("new", strings.NewReader("city,sqft\nDavis,1000\nFolsom,NA\n")), tabular.PredictOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Prep.Task, pred.TargetNames, pred.Values.Rows, pred.Values.At(0, 0) > 10000, pred.Unseen[0].First)
	// Output: regress [price] 2 true Folsom
}

// Rows given column by column — as a server receives them — get the
// answers the same rows get as CSV: a missing number is NaN, a missing
// category "" (or an NA token).
func ExampleModel_PredictColumns() {
	ctx := context.Background()
	train := "color,w,y\nred,1,a\nblue,2,b\nred,1.5,a\nblue,2.5,b\nred,,a\nblue,3,b\n"
	m, err := tabular.Fit(ctx, tabular.Bytes("train", []byte(train)), tabular.Config{Hidden: []int{4}, Epochs: 20, Workers: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	cols := []tabular.Column{
		{Name: "color", Texts: []string{"red", "green"}},
		{Name: "w", Numbers: []float64{1, math.NaN()}},
	}
	pred, err := m.PredictColumns(ctx, cols, tabular.PredictOptions{Workers: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	same, err := m.Predict(ctx, tabular.Bytes("rows.csv", []byte("color,w\nred,1\ngreen,\n")), tabular.PredictOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(pred.Labels), pred.ClassNames, pred.Unseen[0].First, pred.Probabilities.Data[0] == same.Probabilities.Data[0])
	// Output: 2 [a b] green true
}
