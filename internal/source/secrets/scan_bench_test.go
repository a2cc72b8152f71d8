package secrets

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/zricethezav/gitleaks/v8/detect"
)

// benchFiles is GOLIVE_BENCH_SECRETS (a folder) or this package's own tree.
func benchFiles(b *testing.B) [][]byte {
	dir := os.Getenv("GOLIVE_BENCH_SECRETS")
	if dir == "" {
		dir = "."
	}
	var out [][]byte
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && len(out) < 10 {
			if data, err := os.ReadFile(p); err == nil {
				out = append(out, data)
			}
		}
		return nil
	})
	if len(out) == 0 {
		b.Skip("no files")
	}
	return out
}

func BenchmarkScanWindowed(b *testing.B) {
	files := benchFiles(b)
	sc, err := newScanner()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			if _, err := sc.scan("x.yaml", f); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkScanWhole(b *testing.B) {
	files := benchFiles(b)
	d, err := detect.NewDetectorDefaultConfig()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			//lint:ignore SA1019 the reference is gitleaks' own whole-file scan.
			d.Detect(detect.Fragment{Raw: string(f), FilePath: "x.yaml"})
		}
	}
}
