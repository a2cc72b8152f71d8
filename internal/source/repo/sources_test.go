package repo_test

import (
	"context"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/dockerfile"
	"golive.dev/golive/internal/source/promrules"
	"golive.dev/golive/internal/source/repo"
	"golive.dev/golive/internal/source/scan"
	"golive.dev/golive/internal/source/secrets"
)

// The sources that read repository files must all see the index: the same
// files, the same exclusions, one walk.

const (
	dockerBody = "FROM alpine:3.20\nUSER 1000\n"
	rulesBody  = "groups:\n- name: g\n  rules:\n  - alert: Down\n    expr: up == 0\n    for: 5m\n"
	trivyBody  = `{"SchemaVersion":2,"ArtifactName":"x","Results":[]}`
	leakBody   = "GITHUB_TOKEN=ghp_R7mQ2xV9kL4pW8nB3cT6yH1jF5dS0aZeUu1X\n"
)

// tree holds the same four kinds of evidence in places the index keeps and
// in places it leaves out (default excludes, --exclude, .gitignore).
func tree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		".gitignore": "ignored/\n*.local.env\n",
		"README.md":  "# svc\n",
	}
	for _, dir := range []string{"", "svc/", "vendor/x/", "testdata/", "web/node_modules/a/", "gen/", "ignored/"} {
		files[dir+"Dockerfile"] = dockerBody
		files[dir+"alerts.yaml"] = rulesBody
		files[dir+"trivy.json"] = trivyBody
		files[dir+"token.env"] = leakBody
	}
	files["x.local.env"] = leakBody
	for p, c := range files {
		abs := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

type seen struct {
	docker, rules, reports, leaks []string
	scanned                       int
}

func load(t *testing.T, env *source.Env) seen {
	t.Helper()
	ctx := context.Background()
	var s seen
	ds, err := dockerfile.From(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ds.Files {
		if f.Err != nil {
			t.Errorf("%s: %v", f.Path, f.Err)
		}
		s.docker = append(s.docker, f.Path)
	}
	rs, err := promrules.From(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	s.rules = rs.Files
	ss, err := scan.From(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range ss.Reports {
		s.reports = append(s.reports, r.File)
	}
	ls, err := secrets.From(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls.Leaks {
		s.leaks = append(s.leaks, l.File)
	}
	s.scanned = ls.Scanned
	for _, l := range []*[]string{&s.docker, &s.rules, &s.reports, &s.leaks} {
		sort.Strings(*l)
	}
	return s
}

// pick lists the index's files with the given base name, as the sources
// name them (the root joined with the relative path).
func pick(r *repo.Repo, base string) []string {
	var out []string
	for _, f := range r.Files {
		if filepath.Base(f.Rel) == base {
			out = append(out, f.OSPath())
		}
	}
	sort.Strings(out)
	return out
}

func TestSourcesSeeTheIndex(t *testing.T) {
	root := tree(t)
	env := source.NewEnv(source.Inputs{Paths: []string{root}, Exclude: []string{"gen/"}})
	r, err := repo.From(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	got := load(t, env)
	want := []string{filepath.Join(root, "Dockerfile"), filepath.Join(root, "svc", "Dockerfile")}
	if strings.Join(pick(r, "Dockerfile"), ",") != strings.Join(want, ",") {
		t.Fatalf("index Dockerfiles = %v, want %v", pick(r, "Dockerfile"), want)
	}
	for _, c := range []struct {
		source string
		got    []string
		base   string
	}{
		{"dockerfile", got.docker, "Dockerfile"},
		{"promrules", got.rules, "alerts.yaml"},
		{"scan", got.reports, "trivy.json"},
		{"secrets", got.leaks, "token.env"},
	} {
		if w := pick(r, c.base); strings.Join(c.got, ",") != strings.Join(w, ",") {
			t.Errorf("%s sees %v, the index %v", c.source, c.got, w)
		}
	}
	// Every indexed file is text under the size bound: secrets scans them all.
	if got.scanned != len(r.Files) {
		t.Errorf("secrets scanned %d files, the index holds %d", got.scanned, len(r.Files))
	}
}

func TestSourcesShareOneWalk(t *testing.T) {
	root := tree(t)
	env := source.NewEnv(source.Inputs{Paths: []string{root}, Exclude: []string{"gen/"}})
	r, err := repo.From(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	// Files written after the index was built are invisible to a source
	// that selects from it, and found by any that walks on its own.
	late := filepath.Join(root, "late")
	if err := os.MkdirAll(late, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"Dockerfile": dockerBody, "alerts.yaml": rulesBody, "trivy.json": trivyBody, "token.env": leakBody} {
		if err := os.WriteFile(filepath.Join(late, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := load(t, env)
	for _, l := range [][]string{got.docker, got.rules, got.reports, got.leaks} {
		for _, p := range l {
			if strings.HasPrefix(p, late) {
				t.Errorf("%s was found by a walk of its own", p)
			}
		}
	}
	if len(got.docker) != 2 || got.scanned != len(r.Files) {
		t.Errorf("docker %v scanned %d of %d", got.docker, got.scanned, len(r.Files))
	}
}

// TestSourcesDoNotWalk keeps the walking in one place: no source that reads
// repository files lists folders itself.
func TestSourcesDoNotWalk(t *testing.T) {
	forbidden := map[string]bool{"io/fs": true, "io/ioutil": true, "github.com/monochromegane/go-gitignore": true}
	calls := []string{"filepath.Walk", "filepath.WalkDir", "os.ReadDir", "fs.WalkDir", "fs.ReadDir", "os.Open(\".\")"}
	for _, pkg := range []string{"dockerfile", "promrules", "scan", "secrets"} {
		dir := filepath.Join("..", pkg)
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(names) == 0 {
			t.Fatalf("%s: no sources (%v)", dir, err)
		}
		for _, name := range names {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, im := range f.Imports {
				if p, _ := strconv.Unquote(im.Path.Value); forbidden[p] {
					t.Errorf("%s imports %s", name, p)
				}
			}
			for _, c := range calls {
				if strings.Contains(string(src), c+"(") {
					t.Errorf("%s calls %s", name, c)
				}
			}
		}
	}
}

func TestSourcesFileRoots(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"build.docker":       dockerBody,
		"deploy.yaml":        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n",
		"broken/Dockerfile":  "RUN true\n",
		".gitignore":         "*.env\n",
		"token.env":          leakBody,
		"testdata/rules.yml": rulesBody,
	}
	for p, c := range files {
		abs := filepath.Join(dir, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(abs), 0o755)
		if err := os.WriteFile(abs, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	in := func(p ...string) *source.Env {
		for i := range p {
			p[i] = filepath.Join(dir, p[i])
		}
		return source.NewEnv(source.Inputs{Paths: p})
	}
	ctx := context.Background()

	// A Dockerfile by content though not by name; a manifest is not one.
	env := in("build.docker", "deploy.yaml")
	ds, err := dockerfile.From(ctx, env)
	if err != nil || len(ds.Files) != 1 || ds.Files[0].Path != filepath.Join(dir, "build.docker") || ds.Files[0].Err != nil {
		t.Errorf("dockerfile from file roots: %v %+v", err, ds)
	}
	if ps := env.Problems(); len(ps) != 0 {
		t.Errorf("problems: %v", ps)
	}

	// A named file that is bad is a named problem (exit 2).
	env = in("broken/Dockerfile")
	if _, err := dockerfile.From(ctx, env); err != nil {
		t.Fatal(err)
	}
	if ps := env.Problems(); len(ps) != 1 || !ps[0].Named || ps[0].File != filepath.Join(dir, "broken", "Dockerfile") {
		t.Errorf("problems for a broken named Dockerfile: %+v", ps)
	}

	// Named files are read even where .gitignore or the default excludes
	// would leave them out of a walk.
	ls, err := secrets.From(ctx, in("token.env"))
	if err != nil || len(ls.Leaks) != 1 {
		t.Errorf("secrets in a named ignored file: %v %+v", err, ls)
	}
	rs, err := promrules.From(ctx, in("testdata/rules.yml"))
	if err != nil || len(rs.Rules) != 1 {
		t.Errorf("rules in a named file under testdata: %v %+v", err, rs)
	}
}

func TestScanReportsOutsideTheRepo(t *testing.T) {
	root := tree(t)
	outside := filepath.Join(t.TempDir(), "image-scan.json")
	if err := os.WriteFile(outside, []byte(trivyBody), 0o644); err != nil {
		t.Fatal(err)
	}
	excluded := filepath.Join(root, "testdata", "trivy.json")
	env := source.NewEnv(source.Inputs{Paths: []string{root}, Exclude: []string{"gen/"}, ScanReports: []string{outside, excluded, filepath.Join(root, "trivy.json")}})
	ss, err := scan.From(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range ss.Reports {
		got = append(got, r.File)
	}
	sort.Strings(got)
	// Named reports are read wherever they are; one also found in the
	// repository is read once.
	want := []string{filepath.Join(root, "svc", "trivy.json"), filepath.Join(root, "testdata", "trivy.json"), filepath.Join(root, "trivy.json"), outside}
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("reports = %v, want %v", got, want)
	}
	// Reports alone, with no repository, are enough.
	ss, err = scan.From(context.Background(), source.NewEnv(source.Inputs{ScanReports: []string{outside}}))
	if err != nil || len(ss.Reports) != 1 {
		t.Errorf("reports without a repository: %v %+v", err, ss)
	}
}
