package repo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func write(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		abs := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadHonoursIgnoresAndSkips(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{
		".gitignore":             ".env*\n!.env.example\nbuild/\n*.log\n",
		".env":                   "SECRET=x\n",
		".env.example":           "SECRET=\n",
		"README.md":              "# svc\n",
		"build/out.txt":          "x",
		"app.log":                "x",
		"sub/.gitignore":         "local.txt\n!keep.log\n",
		"sub/local.txt":          "x",
		"sub/keep.log":           "x",
		"sub/code.go":            "package sub\n",
		"vendor/x/x.go":          "package x\n",
		"node_modules/a/i.js":    "x",
		".git/HEAD":              "ref",
		"docs/Runbook.md":        "## Failure: db down\nhelm rollback svc\n",
		"bin/blob":               "ab\x00cd",
		"deep/a/b/c/d/e_test.go": "package e\n",
	})
	if err := os.Symlink(root, filepath.Join(root, "sub", "loop")); err != nil {
		t.Fatal(err)
	}
	r, err := Load(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range r.Paths() {
		got[p] = true
	}
	for _, want := range []string{".gitignore", ".env.example", "README.md", "sub/keep.log", "sub/code.go", "docs/Runbook.md", "bin/blob", "deep/a/b/c/d/e_test.go"} {
		if !got[want] {
			t.Errorf("missing %s in %v", want, r.Paths())
		}
	}
	for _, bad := range []string{".env", "build/out.txt", "app.log", "sub/local.txt", "vendor/x/x.go", "node_modules/a/i.js", ".git/HEAD"} {
		if got[bad] {
			t.Errorf("%s should be skipped", bad)
		}
	}
	if n := len(r.Kind("runbook")); n != 1 {
		t.Errorf("runbook kind: %d files", n)
	}
	if n := len(r.Kind("tests")); n != 1 {
		t.Errorf("tests kind: %d files", n)
	}
	if !r.IgnoredPath(root, ".env.production", false) || r.IgnoredPath(root, ".env.example", false) {
		t.Errorf("IgnoredPath wrong for .env files")
	}
	f, _ := r.File("bin/blob")
	if _, err := f.Content(); err != ErrBinary {
		t.Errorf("binary content err = %v", err)
	}
	ms := Grep(r.Kind("runbook"), regexp.MustCompile(`(?i)helm rollback`), 0)
	if len(ms) != 1 || ms[0].Line != 2 {
		t.Errorf("grep = %+v", ms)
	}
}

func TestUnreadableRecorded(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads everything; permission errors cannot be provoked")
	}
	root := t.TempDir()
	write(t, root, map[string]string{"locked/a.txt": "x"})
	if err := os.Chmod(filepath.Join(root, "locked"), 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(filepath.Join(root, "locked"), 0o755)
	r, err := Load(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) != 1 || r.Errors[0].Path != "locked" {
		t.Errorf("errors = %v", r.Errors)
	}
}

func TestGlob(t *testing.T) {
	cases := []struct {
		pat, path string
		want      bool
	}{
		{"README*", "README.md", true},
		{"README*", "docs/README.md", false},
		{"**/README*", "docs/README.md", true},
		{"**/README*", "readme", true},
		{"**/values*.{yaml,yml}", "deploy/chart/values-prod.yml", true},
		{"**/values*.{yaml,yml}", "deploy/chart/values.json", false},
		{".github/workflows/*.yml", ".github/workflows/ci.yml", true},
		{"a/**/b", "a/b", true},
		{"a/**/b", "a/x/y/b", true},
	}
	for _, c := range cases {
		g, err := CompileGlob(c.pat)
		if err != nil {
			t.Fatal(err)
		}
		if got := g.Match(c.path); got != c.want {
			t.Errorf("%s ~ %s = %v, want %v", c.pat, c.path, got, c.want)
		}
	}
	for _, bad := range []string{"a{b", "a}b", "[x", ""} {
		if _, err := CompileGlob(bad); err == nil {
			t.Errorf("CompileGlob(%q) accepted", bad)
		}
	}
}

func BenchmarkLoad5000(b *testing.B) {
	root := b.TempDir()
	files := map[string]string{".gitignore": "*.tmp\nbuild/\n"}
	for i := 0; i < 5000; i++ {
		files[fmt.Sprintf("pkg%02d/sub%d/file%d.go", i%50, i%7, i)] = "package x\n"
	}
	write(b, root, files)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := Load(context.Background(), root)
		if err != nil || len(r.Files) != 5001 {
			b.Fatal(err, len(r.Files))
		}
		_ = r.Kind("tests")
		_ = r.Kind("ci")
	}
}

func TestProseKindsIgnoreConfigFiles(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"alerts.yml", "docs/alert-handling.md", "RUNBOOK", "docs/runbook.yaml"} {
		p := filepath.Join(root, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("x\n"), 0o644)
	}
	r, err := Load(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	var sop, runbook []string
	for _, f := range r.Kind("sop") {
		sop = append(sop, f.Rel)
	}
	for _, f := range r.Kind("runbook") {
		runbook = append(runbook, f.Rel)
	}
	if len(sop) != 2 || sop[0] != "RUNBOOK" || sop[1] != "docs/alert-handling.md" {
		t.Errorf("sop = %v, want RUNBOOK and docs/alert-handling.md (not alerts.yml)", sop)
	}
	if len(runbook) != 1 || runbook[0] != "RUNBOOK" {
		t.Errorf("runbook = %v, want only RUNBOOK", runbook)
	}
}
