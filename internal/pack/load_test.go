package pack

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/verdict"
)

func fakeRegistry() *check.Registry {
	r := check.NewRegistry()
	r.Register(check.Check{ID: "k8s/replicas", Title: "enough replicas",
		Params: []check.Param{{Name: "min", Type: check.Int, Default: 2}, {Name: "selector", Type: check.String}},
		Run:    func(context.Context, *source.Env, check.Params) ([]verdict.Finding, error) { return nil, nil }})
	r.RegisterBinding(check.Binding{Name: "files", Needs: check.Repo,
		Value: func(context.Context, *source.Env) (any, error) { return []any{}, nil }})
	return r
}

const base = `apiVersion: golive.dev/v1
kind: Pack
metadata:
  name: base
  title: Base
categories:
  - id: rel
    title: Reliability
items:
  - id: rel/replicas
    title: Enough replicas
    category: rel
    priority: critical
    refs: [x.1]
    checks:
      - check: k8s/replicas
        with: {min: 2}
  - id: rel/docs
    title: Docs
    category: rel
    priority: low
`

func TestLoadErrorsNameFileAndLine(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want []string // substrings, each "file:line: ..."
	}{
		{"unknown field", strings.Replace(base, "    refs: [x.1]", "    refs: [x.1]\n    owner: me", 1), []string{"p.yaml:15: unknown field owner"}},
		{"unknown check", strings.Replace(base, "k8s/replicas", "k8s/replica", 1), []string{`p.yaml:16: unknown check "k8s/replica"`}},
		{"bad param type", strings.Replace(base, "{min: 2}", "{min: two}", 1), []string{`p.yaml:17: check k8s/replicas parameter "min": want int`}},
		{"unknown param", strings.Replace(base, "{min: 2}", "{max: 2}", 1), []string{`p.yaml:17: check k8s/replicas has no parameter "max"`}},
		{"duplicate id", strings.Replace(base, "id: rel/docs", "id: rel/replicas", 1), []string{`p.yaml:18: duplicate item id "rel/replicas"`}},
		{"bad priority", strings.Replace(base, "priority: low", "priority: urgent", 1), []string{`p.yaml:21: item rel/docs: priority "urgent"`}},
		{"bad cel", strings.Replace(base, "      - check: k8s/replicas\n        with: {min: 2}", "      - cel: 'files.exists(f, f ==)'", 1), []string{"p.yaml:16: cel:"}},
		{"undeclared category", strings.Replace(base, "category: rel\n    priority: low", "category: ops\n    priority: low", 1), []string{`p.yaml:20: item rel/docs: category "ops"`}},
		{"syntax", "apiVersion: golive.dev/v1\nkind: Pack\nitems: [\n", []string{"p.yaml:"}},
		{"two errors", strings.Replace(strings.Replace(base, "k8s/replicas", "nope/x", 1), "priority: low", "priority: p1", 1),
			[]string{`p.yaml:16: unknown check "nope/x"`, `p.yaml:21: item rel/docs: priority "p1"`}},
		{"empty", "", []string{"p.yaml:1: empty pack"}},
		{"wrong kind", strings.Replace(base, "kind: Pack", "kind: Checklist", 1), []string{"p.yaml:2: kind must be Pack"}},
	}
	l := &Loader{Registry: fakeRegistry()}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := l.Parse([]byte(c.yaml), "p.yaml")
			if err == nil {
				t.Fatal("loaded without error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestExtendsAndOverrides(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "base.yaml"), []byte(base), 0o644); err != nil {
		t.Fatal(err)
	}
	child := `apiVersion: golive.dev/v1
kind: Pack
metadata: {name: child}
extends: base.yaml
categories: [{id: sec, title: Security}]
items:
  - {id: sec/tls, title: TLS, category: sec, priority: high}
overrides:
  - item: rel/replicas
    priority: high
    with:
      k8s/replicas: {min: 3}
  - item: rel/docs
    disabled: true
`
	path := filepath.Join(dir, "child.yaml")
	if err := os.WriteFile(path, []byte(child), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := (&Loader{Registry: fakeRegistry()}).Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 2 {
		t.Fatalf("items %d, want 2 (replicas, tls)", len(p.Items))
	}
	rep, _ := p.Item("rel/replicas")
	if rep.Priority != verdict.High || rep.Checks[0].Params.Int("min") != 3 {
		t.Errorf("override not applied: priority %s min %d", rep.Priority, rep.Checks[0].Params.Int("min"))
	}
	if _, ok := p.Item("rel/docs"); ok {
		t.Error("disabled item still present")
	}
	// The parent is unchanged when loaded on its own.
	parent, err := (&Loader{Registry: fakeRegistry()}).Load(filepath.Join(dir, "base.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if it, _ := parent.Item("rel/replicas"); it.Checks[0].Params.Int("min") != 2 {
		t.Error("override leaked into the parent")
	}
}

func TestExtendsCycle(t *testing.T) {
	dir := t.TempDir()
	a := "apiVersion: golive.dev/v1\nkind: Pack\nmetadata: {name: a}\nextends: b.yaml\n"
	b := "apiVersion: golive.dev/v1\nkind: Pack\nmetadata: {name: b}\nextends: a.yaml\n"
	os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(a), 0o644)
	os.WriteFile(filepath.Join(dir, "b.yaml"), []byte(b), 0o644)
	_, err := (&Loader{Registry: fakeRegistry()}).Load(filepath.Join(dir, "a.yaml"))
	if err == nil || !strings.Contains(err.Error(), "extends cycle") {
		t.Fatalf("want an extends cycle error, got %v", err)
	}
}

// FuzzParse feeds arbitrary bytes to the pack loader: it must return a pack
// or errors, never panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte(base))
	f.Add([]byte("apiVersion: golive.dev/v1\nkind: Pack\nmetadata: {name: x}\noverrides: [{item: a, with: {k: {v: 1}}}]\n"))
	f.Add([]byte("items: [{checks: [{cel: 'files'}]}]"))
	f.Add([]byte("- a\n- b: &x [*x]\n"))
	l := &Loader{Registry: fakeRegistry()}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := l.Parse(data, "fuzz.yaml")
		if err == nil && p == nil {
			t.Fatal("nil pack without error")
		}
	})
}

