// Command loadbench measures golive's load generator: "serve" runs a trivial
// loopback server, "run" drives it with the generator and prints the figures
// as JSON. bench/load.sh uses both and compares with wrk.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"time"

	"golive.dev/golive/internal/source/load"
)

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: loadbench serve|run [flags]")
	}
	switch os.Args[1] {
	case "serve":
		fs := flag.NewFlagSet("serve", flag.ExitOnError)
		addr := fs.String("addr", "127.0.0.1:18080", "listen address")
		_ = fs.Parse(os.Args[2:])
		http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			if d, err := time.ParseDuration(r.URL.Query().Get("d")); err == nil && d < time.Second {
				time.Sleep(d)
			}
			_, _ = io.WriteString(w, "ok\n")
		})
		log.Fatal(http.ListenAndServe(*addr, nil))
	case "run":
		fs := flag.NewFlagSet("run", flag.ExitOnError)
		url := fs.String("url", "http://127.0.0.1:18080", "base URL")
		path := fs.String("path", "/", "path")
		rate := fs.Float64("rate", 20000, "requests per second")
		dur := fs.Duration("duration", 10*time.Second, "duration")
		conc := fs.Int("concurrency", 64, "requests in flight cap")
		_ = fs.Parse(os.Args[2:])
		sp := load.Spec{Rate: *rate, Duration: *dur, Concurrency: *conc, Timeout: 5 * time.Second,
			Mix: []load.Op{{Method: "GET", Path: *path, Weight: 1}}}
		res, err := load.Run(context.Background(), sp, load.Options{BaseURL: *url})
		if err != nil {
			log.Fatal(err)
		}
		us := func(q float64, h func(float64) time.Duration) float64 { return float64(h(q).Microseconds()) / 1000 }
		out := map[string]any{
			"offeredRps": *rate, "throughputRps": res.Throughput, "sent": res.Sent, "unsent": res.Unsent,
			"errorRate": res.ErrorRate(), "maxSendLagMs": float64(res.MaxLagUs) / 1000,
			"p50Ms": us(0.5, res.Quantile), "p99Ms": us(0.99, res.Quantile),
			"serviceP50Ms": us(0.5, res.ServiceQuantile), "serviceP90Ms": us(0.9, res.ServiceQuantile),
			"serviceP99Ms": us(0.99, res.ServiceQuantile), "serviceMeanMs": res.Service.Mean() / 1000,
		}
		b, _ := json.Marshal(out)
		fmt.Println(string(b))
	default:
		log.Fatalf("unknown command %q", os.Args[1])
	}
}
