// Package secrets holds the checks for secrets committed to the repository.
// Findings name the rule, the file and the line and show only a masked
// prefix of the value.
package secrets

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/secrets"
	"golive.dev/golive/internal/verdict"
)

// Register adds the secret checks.
func Register(r *check.Registry) {
	r.Register(check.Check{
		ID:    "secrets/none-committed",
		Title: "No secrets are committed to the repository",
		Description: "Runs gitleaks' default rules over every file git would track (.gitignore respected), looks for NATS credentials, " +
			"and reports Kubernetes Secret manifests with literal data. Values are masked.",
		Needs: []check.Input{check.Secrets},
		Params: []check.Param{
			{Name: "rules", Type: check.Strings, Description: "only these rule ids (gitleaks ids such as jwt, generic-api-key; nats-credentials; kubernetes-secret-literal); empty: all"},
			{Name: "exclude", Type: check.Strings, Description: "path globs to leave out (matched against the path and its base name), e.g. docs/*"},
			{Name: "k8sSecrets", Type: check.Bool, Default: true, Description: "also report Secret manifests with literal data"},
		},
		Run: runNone,
	})
	r.Register(check.Check{
		ID:          "secrets/k8s-literal",
		Title:       "No Kubernetes Secret manifest holds literal values",
		Description: "A Secret with data or stringData committed in YAML puts the value in git; use an external secret store, SealedSecrets or SOPS. Helm-templated values are not literals.",
		Needs:       []check.Input{check.Secrets},
		Run:         runK8s,
	})
}

func leakFinding(id string, l secrets.Leak) verdict.Finding {
	msg := fmt.Sprintf("%s: %s", l.Rule, l.Description)
	ev := map[string]any{"rule": l.Rule, "masked": l.Masked}
	if l.Key != "" {
		msg = fmt.Sprintf("%s: key %q holds a literal value", l.Rule, l.Key)
		ev["key"] = l.Key
	}
	return verdict.Finding{Check: id, Status: verdict.Fail, File: l.File, Line: l.Line, Object: l.Object, Message: msg, Evidence: ev,
		Hint: "remove the value, rotate it, and load it from a secret store or the environment"}
}

func excluded(path string, globs []string) bool {
	for _, g := range globs {
		if ok, _ := filepath.Match(g, filepath.ToSlash(path)); ok {
			return true
		}
		if ok, _ := filepath.Match(g, filepath.Base(path)); ok {
			return true
		}
		if strings.HasSuffix(g, "/*") && strings.Contains(filepath.ToSlash(path), "/"+strings.TrimSuffix(g, "*")) {
			return true
		}
	}
	return false
}

func runNone(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	const id = "secrets/none-committed"
	set, err := secrets.From(ctx, env)
	if err != nil {
		return nil, fmt.Errorf("scan for secrets: %w", err)
	}
	only := map[string]bool{}
	for _, r := range p.Strings("rules") {
		only[r] = true
	}
	var out []verdict.Finding
	for _, l := range set.Leaks {
		if len(only) > 0 && !only[l.Rule] {
			continue
		}
		if l.Rule == "kubernetes-secret-literal" && !p.Bool("k8sSecrets") {
			continue
		}
		if excluded(l.File, p.Strings("exclude")) {
			continue
		}
		out = append(out, leakFinding(id, l))
	}
	for _, e := range set.Errors {
		out = append(out, verdict.Finding{Check: id, Status: verdict.Error, File: e.File, Message: e.Err.Error()})
	}
	if len(out) == 0 && set.Scanned == 0 {
		return []verdict.Finding{nothingScanned(id)}, nil
	}
	if len(out) == 0 {
		out = append(out, verdict.Finding{Check: id, Status: verdict.Pass,
			Message: fmt.Sprintf("no secrets found in %d files", set.Scanned), Evidence: map[string]any{"files": set.Scanned}})
	}
	return out, nil
}

func runK8s(ctx context.Context, env *source.Env, _ check.Params) ([]verdict.Finding, error) {
	const id = "secrets/k8s-literal"
	set, err := secrets.From(ctx, env)
	if err != nil {
		return nil, fmt.Errorf("scan for secrets: %w", err)
	}
	var out []verdict.Finding
	for _, l := range set.Leaks {
		if l.Rule == "kubernetes-secret-literal" {
			out = append(out, leakFinding(id, l))
		}
	}
	if len(out) == 0 && set.Scanned == 0 {
		return []verdict.Finding{nothingScanned(id)}, nil
	}
	if len(out) == 0 {
		out = append(out, verdict.Finding{Check: id, Status: verdict.Pass, Message: "no Secret manifest with literal data"})
	}
	return out, nil
}

// nothingScanned is the verdict when every file was binary, oversize or
// absent: finding no secret in no text is not evidence of none.
func nothingScanned(id string) verdict.Finding {
	return verdict.Finding{Check: id, Status: verdict.Unverified,
		Message: "no text file was scanned (none found, or all binary or over the size limit)"}
}
