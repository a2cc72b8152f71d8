package config

import (
	"context"
	"path/filepath"
	"testing"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/check/checktest"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/verdict"
)

func TestChecks(t *testing.T) {
	r := check.NewRegistry()
	Register(r)
	good, bad := filepath.Join("testdata", "good"), filepath.Join("testdata", "bad")
	values := []any{"**/values*.{yaml,yml}"}
	agent := []any{"**/agent.toml"}
	cases := []struct {
		id   string
		dir  string
		with map[string]any
		want verdict.Status
	}{
		{"config/value", good, map[string]any{"files": values, "path": "mpl.mode", "op": "equals", "value": "strict"}, verdict.Pass},
		{"config/value", bad, map[string]any{"files": values, "path": "mpl.mode", "op": "equals", "value": "strict"}, verdict.Fail},
		{"config/value", good, map[string]any{"files": values, "path": "mpl.enforceSchema", "op": "equals", "value": true}, verdict.Pass},
		{"config/value", bad, map[string]any{"files": values, "path": "mpl.enforceSchema", "op": "equals", "value": true}, verdict.Fail},
		{"config/value", good, map[string]any{"files": values, "path": "autoscaling.minReplicas", "op": "gte", "value": 2}, verdict.Pass},
		{"config/value", good, map[string]any{"files": values, "paths": []any{"log.level", "logging.level"}, "op": "in", "value": []any{"info", "warn"}}, verdict.Pass},
		{"config/value", bad, map[string]any{"files": values, "paths": []any{"log.level"}, "op": "notIn", "value": []any{"debug", "trace"}}, verdict.Fail},
		{"config/value", good, map[string]any{"files": values, "path": "cors.allowed_origins", "op": "notContains", "value": "*"}, verdict.Pass},
		{"config/value", bad, map[string]any{"files": values, "path": "cors.allowed_origins", "op": "notContains", "value": "*"}, verdict.Fail},
		{"config/value", good, map[string]any{"files": agent, "path": "**.logging.level", "op": "equals", "value": "INFO", "caseSensitive": true}, verdict.Pass},
		{"config/value", bad, map[string]any{"files": agent, "path": "agent.logging.level", "op": "equals", "value": "INFO"}, verdict.Error},
		{"config/value", good, map[string]any{"files": agent, "path": "server.request_timeout", "op": "lte", "value": 60}, verdict.Pass},
		{"config/value", good, map[string]any{"files": []any{"**/none.yaml"}, "path": "x"}, verdict.Unverified},
		{"config/value", good, map[string]any{"files": values, "path": "debug", "op": "absent"}, verdict.Pass},
		{"config/parses", good, map[string]any{"files": agent}, verdict.Pass},
		{"config/parses", bad, map[string]any{"files": agent}, verdict.Fail},
		{"config/compare", good, map[string]any{"files": values, "left": "autoscaling.maxReplicas", "op": "gte", "right": "autoscaling.minReplicas"}, verdict.Pass},
		{"config/compare", bad, map[string]any{"files": values, "left": "autoscaling.maxReplicas", "op": "gte", "right": "autoscaling.minReplicas"}, verdict.Fail},
		{"config/url-scheme", good, map[string]any{"files": values, "paths": []any{"mpl.upstream*"}}, verdict.Pass},
		{"config/url-scheme", bad, map[string]any{"files": values, "paths": []any{"mpl.upstream*"}}, verdict.Fail},
		{"config/url-scheme", good, map[string]any{"files": values, "paths": []any{"mpl.upstream"}, "schemes": []any{"http", "https"}, "hostSuffix": ".svc.cluster.local"}, verdict.Pass},
		{"config/enabled", good, map[string]any{"files": agent, "path": "agent.security.pii_detection"}, verdict.Pass},
		{"config/enabled", bad, map[string]any{"files": values, "path": "audit"}, verdict.Fail},
		{"config/enabled", bad, map[string]any{"files": values, "path": "tracing.exporter"}, verdict.Fail},
		{"config/enabled", good, map[string]any{"files": values, "path": "audit", "require": []any{"sink"}}, verdict.Pass},
	}
	var table []checktest.Case
	for _, c := range cases {
		table = append(table, checktest.Case{Name: c.id + " on " + filepath.Base(c.dir), ID: c.id, Inputs: checktest.Dir(c.dir), With: c.with, Want: c.want})
	}
	checktest.Table(t, r, table, func(t *testing.T, c checktest.Case, out check.Outcome) {
		for _, f := range out.Findings {
			if f.Status == verdict.Fail && f.File != "" && f.Line == 0 && c.ID != "config/parses" {
				t.Errorf("%s: failing finding without line: %+v", c.ID, f)
			}
		}
	})
}

func TestConfigBinding(t *testing.T) {
	r := check.NewRegistry()
	Register(r)
	prg, err := r.CompileCEL(`config["chart/values.yaml"].mpl.mode == "strict" && config["chart/values.yaml"].autoscaling.minReplicas >= 2`)
	if err != nil {
		t.Fatal(err)
	}
	env := source.NewEnv(source.Inputs{Paths: []string{filepath.Join("testdata", "good")}})
	ok, err := r.EvalCEL(context.Background(), prg, env)
	if err != nil || !ok {
		t.Fatalf("cel = %v, %v", ok, err)
	}
}
