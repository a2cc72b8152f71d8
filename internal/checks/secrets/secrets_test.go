package secrets

import (
	"os"
	"path/filepath"
	"testing"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/check/checktest"
	"golive.dev/golive/internal/verdict"
)

type m = map[string]any

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
	reg := check.NewRegistry()
	Register(reg)
	var table []checktest.Case
	for _, tt := range tests {
		table = append(table, checktest.Case{Name: tt.name, ID: tt.id, Inputs: checktest.Dir("testdata", tt.dir), With: tt.params, Want: tt.want})
	}
	// Nothing readable as text was scanned: no leak found proves nothing.
	bin := t.TempDir()
	os.WriteFile(filepath.Join(bin, "blob.bin"), []byte("ghp_R7mQ2xV9kL4pW8nB3cT6yH1jF5dS0aZeUu1X\x00"), 0o644)
	for _, id := range []string{"secrets/none-committed", "secrets/k8s-literal"} {
		table = append(table, checktest.Case{Name: id + " on binary files only", ID: id, Inputs: checktest.Dir(bin), Want: verdict.Unverified})
	}
	checktest.Table(t, reg, table, nil)
}

// Values must never appear in any output.
func TestMasked(t *testing.T) {
	reg := check.NewRegistry()
	Register(reg)
	out := checktest.Run(t, reg, "secrets/none-committed", checktest.Dir("testdata", "fail"), nil)
	checktest.NoLeak(t, out.Findings, "R7mQ2xV9kL4pW8nB3cT6yH1jF5dS0aZeUu1X", "Sup3r-S3cret-Passw0rd!", "S3cret")
	lines := map[string]int{}
	for _, f := range out.Findings {
		rule, _ := f.Evidence["rule"].(string)
		lines[filepath.Base(f.File)+":"+rule] = f.Line
	}
	if lines["client.go:github-pat"] != 3 || lines["secret.yaml:kubernetes-secret-literal"] == 0 {
		t.Errorf("findings at wrong lines: %v", lines)
	}
}
