package docker

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
	reg := check.NewRegistry()
	Register(reg)
	var table []checktest.Case
	for _, tt := range tests {
		table = append(table, checktest.Case{Name: tt.name, ID: tt.id, Inputs: checktest.Dir("testdata", tt.dir), With: tt.params, Want: tt.want})
	}
	checktest.Table(t, reg, table, func(t *testing.T, c checktest.Case, out check.Outcome) {
		for _, f := range out.Findings {
			if f.Status != verdict.NA && (f.File == "" || f.Line == 0) {
				t.Errorf("%s: finding without file:line: %+v", c.ID, f)
			}
		}
	})
}

func TestSecretsMasked(t *testing.T) {
	reg := check.NewRegistry()
	Register(reg)
	out := checktest.Run(t, reg, "docker/no-secrets", checktest.Dir("testdata", "fail"), nil)
	if out.Status != verdict.Fail {
		t.Fatalf("status %s, want fail: the fixture's secrets were not found", out.Status)
	}
	checktest.NoLeak(t, out.Findings, "abcdefghijklmnop")
}
