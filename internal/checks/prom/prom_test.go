package prom

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/check/checktest"
	"golive.dev/golive/internal/source"
	src "golive.dev/golive/internal/source/prom"
	"golive.dev/golive/internal/testenv"
	"golive.dev/golive/internal/verdict"
)

// service is a test target exporting a request counter and a latency
// histogram; a background loop keeps traffic flowing so rates are defined.
type service struct {
	srv  *httptest.Server
	stop chan struct{}
	wg   sync.WaitGroup
}

func newService(t *testing.T, errEvery int, latency float64) *service {
	reg := prometheus.NewRegistry()
	reqs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "http_requests_total", Help: "requests"}, []string{"code"})
	dur := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "http_request_duration_seconds", Help: "latency", Buckets: []float64{0.01, 0.05, 0.1, 0.5, 1, 2.5, 5}})
	cmds := prometheus.NewCounter(prometheus.CounterOpts{Name: "eventcore_commands_total", Help: "commands"})
	reg.MustRegister(reqs, dur, cmds)
	s := &service{srv: httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})), stop: make(chan struct{})}
	tick := func(i int) {
		code := "200"
		if errEvery > 0 && i%errEvery == 0 {
			code = "500"
		}
		reqs.WithLabelValues(code).Inc()
		dur.Observe(latency)
		cmds.Inc()
	}
	for i := 1; i <= 20; i++ {
		tick(i)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		i := 20
		for {
			select {
			case <-s.stop:
				return
			case <-time.After(20 * time.Millisecond):
				i++
				tick(i)
			}
		}
	}()
	t.Cleanup(func() { close(s.stop); s.wg.Wait(); s.srv.Close() })
	return s
}

func (s *service) addr() string { return strings.TrimPrefix(s.srv.URL, "http://") }

const rules = `groups:
  - name: app
    rules:
      - alert: HighErrorRate
        expr: sum by (job) (rate(http_requests_total{code=~"5.."}[10s])) / sum by (job) (rate(http_requests_total[10s])) > 0.1
        labels: {severity: critical}
      - record: job:http_requests:rate10s
        expr: sum by (job) (rate(http_requests_total[10s]))
      - record: missing:rate1m
        expr: sum(rate(does_not_exist_total[1m]))
  - name: broken
    rules:
      - record: broken:many_to_many
        expr: up * on() group_left() up
`

func startProm(t *testing.T) string {
	good := newService(t, 0, 0.03)
	bad := newService(t, 2, 2.0)
	p := testenv.StartPrometheus(t, testenv.PromOptions{
		Jobs: []testenv.ScrapeJob{
			{Job: "good", Targets: []string{good.addr()}},
			{Job: "bad", Targets: []string{bad.addr()}},
			{Job: "down", Targets: []string{fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))}},
		},
		Rules: rules,
	})
	c, err := src.New(p.URL)
	if err != nil {
		t.Fatal(err)
	}
	ready := func(expr string) func(ctx context.Context) bool {
		return func(ctx context.Context) bool {
			c.Now = time.Now()
			r, err := c.Query(ctx, expr, time.Time{})
			return err == nil && len(r.Samples) > 0
		}
	}
	p.WaitFor(t, "targets up", 60*time.Second, ready(`count(up{job=~"good|bad"} == 1) == 2`))
	p.WaitFor(t, "rates defined", 60*time.Second, ready(`rate(http_requests_total{job="good"}[10s]) > 0`))
	p.WaitFor(t, "down target scraped", 60*time.Second, ready(`up{job="down"} == 0`))
	p.WaitFor(t, "alert firing", 60*time.Second, ready(`ALERTS{alertname="HighErrorRate",alertstate="firing"}`))
	p.WaitFor(t, "broken rule evaluated", 60*time.Second, func(ctx context.Context) bool {
		rs, err := c.Rules(ctx)
		if err != nil {
			return false
		}
		for _, r := range rs {
			if r.Name == "broken:many_to_many" && r.Health == "err" {
				return true
			}
		}
		return false
	})
	// history needs a few seconds of data behind now
	time.Sleep(2 * time.Second)
	return p.URL
}

// judged holds what every finding of a check must carry; an input the
// test gave must never be reported missing.
func judged(t *testing.T, c checktest.Case, out check.Outcome) {
	if out.Missing != nil {
		t.Errorf("%s: input reported missing: %v", c.ID, out.Missing)
	}
	for _, f := range out.Findings {
		if f.Message == "" || f.Check != c.ID {
			t.Errorf("finding without message or check id: %+v", f)
		}
	}
}

