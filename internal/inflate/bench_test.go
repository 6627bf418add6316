package inflate

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"testing"

	kgzip "github.com/klauspost/compress/gzip"
)

// BenchmarkInflate inflates the file named by $INFLATE_BENCH (a large
// gzip file, such as benchmarks/synth's table gzipped), or a CSV-like
// text made here, with this package, klauspost's and the standard
// library's gzip readers.
//
//	INFLATE_BENCH=/tmp/mixed.csv.gz go test -bench Inflate -benchtime 3x ./internal/inflate
func BenchmarkInflate(b *testing.B) {
	var z []byte
	if name := os.Getenv("INFLATE_BENCH"); name != "" {
		var err error
		if z, err = os.ReadFile(name); err != nil {
			b.Fatal(err)
		}
	} else {
		z = gzipped(b, bytes.Repeat(texts()["csv"], 10), 6, false)
	}
	readers := map[string]func(io.Reader) (io.Reader, error){
		"this":      func(r io.Reader) (io.Reader, error) { return NewReader(r) },
		"klauspost": func(r io.Reader) (io.Reader, error) { return kgzip.NewReader(r) },
		"stdlib":    func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
	}
	for _, name := range []string{"this", "klauspost", "stdlib"} {
		b.Run(name, func(b *testing.B) {
			buf := make([]byte, 1<<20)
			for b.Loop() {
				r, err := readers[name](bytes.NewReader(z))
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for {
					k, err := r.Read(buf)
					n += k
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				b.SetBytes(int64(n))
			}
		})
	}
}
