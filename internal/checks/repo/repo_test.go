package repo

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/check/checktest"
	"golive.dev/golive/internal/source"
	src "golive.dev/golive/internal/source/repo"
	"golive.dev/golive/internal/verdict"
)

func TestChecks(t *testing.T) {
	r := check.NewRegistry()
	Register(r)
	good, bad := filepath.Join("testdata", "good"), filepath.Join("testdata", "bad")
	// A committed .env is built here, not stored, so no tool ever commits one by accident.
	envBad := t.TempDir()
	os.WriteFile(filepath.Join(envBad, ".gitignore"), []byte("*.log\n"), 0o644)
	os.WriteFile(filepath.Join(envBad, ".env"), []byte("TOKEN=x\n"), 0o644)
	// Only a binary file matches: a forbidden pattern cannot pass unsearched.
	binOnly := t.TempDir()
	os.WriteFile(filepath.Join(binOnly, "blob.bin"), []byte("DEBUG=1\x00\x01"), 0o644)

	type tc struct {
		id   string
		dir  string
		with map[string]any
		want verdict.Status
	}
	cases := []tc{
		{"repo/file-exists", good, map[string]any{"paths": []any{"**/values-*.{yaml,yml}", "docs"}}, verdict.Pass},
		{"repo/file-exists", bad, map[string]any{"paths": []any{"docs/**"}}, verdict.Fail},
		{"repo/file-exists", good, map[string]any{"paths": []any{"docs/*.md"}, "contains": []any{"RTO", "RPO"}}, verdict.Pass},
		{"repo/file-exists", good, map[string]any{"paths": []any{"docs/*.md"}, "contains": []any{"RTO", "nowhere-to-be-found"}}, verdict.Fail},
		{"repo/file-absent", good, map[string]any{"paths": []any{"**/*.pem", "**/.env"}}, verdict.Pass},
		{"repo/file-absent", bad, map[string]any{"paths": []any{"**/*.txt"}}, verdict.Fail},
		{"repo/content-matches", good, map[string]any{"files": []any{"docs/*"}, "pattern": "(?i)helm rollback"}, verdict.Pass},
		{"repo/content-matches", bad, map[string]any{"files": []any{"**/*.go"}, "pattern": "(?i)helm rollback"}, verdict.Fail},
		{"repo/content-matches", bad, map[string]any{"files": []any{"**/*.txt"}, "pattern": "DEBUG=1", "forbidden": true}, verdict.Fail},
		{"repo/content-matches", good, map[string]any{"files": []any{"**/*.md"}, "pattern": "DEBUG=1", "forbidden": true}, verdict.Pass},
		{"repo/content-matches", bad, map[string]any{"files": []any{"**/*.md"}, "pattern": "x"}, verdict.NA},
		{"repo/content-matches", binOnly, map[string]any{"files": []any{"**/*.bin"}, "pattern": "DEBUG=1", "forbidden": true}, verdict.Unverified},
		{"repo/content-matches", binOnly, map[string]any{"files": []any{"**/*.bin"}, "pattern": "DEBUG=1", "every": true}, verdict.Unverified},
		{"repo/gitignore-env", good, nil, verdict.Pass},
		{"repo/gitignore-env", bad, nil, verdict.Fail},
		{"repo/gitignore-env", envBad, nil, verdict.Fail},
		{"repo/ci-step", good, map[string]any{"patterns": []any{"trivy"}, "scheduled": true}, verdict.Pass},
		{"repo/ci-step", bad, map[string]any{"patterns": []any{"trivy"}}, verdict.Fail},
		{"repo/ci-security-scan", good, map[string]any{"scheduled": true}, verdict.Pass},
		{"repo/ci-image-signing", good, nil, verdict.Pass},
		{"repo/ci-deploy", good, nil, verdict.Pass},
		{"repo/ci-staging-before-prod", good, nil, verdict.Pass},
		{"repo/ci-smoke-tests", good, nil, verdict.Pass},
		{"repo/ci-coverage-threshold", good, nil, verdict.Pass},
		{"repo/ci-runs-tests", good, nil, verdict.Pass},
		{"repo/ci-lint", good, nil, verdict.Pass},
		{"repo/ci-lint", good, map[string]any{"patterns": []any{"no-such-linter"}}, verdict.Fail},
		{"repo/rollback-doc", good, map[string]any{"contains": []any{"(?i)helm rollback"}}, verdict.Pass},
		{"repo/dr-doc", good, map[string]any{"contains": []any{`\bRTO\b`, `\bRPO\b`}}, verdict.Pass},
		{"repo/runbook", good, map[string]any{"contains": []any{"(?i)failure"}}, verdict.Pass},
		{"repo/runbook", good, map[string]any{"contains": []any{"(?i)mpl proxy"}}, verdict.Fail},
	}
	// Every named document check passes on the good fixture and fails on the bad one.
	for _, d := range docChecks {
		cases = append(cases, tc{d.id, good, nil, verdict.Pass}, tc{d.id, bad, nil, verdict.Fail})
	}
	for _, s := range ciSteps {
		cases = append(cases, tc{s.id, bad, nil, verdict.Fail})
	}
	var table []checktest.Case
	for _, c := range cases {
		table = append(table, checktest.Case{Name: c.id + " on " + filepath.Base(c.dir), ID: c.id, Inputs: checktest.Dir(c.dir), With: c.with, Want: c.want})
	}
	checktest.Table(t, r, table, func(t *testing.T, c checktest.Case, out check.Outcome) {
		for _, f := range out.Findings {
			if f.Check != c.ID {
				t.Errorf("finding of %s carries check %q", c.ID, f.Check)
			}
		}
	})
}

func TestFilesBinding(t *testing.T) {
	r := check.NewRegistry()
	Register(r)
	prg, err := r.CompileCEL(`files.exists(f, f.endsWith("openapi.yaml")) && !files.exists(f, f == ".env")`)
	if err != nil {
		t.Fatal(err)
	}
	env := source.NewEnv(source.Inputs{Paths: []string{filepath.Join("testdata", "good")}})
	ok, err := r.EvalCEL(context.Background(), prg, env)
	if err != nil || !ok {
		t.Fatalf("cel = %v, %v", ok, err)
	}
}

// The built-in CI patterns go through the literal prefilter: it must find
// exactly what their regexps find, also in text where exotic case folds
// (the Kelvin sign for k, the long s for s) stand in for ASCII letters.
func TestBuiltinPatternsMatchAsRegexp(t *testing.T) {
	var contents []string
	err := filepath.WalkDir("testdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		contents = append(contents, string(data))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	exotic := strings.NewReplacer("k", "\u212A", "s", "\u017F", "K", "\u212A", "S", "\u017F")
	for _, c := range slices.Clone(contents) {
		contents = append(contents, strings.ToUpper(c), exotic.Replace(c), "")
	}
	pats := []*src.Pattern{schedule}
	for _, s := range ciSteps {
		for _, p := range s.patterns {
			pats = append(pats, src.MustCompilePattern(p))
		}
	}
	for _, p := range pats {
		for _, c := range contents {
			got, want := p.FindIndex([]byte(c)), p.Regexp().FindIndex([]byte(c))
			if !slices.Equal(got, want) {
				t.Fatalf("%s in %q: FindIndex %v, regexp %v", p, c, got, want)
			}
		}
	}
}
