package scan

import (
	"path"
	"strings"

	"golive.dev/golive/internal/source/repo"
)

// IsReportName says whether a file name looks like scanner output or an SBOM.
func IsReportName(name string) bool {
	n := strings.ToLower(name)
	if strings.HasSuffix(n, ".sarif") || strings.HasSuffix(n, ".sarif.json") {
		return true
	}
	if !strings.HasSuffix(n, ".json") {
		return false
	}
	for _, p := range []string{"trivy", "grype", "cargo-audit", "cargo_audit", "sbom", "bom.json", "cyclonedx"} {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return strings.HasSuffix(n, ".cdx.json") || strings.HasSuffix(n, ".spdx.json") || strings.HasSuffix(n, ".sbom.json")
}

// selectFiles picks the report-looking files from the run's repository
// index, which already left out ignored and excluded paths.
func selectFiles(r *repo.Repo) []*repo.File {
	var out []*repo.File
	for _, f := range r.Files {
		if IsReportName(path.Base(f.Rel)) {
			out = append(out, f)
		}
	}
	return out
}
