package promrules

import (
	"context"
	"strings"
	"testing"
	"time"

	"golive.dev/golive/internal/source"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		rules     int
		errs      int
		firstLine int
		object    string
	}{
		{"rule file", "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    for: 5m\n", 1, 0, 4, ""},
		{"prometheusrule", "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: r\n  namespace: n\nspec:\n  groups:\n  - name: g\n    rules:\n    - record: a:b\n      expr: sum(x)\n", 1, 0, 10, "PrometheusRule/n/r"},
		{"other object with groups key", "apiVersion: v1\nkind: ConfigMap\ngroups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n", 0, 0, 0, ""},
		{"multi document", "groups: []\n---\nkind: PrometheusRule\nmetadata: {name: x}\nspec:\n  groups:\n  - name: g\n    rules:\n    - alert: B\n      expr: up == 0\n", 1, 0, 9, "PrometheusRule//x"},
		{"bad yaml", "groups:\n- name: g\n  rules: [\n", 0, 1, 0, ""},
		{"rule not a mapping", "groups:\n- name: g\n  rules:\n  - 3\n", 0, 1, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules, errs := Parse("f.yaml", []byte(tt.in))
			if len(rules) != tt.rules || len(errs) != tt.errs {
				t.Fatalf("got %d rules %d errors (%v), want %d and %d", len(rules), len(errs), errs, tt.rules, tt.errs)
			}
			for _, e := range errs {
				if !strings.HasPrefix(e.Error(), "f.yaml") {
					t.Errorf("error does not name the file: %v", e)
				}
			}
			if tt.rules > 0 {
				if rules[0].Line != tt.firstLine || rules[0].Object != tt.object {
					t.Errorf("first rule at line %d object %q, want %d %q", rules[0].Line, rules[0].Object, tt.firstLine, tt.object)
				}
			}
		})
	}
}

func TestRuleFields(t *testing.T) {
	in := "groups:\n- name: g\n  labels: {team: x}\n  rules:\n  - alert: A\n    expr: rate(x[5m]) > 1\n    for: 5m\n    labels: {severity: critical}\n    annotations: {summary: s}\n  - alert: B\n    expr: sum(\n"
	rules, errs := Parse("f.yaml", []byte(in))
	if len(errs) != 0 || len(rules) != 2 {
		t.Fatalf("rules %d errs %v", len(rules), errs)
	}
	a := rules[0]
	if a.For != 5*time.Minute || a.Labels["severity"] != "critical" || a.Labels["team"] != "x" || a.Annots["summary"] != "s" || a.Parsed == nil {
		t.Errorf("rule A read wrong: %+v", a)
	}
	if rules[1].ParseErr == nil || rules[1].ExprLine != 11 {
		t.Errorf("rule B: want a parse error at line 11, got %v at %d", rules[1].ParseErr, rules[1].ExprLine)
	}
}

func TestFrom(t *testing.T) {
	env := source.NewEnv(source.Inputs{Paths: []string{"../../checks/rules/testdata/pass"}})
	set, err := From(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Files) != 2 || len(set.Alerts()) != 10 {
		t.Errorf("files %v alerts %d", set.Files, len(set.Alerts()))
	}
	if _, err := From(context.Background(), source.NewEnv(source.Inputs{Paths: []string{"does-not-exist"}})); err == nil {
		t.Error("want an error for a missing path")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    for: 5m\n"))
	f.Add([]byte("kind: PrometheusRule\nspec:\n  groups:\n  - name: g\n    rules:\n    - record: a\n      expr: sum by (x) (rate(y[5m]))\n"))
	f.Add([]byte("groups:\n- rules:\n  - expr: histogram_quantile(0.9, x{a=~\"b\"})\n    labels: {a: '{{ $value }}'}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rules, _ := Parse("fuzz.yaml", data)
		for _, r := range rules {
			if r.Line <= 0 {
				t.Errorf("rule without a line")
			}
		}
	})
}
