package repo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golive.dev/golive/internal/source"
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
	for _, p := range r.RelPaths() {
		got[p] = true
	}
	for _, want := range []string{".gitignore", ".env.example", "README.md", "sub/keep.log", "sub/code.go", "docs/Runbook.md", "bin/blob", "deep/a/b/c/d/e_test.go"} {
		if !got[want] {
			t.Errorf("missing %s in %v", want, r.RelPaths())
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
	ms := Grep(r.Kind("runbook"), MustCompilePattern(`(?i)helm rollback`), 0)
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
	if len(r.Errors) != 1 || !strings.HasSuffix(r.Errors[0].Path, "/locked") {
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

// paths holds every file by its root-relative and by its display path.
func paths(r *Repo) map[string]bool {
	got := map[string]bool{}
	for _, f := range r.Files {
		got[f.Rel] = true
		got[f.Path] = true
	}
	return got
}

func TestExclusion(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{
		"main.go":                   "package main\n",
		"testdata/bad.yaml":         "x",
		"pkg/testdata/bad.yaml":     "x",
		"pkg/a.go":                  "package pkg\n",
		"infra/.terraform/m/x.tf":   "x",
		"infra/main.tf":             "x",
		"web/node_modules/a/i.js":   "x",
		"third_party/vendor/v.go":   "x",
		"gen/out.go":                "x",
		"pkg/gen/out.go":            "x",
		"notes.bak":                 "x",
		"deep/er/notes.BAK":         "x",
		"build/app":                 "x",
		"cmd/build":                 "x", // a file named like a dir-only pattern
		"docs/gen.md":               "x",
		".gitignore":                "*.tmp\n",
		"scratch.tmp":               "x",
		".git/objects/ab/cdef":      "x",
		"sub/.git":                  "gitdir: ../.git/modules/sub\n", // a submodule's .git file
		"sub/code.go":               "package sub\n",
		"sub/.svn/entries":          "x",
		"sub/testdata/ok/inner.txt": "x",
	})
	tests := []struct {
		name     string
		exclude  []string
		want     []string
		missing  []string
		excluded int
	}{
		{
			name:     "defaults",
			want:     []string{"main.go", "pkg/a.go", "infra/main.tf", "gen/out.go", "pkg/gen/out.go", "notes.bak", "deep/er/notes.BAK", "build/app", "cmd/build", "sub/code.go"},
			missing:  []string{"testdata/bad.yaml", "pkg/testdata/bad.yaml", "infra/.terraform/m/x.tf", "web/node_modules/a/i.js", "third_party/vendor/v.go", ".git/objects/ab/cdef", "sub/.git", "sub/testdata/ok/inner.txt", "scratch.tmp"},
			excluded: 8, // testdata x3, .terraform, node_modules, vendor, .git folder and submodule file
		},
		{
			name:     "user globs",
			exclude:  []string{"gen", "**/*.bak", "build/", "**/build/", "./docs/"},
			want:     []string{"main.go", "pkg/a.go", "pkg/gen/out.go", "cmd/build"},
			missing:  []string{"gen/out.go", "notes.bak", "deep/er/notes.BAK", "build/app", "docs/gen.md", "testdata/bad.yaml"},
			excluded: 8 + 5, // gen, two .bak files, build/, docs/
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := LoadWith(context.Background(), Options{Exclude: tt.exclude}, root)
			if err != nil {
				t.Fatal(err)
			}
			got := paths(r)
			for _, p := range tt.want {
				if !got[p] {
					t.Errorf("%s missing from %v", p, r.RelPaths())
				}
			}
			for _, p := range tt.missing {
				if got[p] {
					t.Errorf("%s should be excluded", p)
				}
			}
			// .svn is a skipped VCS folder: one more on top of the globs.
			if r.Excluded != tt.excluded+1 {
				t.Errorf("Excluded = %d, want %d", r.Excluded, tt.excluded+1)
			}
			if r.Ignored != 1 {
				t.Errorf("Ignored = %d, want 1 (scratch.tmp)", r.Ignored)
			}
			for _, d := range r.Dirs {
				if d == "testdata" || d == "pkg/testdata" || d == "web/node_modules" {
					t.Errorf("excluded folder %s was entered", d)
				}
			}
		})
	}
	if _, err := LoadWith(context.Background(), Options{Exclude: []string{"a{b"}}, root); err == nil {
		t.Error("a bad exclude glob was accepted")
	}
}

func TestRootIsItsOwnExclusion(t *testing.T) {
	// A root is never matched against the globs: `golive check testdata/x`
	// scans the fixture it was pointed at.
	root := filepath.Join(t.TempDir(), "testdata")
	write(t, root, map[string]string{"a.yaml": "x", "testdata/b.yaml": "x"})
	r, err := Load(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.RelPaths(); len(got) != 1 || got[0] != "a.yaml" {
		t.Errorf("paths = %v, want [a.yaml]", got)
	}
}

func TestFileRoots(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		".gitignore":           "deploy/\n",
		"deploy/prod.yaml":     "kind: Deployment\n",
		"testdata/fixture.yml": "x: 1\n",
		"src/main.go":          "package main\n",
	})
	prod := filepath.Join(dir, "deploy", "prod.yaml")
	fixture := filepath.Join(dir, "testdata", "fixture.yml")
	ctx := context.Background()

	t.Run("single file", func(t *testing.T) {
		r, err := LoadWith(ctx, Options{Exclude: []string{"**/*.yaml"}}, prod)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Files) != 1 {
			t.Fatalf("files = %v", r.Paths())
		}
		f := r.Files[0]
		// Named, so neither the exclusions nor a .gitignore nearby drop it;
		// shown as given so a problem in it is reported against the name
		// the user typed.
		if f.Path != filepath.ToSlash(prod) || f.Rel != "prod.yaml" || !f.Given || f.OSPath() != prod {
			t.Errorf("file root indexed as Path %q Rel %q Given %v OSPath %q", f.Path, f.Rel, f.Given, f.OSPath())
		}
		if got, ok := r.File(prod); !ok || got != f {
			t.Errorf("File(%s) not found", prod)
		}
		if ms, _ := r.Glob("**/*.yaml"); len(ms) != 1 {
			t.Errorf("a file root must match globs on its name, got %d", len(ms))
		}
		if b, err := f.Content(); err != nil || string(b) != "kind: Deployment\n" {
			t.Errorf("content %q %v", b, err)
		}
	})
	t.Run("file and folder roots", func(t *testing.T) {
		src := filepath.Join(dir, "src")
		r, err := Load(ctx, fixture, src, prod, fixture)
		if err != nil {
			t.Fatal(err)
		}
		got := paths(r)
		want := []string{filepath.ToSlash(fixture), filepath.ToSlash(prod), filepath.ToSlash(filepath.Join(src, "main.go"))}
		if len(r.Files) != len(want) {
			t.Errorf("paths = %v, want %v (a root given twice is indexed once)", r.Paths(), want)
		}
		for _, w := range want {
			if !got[w] {
				t.Errorf("%s missing from %v", w, r.Paths())
			}
		}
	})
	t.Run("overlapping folder roots", func(t *testing.T) {
		r, err := Load(ctx, dir, filepath.Join(dir, "src"))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range r.Files {
			if filepath.Base(f.Abs) == "main.go" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("main.go indexed %d times under overlapping roots", n)
		}
	})
}

