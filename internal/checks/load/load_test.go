package load

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/check/checktest"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/probe/probetest"
	"golive.dev/golive/internal/verdict"
)

// TestCapacityStepsBoundedByUserDuration: a pack's step duration never
// stretches the run beyond the duration the user gave --load.
func TestCapacityStepsBoundedByUserDuration(t *testing.T) {
	s := probetest.Start(t)
	r := check.NewRegistry()
	Register(r)
	in := source.Inputs{Targets: []source.Target{{URL: s.GoodHTTP.URL}}, Load: "rate=20/s,duration=300ms,path=/health"}
	start := time.Now()
	out := checktest.Run(t, r, "load/capacity", in, map[string]any{"steps": []any{"10", "20", "40"}, "stepDuration": "15s"})
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("three steps took %s: the 15s step was not capped at --load's 300ms", took)
	}
	if out.Status != verdict.Unverified {
		t.Fatalf("status %s, want unverified (every step holds): %+v", out.Status, out.Findings)
	}
}

func TestChecks(t *testing.T) {
	s := probetest.Start(t)
	r := check.NewRegistry()
	Register(r)
	in := func(url, spec string) source.Inputs {
		return source.Inputs{Targets: []source.Target{{URL: url}}, Load: spec, Token: probetest.Token}
	}
	good := in(s.GoodHTTP.URL, "rate=200/s,duration=1s,concurrency=20,path=/health")
	slow := in(s.BadHTTP.URL, "rate=100/s,duration=1s,concurrency=2,path=/slow")
	flaky := in(s.BadHTTP.URL, "rate=100/s,duration=1s,path=/flaky")
	// Answers the first request (the reachability check), then drops every connection.
	var calls atomic.Int64
	dropping := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			return
		}
		if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
			c.Close()
		}
	}))
	t.Cleanup(dropping.Close)
	type tc struct {
		id     string
		in     source.Inputs
		params map[string]any
		want   verdict.Status
	}
	cases := []tc{
		{"load/latency", good, map[string]any{"maxP95": "250ms", "maxP99": "500ms"}, verdict.Pass},
		{"load/latency", slow, map[string]any{"maxP95": "20ms"}, verdict.Fail},
		{"load/latency", in(dropping.URL, "rate=50/s,duration=500ms"), map[string]any{"maxP95": "1s"}, verdict.Unverified},
		{"load/latency", in(s.GoodHTTP.URL, ""), map[string]any{"maxP95": "1s"}, verdict.Unverified},
		{"load/latency", in("http://127.0.0.1:1", "rate=10/s,duration=1s"), map[string]any{"maxP95": "1s"}, verdict.Unverified},
		{"load/error-rate", good, nil, verdict.Pass},
		{"load/error-rate", flaky, nil, verdict.Fail},
		{"load/error-rate", good, map[string]any{"mix": []any{"GET /health 3", "GET /api/protected 1"}, "auth": true}, verdict.Pass},
		{"load/throughput", good, map[string]any{"minRatio": 0.8}, verdict.Pass},
		{"load/throughput", slow, map[string]any{"minRatio": 0.8}, verdict.Fail},
		// acton-service's 2x-peak test: twice --load's rate.
		{"load/throughput", good, map[string]any{"multiplier": 2.0, "minRPS": 300.0}, verdict.Pass},
		{"load/capacity", in(s.BadHTTP.URL, "rate=10/s,duration=1s,concurrency=2,path=/slow"), map[string]any{"steps": []any{"20", "300"}, "stepDuration": "1s", "maxP95": "100ms"}, verdict.Pass},
		{"load/capacity", flaky, map[string]any{"steps": []any{"20", "40"}, "stepDuration": "1s"}, verdict.Fail},
		{"load/capacity", good, map[string]any{"steps": []any{"20", "40"}, "stepDuration": "1s"}, verdict.Unverified},
	}
	// Baselines: the good run's own figures, scaled to be far better or far
	// worse than any rerun, so that the verdict does not hang on noise.
	ref := checktest.Run(t, r, "load/latency", good, map[string]any{"maxP95": "10s"})
	baseline := func(scale float64) source.Inputs {
		ev := map[string]any{}
		for k, v := range ref.Findings[0].Evidence {
			ev[k] = v
		}
		for _, k := range []string{"p95Ms", "p99Ms"} {
			ev[k] = ev[k].(float64) * scale
		}
		ev["throughputRps"] = ev["throughputRps"].(float64) / scale
		rep := verdict.Report{SchemaVersion: verdict.SchemaVersion, Packs: []verdict.PackResult{{Name: "p",
			Items: []verdict.ItemResult{{ID: "x", Findings: []verdict.Finding{{Check: "load/latency", Status: verdict.Pass, Evidence: ev}}}}}}}
		data, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "base.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		in := good
		in.Baseline = path
		return in
	}
	cases = append(cases,
		tc{"load/baseline", baseline(1000), nil, verdict.Pass},
		tc{"load/baseline", baseline(0.001), nil, verdict.Fail},
		tc{"load/baseline", good, nil, verdict.Unverified},
	)
	var table []checktest.Case
	for i, c := range cases {
		table = append(table, checktest.Case{Name: fmt.Sprintf("%d-%s-%s", i, c.id, c.want), ID: c.id, Inputs: c.in, With: c.params, Want: c.want})
	}
	checktest.Table(t, r, table, func(t *testing.T, c checktest.Case, out check.Outcome) {
		checktest.NoLeak(t, out.Findings, probetest.Token)
	})
}
