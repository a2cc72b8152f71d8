// Package bench holds whole-run benchmarks: golive's own overhead over a
// generated repository, separate from any one source's cost.
package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golive.dev/golive/internal/checks/all"
	"golive.dev/golive/internal/engine"
	"golive.dev/golive/internal/pack"
	"golive.dev/golive/internal/source"
)

// makeRepo writes n files shaped like a service repository: source files,
// tests, docs, YAML config and manifests, in nested folders.
func makeRepo(b *testing.B, n int) string {
	b.Helper()
	root := b.TempDir()
	write := func(rel, body string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	write("README.md", "# svc\n")
	write(".gitignore", ".env*\n")
	for i := 0; i < n-2; i++ {
		dir := fmt.Sprintf("pkg/m%02d/s%02d", i%50, (i/50)%20)
		switch i % 5 {
		case 0:
			write(fmt.Sprintf("%s/f%d.go", dir, i), fmt.Sprintf("package s\n\n// F%d does a thing.\nfunc F%d() int { return %d }\n", i, i, i))
		case 1:
			write(fmt.Sprintf("%s/f%d_test.go", dir, i), "package s\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) {}\n")
		case 2:
			write(fmt.Sprintf("docs/d%02d/page%d.md", i%30, i), "# Page\n\nSome text about the service.\n")
		case 3:
			write(fmt.Sprintf("config/c%02d/app%d.yaml", i%30, i), fmt.Sprintf("log:\n  level: info\n  format: json\nport: %d\n", 8000+i%100))
		case 4:
			write(fmt.Sprintf("%s/data%d.json", dir, i), fmt.Sprintf("{\"id\": %d, \"name\": \"n%d\"}\n", i, i))
		}
	}
	return root
}

func loadPacks(b *testing.B) ([]*pack.Pack, *pack.Loader) {
	b.Helper()
	l := &pack.Loader{Registry: all.Registry()}
	var packs []*pack.Pack
	for _, name := range l.BuiltinNames() {
		p, err := l.Load(name)
		if err != nil {
			b.Fatal(err)
		}
		packs = append(packs, p)
	}
	return packs, l
}

// BenchmarkAllPacks5000Files evaluates every built-in pack over a generated
// 5,000-file repository: source loading, every check, verdicts, scores and
// gate, as one `golive check` does (without writing reports).
func BenchmarkAllPacks5000Files(b *testing.B) {
	root := makeRepo(b, 5000)
	packs, l := loadPacks(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		env := source.NewEnv(source.Inputs{Paths: []string{root}, Now: time.Now()})
		rep := engine.Run(context.Background(), engine.Options{Registry: l.Registry, Packs: packs, Env: env})
		if len(rep.Packs) != len(packs) {
			b.Fatalf("report has %d packs, want %d", len(rep.Packs), len(packs))
		}
	}
}

// BenchmarkLoadBuiltinPacks measures reading and validating all built-in packs.
func BenchmarkLoadBuiltinPacks(b *testing.B) {
	for i := 0; i < b.N; i++ {
		loadPacks(b)
	}
}

// BenchmarkEngineOverhead5000Files measures golive's own work once the
// sources are loaded: one Env is shared by every iteration, so the repository
// walk, the parses and the secret scan are paid once, and what is timed is
// running every pack's checks over the loaded evidence, the verdicts, the
// scores and the gate.
func BenchmarkEngineOverhead5000Files(b *testing.B) {
	root := makeRepo(b, 5000)
	packs, l := loadPacks(b)
	env := source.NewEnv(source.Inputs{Paths: []string{root}, Now: time.Now()})
	engine.Run(context.Background(), engine.Options{Registry: l.Registry, Packs: packs, Env: env})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep := engine.Run(context.Background(), engine.Options{Registry: l.Registry, Packs: packs, Env: env})
		if len(rep.Packs) != len(packs) {
			b.Fatalf("report has %d packs, want %d", len(rep.Packs), len(packs))
		}
	}
}
