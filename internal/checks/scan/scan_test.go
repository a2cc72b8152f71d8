package scan

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/verdict"
)

type m = map[string]any

func run(t *testing.T, id, dir string, reports []string, raw map[string]any) (verdict.Status, []verdict.Finding, error) {
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
	env := source.NewEnv(source.Inputs{Paths: []string{filepath.Join("testdata", dir)}, ScanReports: reports,
		Now: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)})
	fs, err := c.Run(context.Background(), env, p)
	if err != nil {
		if _, ok := source.AsMissing(err); ok {
			return verdict.Unverified, nil, err
		}
		t.Fatalf("%s on %s: %v", id, dir, err)
	}
	var sts []verdict.Status
	for _, f := range fs {
		sts = append(sts, f.Status)
	}
	return verdict.Combine(sts...), fs, nil
}

func TestChecks(t *testing.T) {
	tests := []struct {
		name, id, dir string
		reports       []string
		params        m
		want          verdict.Status
	}{
		{"no critical", "scan/vulnerabilities", "clean", nil, nil, verdict.Pass},
		{"high counts", "scan/vulnerabilities", "clean", nil, m{"severities": []any{"CRITICAL", "HIGH"}}, verdict.Fail},
		{"high fixed but too new for the SLA", "scan/vulnerabilities", "clean", nil, m{"severities": []any{"CRITICAL", "HIGH"}, "fixableOnly": true, "olderThan": "4320h"}, verdict.Pass},
		{"critical", "scan/vulnerabilities", "critical", nil, nil, verdict.Fail},
		{"grype high", "scan/vulnerabilities", "grype", nil, m{"severities": []any{"CRITICAL", "HIGH"}}, verdict.Fail},
		{"grype no critical", "scan/vulnerabilities", "grype", nil, nil, verdict.Pass},
		{"sarif critical", "scan/vulnerabilities", "sarif", nil, nil, verdict.Fail},
		{"cargo audit any", "scan/vulnerabilities", "cargo", nil, m{"severities": []any{"ANY"}, "formats": []any{"cargo-audit"}}, verdict.Fail},
		{"cargo audit asked, only trivy given", "scan/vulnerabilities", "clean", nil, m{"formats": []any{"cargo-audit"}}, verdict.Unverified},
		{"no report", "scan/vulnerabilities", "none", nil, nil, verdict.Unverified},
		{"given report outside the repo", "scan/vulnerabilities", "none", []string{"testdata/clean/trivy-image.json"}, nil, verdict.Pass},
		{"given report unreadable", "scan/vulnerabilities", "none", []string{"testdata/bad/trivy.json"}, nil, verdict.Error},
		{"given report missing", "scan/vulnerabilities", "none", []string{"testdata/nope.json"}, nil, verdict.Error},
		{"sbom", "scan/sbom", "sbom", nil, nil, verdict.Pass},
		{"empty sbom", "scan/sbom", "sbom-empty", nil, nil, verdict.Fail},
		{"no sbom", "scan/sbom", "none", nil, nil, verdict.Unverified},
	}
	seen := map[string]map[verdict.Status]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, fs, err := run(t, tt.id, tt.dir, tt.reports, tt.params)
			if got != tt.want {
				t.Errorf("%s on %s = %s, want %s (err %v)", tt.id, tt.dir, got, tt.want, err)
			}
			if got != tt.want || testing.Verbose() {
				for _, f := range fs {
					t.Logf("  %s %s %s %v", f.Status, f.File, f.Message, f.Evidence)
				}
				if err != nil {
					t.Logf("  %v", err)
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
