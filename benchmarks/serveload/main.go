// Command serveload is a small load generator for train serve: C clients
// send N requests in all (keep-alive connections), each the same body, and
// it prints the requests per second, the failures (transport errors and
// statuses other than 200) and the latency percentiles in microseconds.
//
//	go run ./benchmarks/serveload -url http://127.0.0.1:8080/v2/models/m/infer -body one.json -c 1 -n 5000
//
// Times are measured per request, from sending to the end of reading the
// response; -warmup requests are sent first and not counted.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	url := flag.String("url", "", "the URL to POST to (required)")
	bodyPath := flag.String("body", "", "file whose bytes are every request's body (required)")
	ctype := flag.String("type", "application/json", "Content-Type of the requests")
	clients := flag.Int("c", 1, "concurrent clients")
	total := flag.Int("n", 1000, "requests in all")
	warmup := flag.Int("warmup", 100, "requests sent first and not counted")
	flag.Parse()
	if *url == "" || *bodyPath == "" || *clients < 1 || *total < 1 || *warmup < 0 {
		fmt.Fprintln(os.Stderr, "serveload: -url and -body are required; -c and -n at least 1")
		os.Exit(2)
	}
	body, err := os.ReadFile(*bodyPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "serveload:", err)
		os.Exit(2)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *clients}}
	send := func() (time.Duration, bool) {
		start := time.Now()
		resp, err := client.Post(*url, *ctype, bytes.NewReader(body))
		if err != nil {
			return time.Since(start), false
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return time.Since(start), err == nil && resp.StatusCode == http.StatusOK
	}
	for range *warmup {
		send()
	}
	lat := make([]time.Duration, *total)
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range *clients {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(*total) {
					return
				}
				d, ok := send()
				lat[i] = d
				if !ok {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[min(int(p*float64(len(lat))), len(lat)-1)].Microseconds()) }
	fmt.Printf("%d requests, %d clients, %d failed, %.0f requests/s; latency µs: p50 %.0f, p90 %.0f, p99 %.0f, p99.9 %.0f, max %.0f\n",
		*total, *clients, failed.Load(), float64(*total)/wall.Seconds(), pct(0.5), pct(0.9), pct(0.99), pct(0.999), float64(lat[len(lat)-1].Microseconds()))
	if failed.Load() > 0 {
		os.Exit(1)
	}
}
