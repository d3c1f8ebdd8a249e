// loadgen: a small HTTP/1.1 load generator for the benchmarks in bench/ (standard library only).
//
// It reads requests (one JSON object a line: method, path, headers, body) and sends them over
// -conns keep-alive connections, each connection taking the next request in turn, for -duration,
// until every request has been sent once (-once), or until -count requests have been sent. It prints one JSON object: counts by status,
// throughput, latency quantiles and its own CPU time, so a run can show the generator did not
// starve the service it measures.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type request struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

type result struct {
	Sent       int            `json:"sent"`
	Statuses   map[string]int `json:"statuses"`
	Seconds    float64        `json:"seconds"`
	PerSecond  float64        `json:"ok_per_second"`
	P50Ms      float64        `json:"p50_ms"`
	P90Ms      float64        `json:"p90_ms"`
	P99Ms      float64        `json:"p99_ms"`
	MaxMs      float64        `json:"max_ms"`
	CPUSeconds float64        `json:"loadgen_cpu_seconds"`
}

type sample struct {
	status  string
	latency time.Duration
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8000", "the server")
	file := flag.String("requests", "", "requests, one JSON object a line")
	conns := flag.Int("conns", 8, "concurrent keep-alive connections")
	duration := flag.Duration("duration", 5*time.Second, "how long to send (ignored with -once)")
	once := flag.Bool("once", false, "send each request once, then stop")
	count := flag.Int("count", 0, "send this many requests (cycling through them), then stop")
	deadline := flag.Duration("deadline", 5*time.Minute, "stop sending after this long, whatever")
	timeout := flag.Duration("timeout", 60*time.Second, "one request's timeout")
	flag.Parse()

	requests, err := load(*file)
	if err != nil || len(requests) == 0 {
		fmt.Fprintln(os.Stderr, "loadgen: no requests:", err)
		os.Exit(2)
	}
	client := &http.Client{
		Timeout: *timeout,
		Transport: &http.Transport{
			MaxIdleConnsPerHost: *conns,
			MaxConnsPerHost:     *conns,
			DisableCompression:  true,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		},
	}
	stop := time.Now().Add(*deadline)
	limit := *count
	if *once {
		limit = len(requests)
	}
	if limit == 0 && time.Now().Add(*duration).Before(stop) {
		stop = time.Now().Add(*duration)
	}
	var next int64 = -1
	samples := make([][]sample, *conns)
	started := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < *conns; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for time.Now().Before(stop) {
				i := int(atomic.AddInt64(&next, 1))
				if limit > 0 && i >= limit {
					return
				}
				samples[c] = append(samples[c], send(client, *base, requests[i%len(requests)]))
			}
		}(c)
	}
	wg.Wait()
	report(samples, time.Since(started))
}

func load(path string) ([]request, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var requests []request
	decoder := json.NewDecoder(bytes.NewReader(data))
	for decoder.More() {
		var r request
		if err := decoder.Decode(&r); err != nil {
			return nil, err
		}
		requests = append(requests, r)
	}
	return requests, nil
}

func send(client *http.Client, base string, r request) sample {
	req, err := http.NewRequest(r.Method, base+r.Path, bytes.NewBufferString(r.Body))
	if err != nil {
		return sample{"error", 0}
	}
	for name, value := range r.Headers {
		req.Header.Set(name, value)
	}
	started := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return sample{"error", time.Since(started)}
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return sample{fmt.Sprint(resp.StatusCode), time.Since(started)}
}

func report(samples [][]sample, elapsed time.Duration) {
	out := result{Statuses: map[string]int{}, Seconds: elapsed.Seconds()}
	var latencies []float64
	ok := 0
	for _, per := range samples {
		for _, s := range per {
			out.Sent++
			out.Statuses[s.status]++
			if len(s.status) == 3 && s.status[0] == '2' {
				ok++
			}
			if s.status != "error" { // every answer counts, as an acknowledgement's time
				latencies = append(latencies, float64(s.latency.Microseconds())/1000)
			}
		}
	}
	sort.Float64s(latencies)
	out.PerSecond = float64(ok) / elapsed.Seconds()
	out.P50Ms, out.P90Ms, out.P99Ms = quantile(latencies, 0.5), quantile(latencies, 0.9), quantile(latencies, 0.99)
	if len(latencies) > 0 {
		out.MaxMs = latencies[len(latencies)-1]
	}
	var usage syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &usage) == nil {
		out.CPUSeconds = time.Duration(usage.Utime.Nano() + usage.Stime.Nano()).Seconds()
	}
	json.NewEncoder(os.Stdout).Encode(out)
}

func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q * float64(len(sorted)))
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return sorted[i]
}
