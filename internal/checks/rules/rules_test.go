package rules

import (
	"context"
	"path/filepath"
	"testing"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/verdict"
)

func run(t *testing.T, id, dir string, raw map[string]any) (verdict.Status, []verdict.Finding) {
	t.Helper()
	reg := check.NewRegistry()
	Register(reg)
	c, ok := reg.Lookup(id)
	if !ok {
		t.Fatalf("check %s not registered", id)
	}
	p, err := c.Resolve(raw)
	if err != nil {
		t.Fatalf("resolve %s: %v", id, err)
	}
	env := source.NewEnv(source.Inputs{Paths: []string{filepath.Join("testdata", dir)}})
	fs, err := c.Run(context.Background(), env, p)
	if err != nil {
		if _, ok := source.AsMissing(err); ok {
			return verdict.Unverified, nil
		}
		t.Fatalf("%s on %s: %v", id, dir, err)
	}
	var sts []verdict.Status
	for _, f := range fs {
		if f.Check != id {
			t.Errorf("finding names check %q, want %q", f.Check, id)
		}
		if f.Status == verdict.Fail && f.File != "" && f.Line == 0 {
			t.Errorf("%s: failing finding in %s without a line: %s", id, f.File, f.Message)
		}
		sts = append(sts, f.Status)
	}
	return verdict.Combine(sts...), fs
}

type m = map[string]any

func TestChecks(t *testing.T) {
	tests := []struct {
		name, id, dir string
		params        m
		want          verdict.Status
	}{
		{"error ratio 5% critical via recording rule", "rules/alert", "pass", m{"measure": "error-ratio", "threshold": 0.05, "severity": "critical", "minFor": "5m"}, verdict.Pass},
		{"error ratio 1% warning as percent", "rules/alert", "pass", m{"measure": "error-ratio", "threshold": 0.01, "severity": "warning", "exact": true}, verdict.Pass},
		{"error ratio scoped to job", "rules/alert", "pass", m{"measure": "error-ratio", "threshold": 0.05, "matchers": m{"job": "api"}}, verdict.Pass},
		{"error ratio scoped to other job", "rules/alert", "pass", m{"measure": "error-ratio", "threshold": 0.05, "matchers": m{"job": "billing"}}, verdict.Fail},
		{"error ratio too lax", "rules/alert", "fail", m{"measure": "error-ratio", "threshold": 0.05}, verdict.Fail},
		{"latency p99 1s", "rules/alert", "pass", m{"measure": "latency", "quantile": 0.99, "threshold": 1.0, "severity": "warning"}, verdict.Pass},
		{"latency p99 10s critical missing", "rules/alert", "pass", m{"measure": "latency", "quantile": 0.99, "threshold": 10.0, "severity": "critical"}, verdict.Fail},
		{"latency wrong quantile", "rules/alert", "fail", m{"measure": "latency", "quantile": 0.99}, verdict.Fail},
		{"restarts 3 in 10m", "rules/alert", "pass", m{"measure": "restarts", "threshold": 3.0, "window": "10m"}, verdict.Pass},
		{"restarts absent", "rules/alert", "fail", m{"measure": "restarts"}, verdict.Fail},
		{"target down", "rules/alert", "pass", m{"measure": "target-down", "severity": "critical"}, verdict.Pass},
		{"target down wrong op", "rules/alert", "fail", m{"measure": "target-down"}, verdict.Fail},
		{"memory 90%", "rules/alert", "pass", m{"measure": "memory", "threshold": 0.9}, verdict.Pass},
		{"memory 95% critical ok (stricter)", "rules/alert", "pass", m{"measure": "memory", "threshold": 0.95, "severity": "critical"}, verdict.Pass},
		{"resource 70% too lax", "rules/alert", "pass", m{"measure": "resource", "threshold": 0.7}, verdict.Fail},
		{"cpu present", "rules/alert", "pass", m{"measure": "cpu"}, verdict.Pass},
		{"throughput", "rules/alert", "pass", m{"measure": "throughput"}, verdict.Pass},
		{"named metric below", "rules/alert", "pass", m{"measure": "metric", "metric": "quality_score", "op": "<", "threshold": 0.7, "exact": true}, verdict.Pass},
		{"named metric absent", "rules/alert", "pass", m{"measure": "metric", "metric": "circuit|breaker"}, verdict.Fail},
		{"db errors raw counter lacks for", "rules/alert", "fail", m{"measure": "metric", "metric": "db.*error"}, verdict.Fail},
		{"no rules at all", "rules/alert", "empty", m{"measure": "error-ratio"}, verdict.Fail},
		{"valid", "rules/valid", "pass", nil, verdict.Pass},
		{"invalid", "rules/valid", "broken", nil, verdict.Fail},
		{"valid nothing", "rules/valid", "empty", nil, verdict.NA},
		{"present", "rules/present", "pass", m{"severity": "critical", "min": 3}, verdict.Pass},
		{"present none", "rules/present", "empty", nil, verdict.Fail},
		{"raw counter ok", "rules/no-raw-counter", "pass", nil, verdict.Pass},
		{"raw counter", "rules/no-raw-counter", "fail", nil, verdict.Fail},
		{"aggregated", "rules/aggregated", "pass", nil, verdict.Pass},
		{"not aggregated", "rules/aggregated", "fail", nil, verdict.Fail},
		{"for ok", "rules/for-duration", "pass", m{"severities": []any{"warning"}, "minFor": "1m"}, verdict.Pass},
		{"for short", "rules/for-duration", "fail", nil, verdict.Fail},
		{"annotations ok", "rules/annotations", "pass", nil, verdict.Pass},
		{"annotations missing", "rules/annotations", "fail", nil, verdict.Fail},
		{"slo", "rules/slo", "pass", nil, verdict.Pass},
		{"no slo", "rules/slo", "fail", nil, verdict.Fail},
		{"app metrics", "rules/app-metrics", "pass", nil, verdict.Pass},
		{"infra only", "rules/app-metrics", "fail", m{"min": 5}, verdict.Fail},
	}
	seen := map[string]map[verdict.Status]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, fs := run(t, tt.id, tt.dir, tt.params)
			if got != tt.want {
				t.Errorf("%s on %s = %s, want %s; findings:", tt.id, tt.dir, got, tt.want)
			}
			if testing.Verbose() {
				for _, f := range fs {
					t.Logf("  %s %s:%d %s", f.Status, f.File, f.Line, f.Message)
				}
			}
		})
		if seen[tt.id] == nil {
			seen[tt.id] = map[verdict.Status]bool{}
		}
		seen[tt.id][tt.want] = true
	}
	reg := check.NewRegistry()
	Register(reg)
	for _, c := range reg.All() {
		if !seen[c.ID][verdict.Pass] || !seen[c.ID][verdict.Fail] {
			t.Errorf("check %s lacks a passing or a failing fixture in the table", c.ID)
		}
	}
}
