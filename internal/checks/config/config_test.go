package config

import (
	"context"
	"path/filepath"
	"testing"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/verdict"
)

func run(t *testing.T, r *check.Registry, id, dir string, with map[string]any) (verdict.Status, []verdict.Finding) {
	t.Helper()
	c, ok := r.Lookup(id)
	if !ok {
		t.Fatalf("check %s not registered", id)
	}
	p, err := c.Resolve(with)
	if err != nil {
		t.Fatal(err)
	}
	env := source.NewEnv(source.Inputs{Paths: []string{dir}})
	fs, err := c.Run(context.Background(), env, p)
	if err != nil {
		if _, ok := source.AsMissing(err); ok {
			return verdict.Unverified, nil
		}
		t.Fatalf("%s: %v", id, err)
	}
	sts := make([]verdict.Status, len(fs))
	for i, f := range fs {
		sts[i] = f.Status
	}
	return verdict.Combine(sts...), fs
}

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
		{"config/enabled", good, map[string]any{"files": values, "path": "audit", "require": []any{"sink"}}, verdict.Pass},
	}
	covered := map[string]bool{}
	for _, c := range cases {
		covered[c.id] = true
		got, fs := run(t, r, c.id, c.dir, c.with)
		if got != c.want {
			t.Errorf("%s on %s with %v = %s, want %s; findings %+v", c.id, c.dir, c.with, got, c.want, fs)
		}
		for _, f := range fs {
			if f.Status == verdict.Fail && f.File != "" && f.Line == 0 && c.id != "config/parses" {
				t.Errorf("%s: failing finding without line: %+v", c.id, f)
			}
		}
	}
	for _, c := range r.All() {
		if !covered[c.ID] {
			t.Errorf("check %s has no fixture case", c.ID)
		}
	}
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
