// Package scan holds the checks over scanner output: no vulnerabilities of
// the given severities in Trivy, Grype, SARIF or cargo audit reports, and an
// SBOM that exists.
package scan

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/scan"
	"golive.dev/golive/internal/verdict"
)

// Register adds the scan report checks.
func Register(r *check.Registry) {
	r.Register(check.Check{
		ID:    "scan/vulnerabilities",
		Title: "Scan reports list no vulnerabilities of the gating severities",
		Description: "Reads Trivy JSON, Grype JSON, SARIF and cargo audit JSON reports (--scan-report, or trivy*.json, grype*.json, *.sarif " +
			"in the repository) and fails on any vulnerability of the listed severities. SARIF results whose severity cannot be told count as critical.",
		Needs: []check.Input{check.ScanReport},
		Params: []check.Param{
			{Name: "severities", Type: check.Strings, Default: []any{"CRITICAL"}, Description: "severities that fail (CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN, or ANY)"},
			{Name: "fixableOnly", Type: check.Bool, Default: false, Description: "count only vulnerabilities with a fixed version"},
			{Name: "olderThan", Type: check.Duration, Default: "0s", Description: "count only vulnerabilities published longer ago than this (a patch SLA); 0: all"},
			{Name: "formats", Type: check.Strings, Description: "only reports of these formats: trivy, grype, sarif, cargo-audit"},
		},
		Run: runVulns,
	})
	r.Register(check.Check{
		ID:          "scan/sbom",
		Title:       "An SBOM exists",
		Description: "A CycloneDX or SPDX JSON SBOM is given with --scan-report or found in the repository (*.cdx.json, *.spdx.json, sbom*.json, bom.json) and lists components.",
		Needs:       []check.Input{check.ScanReport},
		Params: []check.Param{
			{Name: "minComponents", Type: check.Int, Default: 1, Description: "minimum number of components or packages"},
		},
		Run: runSBOM,
	})
}

func errorFindings(id string, set *scan.Set) []verdict.Finding {
	var out []verdict.Finding
	for _, e := range set.Errors {
		out = append(out, verdict.Finding{Check: id, Status: verdict.Error, File: e.File, Message: e.Err.Error()})
	}
	return out
}

func runVulns(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	const id = "scan/vulnerabilities"
	set, err := scan.From(ctx, env)
	if err != nil {
		return nil, fmt.Errorf("read scan reports: %w", err)
	}
	gate := map[string]bool{}
	for _, s := range p.Strings("severities") {
		if strings.EqualFold(s, "ANY") {
			for _, x := range []string{scan.Critical, scan.High, scan.Medium, scan.Low, scan.Unknown} {
				gate[x] = true
			}
			continue
		}
		gate[scan.NormSeverity(s)] = true
	}
	if len(gate) == 0 {
		return nil, fmt.Errorf("severities is empty: no severity would fail, so every report would pass")
	}
	// A report that cannot tell critical from high must not pass a gate on critical.
	if gate[scan.Critical] {
		gate[scan.Unknown] = true
	}
	formats := p.Strings("formats")
	out := errorFindings(id, set)
	n := 0
	for _, r := range set.Reports {
		if len(formats) > 0 && !contains(formats, r.Format) {
			continue
		}
		n++
		var hits []scan.Vuln
		for _, v := range r.Vulns {
			if !gate[v.Severity] || (p.Bool("fixableOnly") && !v.Fixable()) {
				continue
			}
			if age := p.Duration("olderThan"); age > 0 && (v.Published.IsZero() || env.Inputs.Now.Sub(v.Published) < age) {
				continue
			}
			hits = append(hits, v)
		}
		ev := map[string]any{"format": r.Format, "tool": r.Tool, "total": len(r.Vulns)}
		if r.Artifact != "" {
			ev["artifact"] = r.Artifact
		}
		if len(hits) == 0 {
			out = append(out, verdict.Finding{Check: id, Status: verdict.Pass, File: r.File, Evidence: ev,
				Message: fmt.Sprintf("%s report%s lists no %s vulnerabilities (%d in total)", r.Tool, artifact(r), gateName(gate), len(r.Vulns))})
			continue
		}
		ev["count"] = len(hits)
		ev["examples"] = examples(hits, 5)
		out = append(out, verdict.Finding{Check: id, Status: verdict.Fail, File: r.File, Evidence: ev,
			Message: fmt.Sprintf("%s report%s lists %d %s vulnerabilities", r.Tool, artifact(r), len(hits), gateName(gate))})
	}
	if n == 0 && len(out) == 0 {
		what := "Trivy or Grype JSON report or SARIF vulnerability report"
		if len(formats) > 0 {
			what = strings.Join(formats, " or ") + " report"
		}
		return nil, &source.Missing{Input: "--scan-report",
			Reason: "no " + what + " found (e.g. trivy image -f json -o trivy.json IMAGE, grype IMAGE -o json, cargo audit --json)"}
	}
	return out, nil
}

func artifact(r *scan.Report) string {
	if r.Artifact == "" {
		return ""
	}
	return " for " + r.Artifact
}

func gateName(gate map[string]bool) string {
	if gate[scan.Low] && gate[scan.Medium] && gate[scan.High] && gate[scan.Critical] {
		return "(any severity)"
	}
	var s []string
	for _, x := range []string{scan.Critical, scan.High, scan.Medium, scan.Low} {
		if gate[x] {
			s = append(s, x)
		}
	}
	return strings.Join(s, "/")
}

func examples(vs []scan.Vuln, n int) []string {
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].Severity < vs[j].Severity })
	var out []string
	for i, v := range vs {
		if i == n {
			break
		}
		s := v.ID + " " + v.Severity
		if v.Package != "" {
			s += " in " + v.Package + " " + v.Installed
		}
		if v.Fixed != "" {
			s += " (fixed in " + v.Fixed + ")"
		}
		out = append(out, s)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}

func runSBOM(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	const id = "scan/sbom"
	set, err := scan.From(ctx, env)
	if err != nil {
		return nil, fmt.Errorf("read scan reports: %w", err)
	}
	out := errorFindings(id, set)
	for _, b := range set.SBOMs {
		st := verdict.Pass
		msg := fmt.Sprintf("%s SBOM lists %d components", b.Format, b.Components)
		if b.Components < p.Int("minComponents") {
			st = verdict.Fail
			msg += fmt.Sprintf(", want at least %d", p.Int("minComponents"))
		}
		out = append(out, verdict.Finding{Check: id, Status: st, File: b.File, Message: msg,
			Evidence: map[string]any{"format": b.Format, "components": b.Components}})
	}
	if len(set.SBOMs) == 0 && len(out) == 0 {
		return nil, &source.Missing{Input: "--scan-report",
			Reason: "no CycloneDX or SPDX JSON SBOM found (e.g. syft IMAGE -o cyclonedx-json=sbom.cdx.json, trivy image -f cyclonedx)"}
	}
	return out, nil
}