func TestFromHonoursInputsExclude(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{"a.go": "x", "gen/b.go": "x", "vendor/c.go": "x"})
	env := source.NewEnv(source.Inputs{Paths: []string{root}, Exclude: []string{"gen"}})
	r, err := From(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.RelPaths(); len(got) != 1 || got[0] != "a.go" || r.Excluded != 2 {
		t.Errorf("paths = %v excluded %d, want [a.go] and 2", got, r.Excluded)
	}
	again, _ := From(context.Background(), env)
	if again != r {
		t.Error("From walked the repository a second time in one run")
	}
	if _, err := From(context.Background(), source.NewEnv(source.Inputs{})); err == nil {
		t.Error("no paths: want a not-given error")
	} else if _, ok := source.AsMissing(err); !ok {
		t.Errorf("no paths: want source.Missing, got %v", err)
	}
}

func TestReadDoesNotKeep(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{"a.txt": "one\n", "bin": "a\x00b"})
	r, err := Load(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := r.File("a.txt")
	if b, err := f.Read(); err != nil || string(b) != "one\n" {
		t.Fatalf("Read = %q %v", b, err)
	}
	// Read kept nothing: Content reads the file as it is now.
	write(t, root, map[string]string{"a.txt": "two\n"})
	if b, _ := f.Content(); string(b) != "two\n" {
		t.Errorf("Content after Read = %q, want the file read afresh", b)
	}
	// Once kept, Read shares the kept bytes.
	write(t, root, map[string]string{"a.txt": "three\n"})
	if b, _ := f.Read(); string(b) != "two\n" {
		t.Errorf("Read after Content = %q, want the kept bytes", b)
	}
	bin, _ := r.File("bin")
	if _, err := bin.Read(); err != ErrBinary {
		t.Errorf("binary Read err = %v", err)
	}
	if err := bin.Searchable(); err != ErrBinary {
		t.Errorf("binary Searchable = %v", err)
	}
	if err := f.Searchable(); err != nil {
		t.Errorf("text Searchable = %v", err)
	}
	if err := (&File{Abs: f.Abs, Path: f.Path, Size: MaxContent + 1}).Searchable(); err != ErrTooLarge {
		t.Errorf("oversize Searchable = %v", err)
	}
	if err := (&File{Abs: filepath.Join(root, "gone"), Path: "gone"}).Searchable(); err == nil {
		t.Error("a missing file must not be searchable")
	}
}

