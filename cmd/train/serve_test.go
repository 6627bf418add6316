package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/densetrain/densetrain/pkg/tabular"
)

func TestServeCommand(t *testing.T) {
	bin := binary(t)
	m, err := tabular.Fit(context.Background(), tabular.File("../../testdata/iris.csv"),
		tabular.Config{Epochs: 3, Hidden: []int{8}, Seed: 1})
	require.NoError(t, err)
	model := filepath.Join(t.TempDir(), "iris.safetensors")
	require.NoError(t, m.Save(model))

	cmd := exec.Command(bin, "serve", "--model", model, "--addr", "127.0.0.1:0", "--log-requests")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(stderr)
	require.True(t, lines.Scan(), "no serving line")
	match := regexp.MustCompile(`^serving .*iris\.safetensors as iris on (http://127\.0\.0\.1:\d+)$`).FindStringSubmatch(lines.Text())
	require.NotNil(t, match, lines.Text())
	url := match[1]
	rest := make(chan string, 1)
	go func() {
		var b strings.Builder
		for lines.Scan() {
			b.WriteString(lines.Text() + "\n")
		}
		rest <- b.String()
	}()

	body := `{"id":"1","inputs":[` +
		`{"name":"sepal_length_cm","datatype":"FP32","shape":[1,1],"data":[5.1]},` +
		`{"name":"sepal_width_cm","datatype":"FP32","shape":[1,1],"data":[3.5]},` +
		`{"name":"petal_length_cm","datatype":"FP32","shape":[1,1],"data":[1.4]},` +
		`{"name":"petal_width_cm","datatype":"FP32","shape":[1,1],"data":[0.2]}]}`
	resp, err := http.Post(url+"/v2/models/iris/infer", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", b)
	var got struct {
		ID      string
		Outputs []struct{ Name string }
	}
	require.NoError(t, json.Unmarshal(b, &got))
	assert.Equal(t, "1", got.ID)
	require.Len(t, got.Outputs, 2)
	assert.Equal(t, "label", got.Outputs[0].Name)
	http.DefaultClient.CloseIdleConnections()

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		require.NoError(t, err, "exit status")
	case <-time.After(5 * time.Second):
		t.Fatal("no exit within 5 s of SIGTERM")
	}
	log := <-rest
	assert.Contains(t, log, `POST "/v2/models/iris/infer" 200 `)
}

func TestServeUsageErrors(t *testing.T) {
	m, err := tabular.Fit(context.Background(), tabular.File("../../testdata/iris.csv"),
		tabular.Config{Epochs: 1, Hidden: []int{4}, Seed: 1})
	require.NoError(t, err)
	model := filepath.Join(t.TempDir(), "iris.safetensors")
	require.NoError(t, m.Save(model))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	for _, args := range [][]string{
		{"--model", model, "--addr", ln.Addr().String()},
		{"--model", model, "--name", "a/b"},
		{},
		{"--model", "../../testdata/iris.csv"},
		{"--model", "m.safetensors", "--max-body", "0"},
		{"--model", "x", "--bogus"},
	} {
		code := run(context.Background(), append([]string{"serve"}, args...), io.Discard, io.Discard)
		assert.Equal(t, 2, code, "%v", args)
	}
}