func TestChecksAgainstRealPrometheus(t *testing.T) {
	url := startProm(t)
	r := check.NewRegistry()
	Register(r)

	cases := []struct {
		name string
		id   string
		with map[string]any
		want verdict.Status
	}{
		{"targets up", "prom/targets-up", map[string]any{"job": "good"}, verdict.Pass},
		{"target down", "prom/targets-up", map[string]any{"job": "down"}, verdict.Fail},
		{"no targets for job", "prom/targets-up", map[string]any{"job": "nosuchjob"}, verdict.Fail},
		{"error rate low", "prom/error-rate", map[string]any{"job": "good", "window": "10s", "max": 0.05}, verdict.Pass},
		{"error rate high", "prom/error-rate", map[string]any{"job": "bad", "window": "10s", "max": 0.05}, verdict.Fail},
		{"error rate missing counter", "prom/error-rate", map[string]any{"job": "good", "totalMetric": "nope_total"}, verdict.Fail},
		{"p95 fast", "prom/latency", map[string]any{"job": "good", "window": "10s", "max": 1.0}, verdict.Pass},
		{"p95 slow", "prom/latency", map[string]any{"job": "bad", "window": "10s", "max": 1.0}, verdict.Fail},
		{"metrics fresh", "prom/metrics-present", map[string]any{"job": "good", "metrics": []any{"eventcore_commands_total", "http_request_duration_seconds"}}, verdict.Pass},
		{"metric missing", "prom/metrics-present", map[string]any{"job": "good", "metrics": []any{"eventcore_commands_total", "eventcore_active_streams"}}, verdict.Fail},
		{"metrics fresh long window", "prom/metrics-present", map[string]any{"job": "good", "metrics": []any{"eventcore_commands"}, "maxAge": "1h"}, verdict.Pass},
		{"rules loaded", "prom/rules-loaded", map[string]any{"rules": []any{"HighErrorRate"}, "exprContains": []any{"rate(http_requests_total[10s])"}, "groups": "app", "healthy": true}, verdict.Pass},
		{"rule missing", "prom/rules-loaded", map[string]any{"rules": []any{"HighErrorRate", "HighLatency"}}, verdict.Fail},
		{"rule unhealthy", "prom/rules-loaded", map[string]any{"healthy": true}, verdict.Fail},
		{"recording rule fresh", "prom/rules-loaded", map[string]any{"patterns": []any{"^job:"}, "recordingFresh": true}, verdict.Pass},
		{"recording rule without series", "prom/rules-loaded", map[string]any{"patterns": []any{"^missing:"}, "recordingFresh": true}, verdict.Fail},
		{"no alertmanager", "prom/rules-loaded", map[string]any{"alertmanager": true}, verdict.Fail},
		{"no alert for good", "prom/no-alerts-firing", map[string]any{"selector": map[string]any{"job": "good"}}, verdict.Pass},
		{"alert firing for bad", "prom/no-alerts-firing", map[string]any{"selector": map[string]any{"job": "bad"}, "severities": []any{"critical"}}, verdict.Fail},
		{"query up == 1", "prom/query", map[string]any{"expr": `up{job="good"}`, "op": "==", "threshold": 1}, verdict.Pass},
		{"query up == 1 fails for down", "prom/query", map[string]any{"expr": `up{job="down"}`, "op": "==", "threshold": 1}, verdict.Fail},
		{"query empty unverified", "prom/query", map[string]any{"expr": `up{job="nosuchjob"}`}, verdict.Unverified},
		{"query empty is fail", "prom/query", map[string]any{"expr": `up{job="nosuchjob"}`, "empty": "fail"}, verdict.Fail},
		{"history short", "prom/history", map[string]any{"minHistory": "1s"}, verdict.Pass},
		{"history long", "prom/history", map[string]any{"minHistory": "24h"}, verdict.Fail},
	}
	var table []checktest.Case
	for _, tc := range cases {
		table = append(table, checktest.Case{Name: tc.name, ID: tc.id, Inputs: source.Inputs{Prometheus: url}, With: tc.with, Want: tc.want})
	}
	checktest.Table(t, r, table, judged)
}

func TestMissingAndUnreachable(t *testing.T) {
	r := check.NewRegistry()
	Register(r)
	for _, in := range []source.Inputs{{}, {Prometheus: fmt.Sprintf("http://user:s3cret@127.0.0.1:%d", testenv.FreePort(t))}} {
		for _, c := range r.All() {
			with := map[string]any{}
			for _, p := range c.Params {
				if p.Required {
					with[p.Name] = map[check.ParamType]any{check.String: "up", check.Strings: []any{"up"}}[p.Type]
				}
			}
			out := checktest.Run(t, r, c.ID, in, with)
			// The one finding is the engine's for the missing input: the
			// check itself returned none beside its error.
			if out.Missing == nil || len(out.Findings) != 1 {
				t.Fatalf("%s with %+v: want a Missing error alone, got %s", c.ID, in, checktest.Show(out.Findings))
			}
			if out.Missing.Input != "--prometheus" {
				t.Errorf("%s: missing input named %q", c.ID, out.Missing.Input)
			}
			checktest.NoLeak(t, out.Findings, "s3cret")
		}
	}
}