// plainMatch is the reference the compiled globs must agree with: every
// alternative's segments matched with path.Match.
func plainMatch(g *Glob, rel string) bool {
	parts := strings.Split(strings.ToLower(rel), "/")
	for _, a := range g.alts {
		segs := make([]string, len(a))
		for i, s := range a {
			segs[i] = s.pat
		}
		if matchSegs(segs, parts, false) {
			return true
		}
	}
	return false
}

func TestCompiledGlobsAgree(t *testing.T) {
	names := []string{"README.md", "docs/Runbook.md", "docs/ops/runbook-db.txt", "a/b/c/values-prod.yaml", "LICENSE-MIT",
		"licence", ".github/workflows/ci.yml", "x/.env.example", "dr", "docs/dr/plan.md", "deep/runbooks/x/y.md", "*", "a*b/c?d", "",
		"perf/results/baseline-2024.json", "bench/perf-baseline.md", "docs/performance-baseline.csv", "x/benchmark-results.json.bak"}
	for _, k := range kinds {
		for _, g := range append(append([]*Glob{}, k.compiled...), k.proseOnly...) {
			for _, n := range names {
				if got, want := g.Match(n), plainMatch(g, n); got != want {
					t.Errorf("%s ~ %q = %v, path.Match says %v", g, n, got, want)
				}
			}
		}
	}
}

func FuzzGlobMatch(f *testing.F) {
	f.Add("**/*runbook*", "docs/Runbook.md")
	f.Add("{,docs/}readme{,.*}", "docs/README.md")
	f.Add("licen[sc]e{,.*,-*}", "LICENSE-MIT")
	f.Add(`a\*b/**/c?`, "a*b/x/cd")
	f.Add("*.{md,txt}*", "notes.md.bak")
	f.Add("**/*{baseline,result}*.{json,md}", "perf/load-baseline-v2.json")
	f.Add("a*b*b", "abab")
	f.Fuzz(func(t *testing.T, pattern, rel string) {
		g, err := CompileGlob(pattern)
		if err != nil {
			return
		}
		if len(g.alts) > 16 || strings.Count(pattern, "**") > 3 {
			return // keep the reference's backtracking cheap
		}
		if got, want := g.Match(rel), plainMatch(g, rel); got != want {
			t.Errorf("%q ~ %q = %v, path.Match says %v", pattern, rel, got, want)
		}
	})
}

// TestSearcherBuffer: one buffer serves every read, and never becomes the
// bytes a file keeps.
func TestSearcherBuffer(t *testing.T) {
	root := t.TempDir()
	big := strings.Repeat("x", 5000) + "\nneedle big\n"
	write(t, root, map[string]string{"big.txt": big, "small.txt": "needle small\n", "kept.txt": "kept needle\n"})
	r, err := Load(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	get := func(name string) *File {
		f, ok := r.File(name)
		if !ok {
			t.Fatalf("%s not indexed", name)
		}
		return f
	}
	kept := get("kept.txt")
	if _, err := kept.Content(); err != nil {
		t.Fatal(err)
	}
	p := MustCompilePattern(`needle \w+|\w+ needle`)
	var s Searcher
	for _, tc := range []struct{ file, want string }{
		{"big.txt", "needle big"}, {"kept.txt", "kept needle"}, {"small.txt", "needle small"}, {"big.txt", "needle big"},
	} {
		m, ok := s.First(get(tc.file), p)
		if !ok || m.Text != tc.want {
			t.Errorf("%s: got %q %v, want %q", tc.file, m.Text, ok, tc.want)
		}
	}
	if b, _ := kept.Content(); string(b) != "kept needle\n" {
		t.Errorf("a search wrote over the kept bytes: %q", b)
	}
	if got := s.Grep([]*File{get("small.txt"), get("big.txt")}, p, 0); len(got) != 2 || got[1].Line != 2 {
		t.Errorf("Grep = %+v", got)
	}
}
