package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golive.dev/golive/internal/verdict"
)

// staticExceptions are the automated static items of each seed pack that
// examples/ready-service cannot decide, with the reason. The example is a
// Python service: items about another stack's files stay unverified, which
// is right — golive must not pass them for want of the file.
var staticExceptions = map[string]map[string]string{
	"acton-service": {
		"features/minimal-cargo-features": "reads Cargo.toml: ready-service is a Python service, not a Rust crate",
		"features/observability-feature":  "reads Cargo.toml: ready-service is a Python service, not a Rust crate",
		"security-testing/cargo-audit":    "needs a cargo-audit JSON report (--scan-report); a Python service has no Cargo.lock to audit",
	},
	"agent-framework": {
		"configuration/agent-toml-valid":   "reads the agent framework's agent*.toml, which a service not built on it does not have",
		"configuration/log-level-info":     "reads agent*.toml (the agent framework's config file)",
		"data-protection/pii-detection":    "reads agent*.toml (the agent framework's config file)",
		"data-protection/input-validation": "reads agent*.toml (the agent framework's config file)",
	},
}

func isStatic(kind string) bool { return strings.HasPrefix(kind, "static:") }

// readyArgs are the flags the example's README gives: the production values
// file and the scan reports it keeps in the repository.
func readyArgs(dir string) []string {
	return []string{dir, "-f", filepath.Join(dir, "chart", "values-prod.yaml"),
		"--scan-report", filepath.Join(dir, "trivy-report.json"), "--scan-report", filepath.Join(dir, "sbom.cdx.json")}
}

// TestStaticCoverage runs every seed pack over examples/ready-service — a
// repository with a Helm chart, a Kustomize overlay, raw manifests, a
// Dockerfile and rule files — and requires every automated static item to be
// decided.
func TestStaticCoverage(t *testing.T) {
	inv := inventory(t)
	dir := filepath.Join(repoRoot(t), "examples", "ready-service")
	for _, name := range seedPacks {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "report.json")
			args := append([]string{"check", "-p", name, "-o", "json=" + out}, readyArgs(dir)...)
			res := golive(t, args...)
			if res.code != 0 && res.code != 1 {
				t.Fatalf("exit %d, want 0 or 1 (the gate's verdict)\n%s", res.code, res.stderr)
			}
			rep := readReport(t, out)
			if len(rep.Problems) > 0 {
				t.Errorf("the example should load cleanly, problems: %+v", rep.Problems)
			}
			c := measure(t, inv, rep, isStatic, staticExceptions[name])
			t.Logf("static coverage %s: %d/%d automated items decided (%d excepted, %d manual)",
				name, c.decided, c.automated, len(staticExceptions[name]), c.manual)
			for _, u := range c.undecided {
				t.Errorf("undecided static item %s", u)
			}
			checkLocations(t, rep, dir)
		})
	}
}

// checkLocations requires file:line on every failing static finding about a
// file or a Kubernetes object, and that each input kind of the example points
// back to its own file: the Helm template, the Kustomize base and the raw
// manifest.
func checkLocations(t *testing.T, rep *verdict.Report, dir string) {
	t.Helper()
	for _, p := range rep.Packs {
		for _, it := range p.Items {
			for _, f := range it.Findings {
				domain, _, _ := strings.Cut(f.Check, "/")
				file := strings.TrimPrefix(filepath.ToSlash(f.File), filepath.ToSlash(dir)+"/")
				if f.File != "" {
					if _, err := os.Stat(filepath.Join(dir, file)); err != nil {
						t.Errorf("%s %s: finding names %s, which does not exist under the scanned path", it.ID, f.Check, f.File)
					}
				}
				if f.Status != verdict.Fail {
					continue
				}
				// A finding about an object or a file must say where; one about
				// something absent (no alert for X) has nowhere to point.
				if (domain == "k8s" && f.Object != "") || (f.File != "" && domain != "repo") {
					if f.File == "" || f.Line <= 0 {
						t.Errorf("%s %s: failing finding without file:line: %s %s %s", it.ID, f.Check, f.Object, f.File, f.Message)
					}
				}
			}
		}
	}
}

