package rules

import (
	"testing"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/check/checktest"
	"golive.dev/golive/internal/verdict"
)

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
		{"raw counter unparsed", "rules/no-raw-counter", "unparsed", nil, verdict.Unverified},
		{"aggregated unparsed", "rules/aggregated", "unparsed", nil, verdict.Unverified},
		{"for ok", "rules/for-duration", "pass", m{"severities": []any{"warning"}, "minFor": "1m"}, verdict.Pass},
		{"for short", "rules/for-duration", "fail", nil, verdict.Fail},
		{"annotations ok", "rules/annotations", "pass", nil, verdict.Pass},
		{"annotations missing", "rules/annotations", "fail", nil, verdict.Fail},
		{"annotations nothing asked", "rules/annotations", "pass", m{"annotations": []any{}, "requireSeverity": false}, verdict.Error},
		{"slo", "rules/slo", "pass", nil, verdict.Pass},
		{"no slo", "rules/slo", "fail", nil, verdict.Fail},
		{"app metrics", "rules/app-metrics", "pass", nil, verdict.Pass},
		{"infra only", "rules/app-metrics", "fail", m{"min": 5}, verdict.Fail},
	}
	reg := check.NewRegistry()
	Register(reg)
	var table []checktest.Case
	for _, tt := range tests {
		table = append(table, checktest.Case{Name: tt.name, ID: tt.id, Inputs: checktest.Dir("testdata", tt.dir), With: tt.params, Want: tt.want})
	}
	checktest.Table(t, reg, table, func(t *testing.T, c checktest.Case, out check.Outcome) {
		for _, f := range out.Findings {
			if f.Check != c.ID {
				t.Errorf("finding names check %q, want %q", f.Check, c.ID)
			}
			if f.Status == verdict.Fail && f.File != "" && f.Line == 0 {
				t.Errorf("%s: failing finding in %s without a line: %s", c.ID, f.File, f.Message)
			}
		}
	})
}
