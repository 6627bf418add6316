package serve_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/densetrain/densetrain/pkg/serve"
	"github.com/densetrain/densetrain/pkg/tabular"
)

// A model behind the Open Inference Protocol: one input per feature
// column, the label and the probabilities back.
func ExampleNewHandler() {
	ctx := context.Background()
	train := "x,y\n0,low\n1,low\n2,low\n8,high\n9,high\n10,high\n"
	m, err := tabular.Fit(ctx, tabular.Bytes("train", []byte(train)), tabular.Config{Hidden: []int{4}, Epochs: 200, Workers: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := httptest.NewServer(serve.NewHandler(m, serve.Options{Name: "levels"}))
	defer s.Close()
	resp, err := http.Post(s.URL+"/v2/models/levels/infer", "application/json", strings.NewReader(
		`{"id":"1","inputs":[{"name":"x","datatype":"FP32","shape":[2,1],"data":[0.5,9.5]}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, strings.Contains(string(body), `"data":["low","high"]`))
	// Output: 200 true
}