func TestVariables(t *testing.T) {
	const withVars = `apiVersion: golive.dev/v1
kind: Pack
metadata: {name: v}
vars:
  replicas: {default: 3, description: fewest replicas}
  app: {default: orders}
categories: [{id: rel}]
items:
  - id: rel/replicas
    title: Enough replicas
    category: rel
    priority: high
    checks:
      - check: k8s/replicas
        with: {min: "${replicas}", selector: "app.kubernetes.io/name=${app}"}
`
	cases := []struct {
		name     string
		vars     map[string]string
		yaml     string
		min      int
		selector string
		err      string
	}{
		{"defaults", nil, withVars, 3, "app.kubernetes.io/name=orders", ""},
		{"set by flag, typed", map[string]string{"replicas": "5", "app": "payments"}, withVars, 5, "app.kubernetes.io/name=payments", ""},
		{"wrong type from flag", map[string]string{"replicas": "many"}, withVars, 0, "", `parameter "min": want int`},
		{"unknown reference", nil, strings.Replace(withVars, "${app}", "${service}", 1), 0, "", "p.yaml:15: check k8s/replicas: unknown variable ${service}"},
		{"no default", nil, strings.Replace(withVars, "app: {default: orders}", "app: {description: x}", 1), 0, "", "p.yaml:6: variable app needs a default"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := (&Loader{Registry: fakeRegistry(), Vars: c.vars}).Parse([]byte(c.yaml), "p.yaml")
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			params := p.Items[0].Checks[0].Params
			if params.Int("min") != c.min || params.String("selector") != c.selector {
				t.Errorf("params %v, want min %d selector %q", params, c.min, c.selector)
			}
		})
	}
}

func TestVariablesInheritedAndOverridden(t *testing.T) {
	dir := t.TempDir()
	parent := "apiVersion: golive.dev/v1\nkind: Pack\nmetadata: {name: base}\nvars: {min: {default: 2, description: fewest}}\ncategories: [{id: rel}]\n" +
		"items:\n  - {id: rel/r, title: R, category: rel, priority: high, checks: [{check: k8s/replicas, with: {min: '${min}'}}]}\n"
	child := "apiVersion: golive.dev/v1\nkind: Pack\nmetadata: {name: child}\nextends: base.yaml\nvars: {min: {default: 4}}\n"
	os.WriteFile(filepath.Join(dir, "base.yaml"), []byte(parent), 0o644)
	os.WriteFile(filepath.Join(dir, "child.yaml"), []byte(child), 0o644)
	p, err := (&Loader{Registry: fakeRegistry()}).Load(filepath.Join(dir, "child.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if v := p.Vars["min"]; v.Default != 4 || v.Description != "fewest" {
		t.Errorf("child var %+v", v)
	}
	// The child's default reaches the parent's items; --var beats both.
	if got := p.Items[0].Checks[0].Params.Int("min"); got != 4 {
		t.Errorf("inherited item min = %d, want the child's 4", got)
	}
	p, err = (&Loader{Registry: fakeRegistry(), Vars: map[string]string{"min": "6"}}).Load(filepath.Join(dir, "child.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Items[0].Checks[0].Params.Int("min"); got != 6 {
		t.Errorf("--var min=6 gave %d", got)
	}
}
