package scan

import (
	"path/filepath"
	"testing"
	"time"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/check/checktest"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/verdict"
)

type m = map[string]any

func TestChecks(t *testing.T) {
	tests := []struct {
		name, id, dir string
		reports       []string
		params        m
		want          verdict.Status
	}{
		{"no critical", "scan/vulnerabilities", "clean", nil, nil, verdict.Pass},
		{"no severity asked", "scan/vulnerabilities", "critical", nil, m{"severities": []any{}}, verdict.Error},
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
	reg := check.NewRegistry()
	Register(reg)
	var table []checktest.Case
	for _, tt := range tests {
		in := source.Inputs{Paths: []string{filepath.Join("testdata", tt.dir)}, ScanReports: tt.reports,
			Now: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)}
		table = append(table, checktest.Case{Name: tt.name, ID: tt.id, Inputs: in, With: tt.params, Want: tt.want})
	}
	checktest.Table(t, reg, table, nil)
}
