package scan

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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

// listFiles returns report-looking files under roots. It is the one place
// this source walks the file system, so a shared repository walker can
// replace it.
func listFiles(ctx context.Context, roots []string) ([]string, error) {
	var out []string
	for _, root := range roots {
		info, err := os.Stat(root)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", root, err)
		}
		if !info.IsDir() {
			if IsReportName(filepath.Base(root)) {
				out = append(out, root)
			}
			continue
		}
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if d != nil && d.IsDir() && p != root {
					return fs.SkipDir
				}
				return nil
			}
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			if d.IsDir() {
				if p != root && skipDir(d.Name()) {
					return fs.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && IsReportName(d.Name()) {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", root, err)
		}
	}
	return out, nil
}

func skipDir(name string) bool {
	switch name {
	case ".git", "vendor", "node_modules", "testdata", ".terraform":
		return true
	}
	return false
}
