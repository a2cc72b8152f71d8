package secrets

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/verdict"
)

type m = map[string]any

func run(t *testing.T, id, dir string, raw map[string]any) (verdict.Status, []verdict.Finding) {
	t.Helper()
	reg := check.NewRegistry()
	Register(reg)
	c, ok := reg.Lookup(id)
	if !ok {
		t.Fatalf("check %s not registered", id)
	}
	p, err := c.Resolve(raw)
	if err != nil {
		t.Fatalf("resolve %s: %v", id, err)
	}
	env := source.NewEnv(source.Inputs{Paths: []string{filepath.Join("testdata", dir)}})
	fs, err := c.Run(context.Background(), env, p)
	if err != nil {
		t.Fatalf("%s on %s: %v", id, dir, err)
	}
	var sts []verdict.Status
	for _, f := range fs {
		sts = append(sts, f.Status)
	}
	return verdict.Combine(sts...), fs
}

func TestChecks(t *testing.T) {
	tests := []struct {
		name, id, dir string
		params        m
		want          verdict.Status
	}{
		{"clean repo, ignored file and templated Secret", "secrets/none-committed", "pass", nil, verdict.Pass},
		{"token in code and literal Secret", "secrets/none-committed", "fail", nil, verdict.Fail},
		{"only jwt rule asked", "secrets/none-committed", "fail", m{"rules": []any{"jwt"}}, verdict.Pass},
		{"manifests left to another check", "secrets/none-committed", "k8s-only", m{"k8sSecrets": false}, verdict.Pass},
		{"excluded path", "secrets/none-committed", "k8s-only", m{"exclude": []any{"secret.yaml"}}, verdict.Pass},
		{"no literal Secret", "secrets/k8s-literal", "pass", nil, verdict.Pass},
		{"literal Secret", "secrets/k8s-literal", "k8s-only", nil, verdict.Fail},
	}
	seen := map[string]map[verdict.Status]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, fs := run(t, tt.id, tt.dir, tt.params)
			if got != tt.want {
				t.Errorf("%s on %s = %s, want %s", tt.id, tt.dir, got, tt.want)
			}
			if got != tt.want || testing.Verbose() {
				for _, f := range fs {
					t.Logf("  %s %s:%d %s %v", f.Status, f.File, f.Line, f.Message, f.Evidence)
				}
			}
		})
		if seen[tt.id] == nil {
			seen[tt.id] = map[verdict.Status]bool{}
		}
		seen[tt.id][tt.want] = true
	}
	reg := check.NewRegistry()
	Register(reg)
	for _, c := range reg.All() {
		if !seen[c.ID][verdict.Pass] || !seen[c.ID][verdict.Fail] {
			t.Errorf("check %s lacks a passing or a failing fixture in the table", c.ID)
		}
	}
}

// Values must never appear in any output.
func TestMasked(t *testing.T) {
	_, fs := run(t, "secrets/none-committed", "fail", nil)
	b, _ := json.Marshal(fs)
	for _, secret := range []string{"R7mQ2xV9kL4pW8nB3cT6yH1jF5dS0aZeUu1X", "Sup3r-S3cret-Passw0rd!", "S3cret"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("secret %q leaked into findings: %s", secret, b)
		}
	}
	lines := map[string]int{}
	for _, f := range fs {
		lines[filepath.Base(f.File)+":"+f.Evidence["rule"].(string)] = f.Line
	}
	if lines["client.go:github-pat"] != 3 || lines["secret.yaml:kubernetes-secret-literal"] == 0 {
		t.Errorf("findings at wrong lines: %v", lines)
	}
}
