package docker

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/verdict"
)

type m = map[string]any

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
		t.Fatalf("%s on %s: %v", id, dir, err)
	}
	var sts []verdict.Status
	for _, f := range fs {
		if f.Status != verdict.NA && (f.File == "" || f.Line == 0) {
			t.Errorf("%s: finding without file:line: %+v", id, f)
		}
		sts = append(sts, f.Status)
	}
	return verdict.Combine(sts...), fs
}

func TestChecks(t *testing.T) {
	tests := []struct {
		name, id, dir string
		params        m
		want          verdict.Status
	}{
		{"multi-stage", "docker/multi-stage", "pass", m{"requireCopyFrom": true}, verdict.Pass},
		{"single stage", "docker/multi-stage", "fail", nil, verdict.Fail},
		{"three stages asked", "docker/multi-stage", "pass", m{"minStages": 3}, verdict.Fail},
		{"non-root user", "docker/non-root", "pass", nil, verdict.Pass},
		{"non-root distroless", "docker/non-root", "distroless", nil, verdict.Pass},
		{"root user", "docker/non-root", "fail", nil, verdict.Fail},
		{"pinned", "docker/pinned-base", "pass", nil, verdict.Pass},
		{"pinned by tag, digest asked", "docker/pinned-base", "distroless", m{"requireDigest": true}, verdict.Fail},
		{"untagged", "docker/pinned-base", "fail", nil, verdict.Fail},
		{"minimal default", "docker/minimal-base", "pass", nil, verdict.Pass},
		{"minimal asked image newer patch", "docker/minimal-base", "pass", m{"image": "python:3.12-slim"}, verdict.Pass},
		{"other image asked", "docker/minimal-base", "pass", m{"image": "debian:bookworm-slim"}, verdict.Fail},
		{"distroless minimal", "docker/minimal-base", "distroless", nil, verdict.Pass},
		{"ubuntu not minimal", "docker/minimal-base", "fail", nil, verdict.Fail},
		{"healthcheck", "docker/healthcheck", "pass", nil, verdict.Pass},
		{"healthcheck none", "docker/healthcheck", "fail", nil, verdict.Fail},
		{"healthcheck absent", "docker/healthcheck", "distroless", nil, verdict.Fail},
		{"no secrets", "docker/no-secrets", "pass", nil, verdict.Pass},
		{"secrets", "docker/no-secrets", "fail", nil, verdict.Fail},
		{"add archive ok", "docker/copy-not-add", "pass", nil, verdict.Pass},
		{"add plain file", "docker/copy-not-add", "fail", nil, verdict.Fail},
		{"caches cleaned", "docker/package-cache", "pass", nil, verdict.Pass},
		{"caches left", "docker/package-cache", "fail", nil, verdict.Fail},
		{"gunicorn", "docker/production-server", "pass", nil, verdict.Pass},
		{"flask run", "docker/production-server", "fail", nil, verdict.Fail},
		{"exec form", "docker/exec-form", "pass", nil, verdict.Pass},
		{"shell form", "docker/exec-form", "fail", nil, verdict.Fail},
		{"broken file is an error", "docker/non-root", "broken", nil, verdict.Error},
		{"no dockerfile", "docker/healthcheck", "none", nil, verdict.NA},
	}
	seen := map[string]map[verdict.Status]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, fs := run(t, tt.id, tt.dir, tt.params)
			if got != tt.want {
				t.Errorf("%s on %s = %s, want %s", tt.id, tt.dir, got, tt.want)
			}
			if got != tt.want || testing.Verbose() {
				for _, f := range fs {
					t.Logf("  %s %s:%d %s %v", f.Status, f.File, f.Line, f.Message, f.Evidence)
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

func TestSecretsMasked(t *testing.T) {
	_, fs := run(t, "docker/no-secrets", "fail", nil)
	for _, f := range fs {
		for _, v := range f.Evidence {
			if strings.Contains(f.Message, "abcdefghijklmnop") || strings.Contains(v.(string), "abcdefghijklmnop") {
				t.Errorf("secret value leaked: %+v", f)
			}
		}
	}
}