// TestKubeInputsCarryOrigins: objects from each input kind of the example
// (Helm chart, Kustomize overlay, raw manifests) are found, and findings about
// them point at the file they come from.
func TestKubeInputsCarryOrigins(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "examples", "ready-service")
	out := filepath.Join(t.TempDir(), "report.json")
	args := append([]string{"check", "-p", filepath.Join("testdata", "origins-pack.yaml"), "-o", "json=" + out}, readyArgs(dir)...)
	if res := golive(t, args...); res.code > 1 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	rep := readReport(t, out)
	for _, id := range []string{"origins/raw-manifests-read", "origins/kustomize-overlay-applied"} {
		if it := item(t, rep, id); it.Status != verdict.Pass {
			t.Errorf("%s is %s: %s", id, it.Status, it.Message)
		}
	}
	want := map[string]string{ // object -> file it must be traced to
		"Deployment/orders/orders-api": "chart/templates/deployment.yaml",
		"CronJob/orders/orders-reaper": "deploy/base/cronjob.yaml",
	}
	got := map[string][]string{}
	for _, f := range item(t, rep, "origins/workloads-located").Findings {
		if f.Object == "" {
			continue
		}
		file := strings.TrimPrefix(filepath.ToSlash(f.File), filepath.ToSlash(dir)+"/")
		if f.Line <= 0 {
			file += " (no line)"
		}
		got[f.Object] = append(got[f.Object], file)
	}
	for obj, file := range want {
		if len(got[obj]) == 0 {
			t.Errorf("no finding about %s: is its input discovered? got %v", obj, got)
			continue
		}
		for _, g := range got[obj] {
			if g != file {
				t.Errorf("%s: finding points at %s, want %s with a line", obj, g, file)
			}
		}
	}
}

func keys[M ~map[string]V, V any](m M) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestRiskyServiceFailsWithLocations: the badly prepared example fails in
// every static domain, each failure pointing at file:line, and the secrets
// it commits never reach the report.
func TestRiskyServiceFailsWithLocations(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "examples", "risky-service")
	out := filepath.Join(t.TempDir(), "report.json")
	args := []string{"check", dir, "-o", "json=" + out}
	for _, p := range seedPacks {
		args = append(args, "-p", p)
	}
	res := golive(t, args...)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1 (gate failed)\n%s", res.code, res.stderr)
	}
	rep := readReport(t, out)
	min := map[string]int{"k8s": 15, "docker": 5, "rules": 5, "secrets": 4}
	located := map[string]map[string]bool{}
	for _, p := range rep.Packs {
		for _, it := range p.Items {
			for _, f := range it.Findings {
				domain, _, _ := strings.Cut(f.Check, "/")
				if f.Status != verdict.Fail || f.File == "" || f.Line <= 0 {
					continue
				}
				if located[domain] == nil {
					located[domain] = map[string]bool{}
				}
				located[domain][fmt.Sprintf("%s %s:%d %s %s", f.Check, f.File, f.Line, f.Object, f.Message)] = true
			}
		}
	}
	for domain, n := range min {
		if got := len(located[domain]); got < n {
			t.Errorf("%s: %d distinct failures with file:line, want at least %d: %v", domain, got, n, keys(located[domain]))
		} else {
			t.Logf("%s: %d distinct failures with file:line", domain, got)
		}
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"Sup3rS3cretOrdersPassw0rd", "pay_tok_9f3Kq2LmX7vR4tZ8wB1nC6yH0dJ5sGoLiveFake"} {
		if strings.Contains(string(raw), secret) || strings.Contains(res.stdout, secret) {
			t.Errorf("committed secret %.4s… appears in the report", secret)
		}
	}
}
