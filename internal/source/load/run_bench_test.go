package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"
)

// trivialServer answers 200 with a short body; /delay sleeps first so both
// this generator and a second client can be compared against a known
// service time.
func trivialServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := r.URL.Query().Get("delay"); d != "" {
			if dd, err := time.ParseDuration(d); err == nil {
				time.Sleep(dd)
			}
		}
		_, _ = w.Write([]byte("ok\n"))
	}))
}

// BenchmarkGenerator drives the trivial loopback server at the rate given by
// GOLIVE_BENCH_RATE (default 20000/s) for GOLIVE_BENCH_DURATION (default 5s)
// once, and reports the achieved throughput and latency quantiles.
func BenchmarkGenerator(b *testing.B) {
	rate := 20000.0
	if v, err := strconv.ParseFloat(os.Getenv("GOLIVE_BENCH_RATE"), 64); err == nil {
		rate = v
	}
	dur := 5 * time.Second
	if v, err := time.ParseDuration(os.Getenv("GOLIVE_BENCH_DURATION")); err == nil {
		dur = v
	}
	url := os.Getenv("GOLIVE_BENCH_URL")
	if url == "" {
		srv := trivialServer()
		defer srv.Close()
		url = srv.URL
	}
	path := os.Getenv("GOLIVE_BENCH_PATH")
	if path == "" {
		path = "/"
	}
	conc := 64
	if v, err := strconv.Atoi(os.Getenv("GOLIVE_BENCH_CONCURRENCY")); err == nil {
		conc = v
	}
	for i := 0; i < b.N; i++ {
		sp := Spec{Rate: rate, Duration: dur, Concurrency: conc, Timeout: 5 * time.Second,
			Mix: []Op{{Method: "GET", Path: path, Weight: 1}}}
		res, err := Run(context.Background(), sp, Options{BaseURL: url})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(res.Throughput, "req/s")
		b.ReportMetric(float64(res.Quantile(0.5).Microseconds()), "p50-us")
		b.ReportMetric(float64(res.Quantile(0.99).Microseconds()), "p99-us")
		b.ReportMetric(float64(res.ServiceQuantile(0.5).Microseconds()), "svc-p50-us")
		b.ReportMetric(res.Service.Mean(), "svc-mean-us")
		b.ReportMetric(float64(res.ServiceQuantile(0.99).Microseconds()), "svc-p99-us")
		b.ReportMetric(res.ErrorRate(), "err-rate")
		b.ReportMetric(float64(res.Unsent), "unsent")
		b.ReportMetric(float64(res.MaxLagUs), "max-lag-us")
	}
}
