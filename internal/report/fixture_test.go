package report

import (
	"time"

	"golive.dev/golive/internal/verdict"
)

// fixture is a report as the engine would produce it for a small shop
// service checked against two packs: every status, findings with and without
// file:line, an HTTP exchange with credentials in it, a waiver, an
// attestation, expired sign-offs and an unreadable manifest.
func fixture() *verdict.Report {
	r := &verdict.Report{
		SchemaVersion: verdict.SchemaVersion,
		Tool:          verdict.Tool{Name: "golive", Version: "0.3.0-test"},
		StartedAt:     time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC),
		DurationMs:    1234,
		Inputs: verdict.Inputs{
			Paths:      []string{"examples/shop"},
			Packs:      []string{"default", "generic"},
			Targets:    []string{"https://deploy:hunter22@shop.example.test/"},
			Prometheus: "http://prometheus.monitoring:9090",
			Cluster:    "kind-shop",
			Baseline:   "golive-main.json",
			Other:      map[string]string{"helm-values": "charts/shop/values-prod.yaml", "api_token": "abc123xyz"},
		},
		Gate: verdict.Gate{
			Passed: false,
			FailOn: verdict.Critical,
			Strict: true,
			Reasons: []string{
				"default/security/tls-ingress (critical) is fail",
				"default/reliability/health-endpoint (critical) is error",
			},
		},
		Expired: []verdict.Expired{
			{Kind: "attestation", Item: "operations/runbook", Expired: "2026-02-01", Source: ".golive/attestations.yaml"},
			{Kind: "waiver", Item: "security/tls-ingress", Object: "Ingress/shop/admin", Expired: "2026-02-15", Source: ".golive/waivers.yaml"},
		},
		Problems: []verdict.Problem{
			{Source: "k8s", File: "deploy/broken.yaml", Line: 7, Message: "yaml: mapping values are not allowed in this context"},
		},
	}

	def := verdict.PackResult{
		Name:    "default",
		Title:   "Production readiness | all seeds",
		Version: "1.0.0",
		Score:   41.7,
		Categories: []verdict.CategoryResult{
			{ID: "security", Title: "Security", Score: 25},
			{ID: "reliability", Title: "Reliability", Score: 66.7},
			{ID: "observability", Title: "Observability", Score: 0},
			{ID: "operations", Title: "Operations", Score: 50},
		},
		Items: []verdict.ItemResult{
			{
				ID: "security/tls-ingress", Title: "Ingress terminates TLS", Category: "security",
				Priority: verdict.Critical, Refs: []string{"000-sec-03", "004-sec-01"}, Status: verdict.Fail, Automated: true,
				Checks:      []string{"k8s/ingress-tls"},
				Message:     "1 of 2 Ingresses serve plain HTTP",
				Remediation: "Add a spec.tls section naming a certificate Secret for every host.",
				Findings: []verdict.Finding{
					{Check: "k8s/ingress-tls", Status: verdict.Fail, Message: "Ingress has no tls section",
						Object: "Ingress/shop/web", File: "deploy/ingress.yaml", Line: 14,
						Evidence: map[string]any{"expected": "spec.tls with a secretName", "found": nil, "hosts": []any{"shop.example.test"}}},
					{Check: "k8s/ingress-tls", Status: verdict.Pass, Message: "tls set for admin.example.test",
						Object: "Ingress/shop/admin", File: "deploy/ingress.yaml", Line: 40},
				},
			},
			{
				ID: "security/no-secrets-in-repo", Title: "No credentials committed", Category: "security",
				Priority: verdict.High, Refs: []string{"001-sec-07"}, Status: verdict.Fail, Automated: true,
				Checks:      []string{"secrets/scan"},
				Message:     "2 secrets found in tracked files",
				Remediation: "Move the value to a secret store, rotate it, and purge it from history.",
				Findings: []verdict.Finding{
					{Check: "secrets/scan", Status: verdict.Fail, Message: "generic-api-key in config/app.env",
						File: "config/app.env", Line: 3,
						Evidence: map[string]any{"rule": "generic-api-key", "secret": "sk_live_51Habc", "entropy": 4.2}},
					{Check: "secrets/scan", Status: verdict.Fail, Message: "value | with <script>alert(1)</script> & *markdown*",
						File: "docs/setup notes.md", Line: 12,
						Evidence: map[string]any{"rule": "password-in-url", "match": "postgres://app:s3cretpw@db:5432/shop"}},
				},
			},
			{
				ID: "security/statefulset-backup", Title: "StatefulSets have a backup policy", Category: "security",
				Priority: verdict.Low, Refs: []string{"002-data-02"}, Status: verdict.NA, Automated: true,
				Checks:  []string{"k8s/statefulset-backup"},
				Message: "no StatefulSet in the manifests",
				Findings: []verdict.Finding{
					{Check: "k8s/statefulset-backup", Status: verdict.NA, Message: "no StatefulSet found"},
				},
			},
			{
				ID: "reliability/health-endpoint", Title: "Readiness endpoint answers 200", Category: "reliability",
				Priority: verdict.Critical, Refs: []string{"000-rel-01", "002-rel-04"}, Status: verdict.Error, Automated: true,
				Checks:      []string{"http/ready"},
				Message:     "the probe could not complete",
				Remediation: "Serve GET /ready with 200 once dependencies are reachable.",
				Findings: []verdict.Finding{
					{Check: "http/ready", Status: verdict.Error, Message: "unexpected 503 after redirect loop",
						Endpoint: "https://shop.example.test/ready",
						Evidence: map[string]any{
							"request": map[string]any{
								"method": "GET", "url": "https://shop.example.test/ready",
								"headers": map[string]any{"Accept": "application/json", "Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig"},
							},
							"response": map[string]any{
								"status": 503,
								"headers": []any{
									map[string]any{"name": "Set-Cookie", "value": "sid=abcdef123456"},
									map[string]any{"name": "Content-Type", "value": "text/html"},
								},
								"body": "<html>down</html>\x1b[31m",
							},
							"durationMs": 12.5,
						}},
				},
			},
			{
				ID: "reliability/replicas", Title: "At least 3 replicas", Category: "reliability",
				Priority: verdict.High, Refs: []string{"000-rel-05", "001-rel-02"}, Status: verdict.Waived, Automated: true,
				Checks:      []string{"k8s/replicas"},
				Message:     "1 Deployment below 3 replicas, waived",
				Remediation: "Set spec.replicas to 3 or more, or add an HPA with minReplicas 3.",
				Findings: []verdict.Finding{
					{Check: "k8s/replicas", Status: verdict.Waived, Message: "replicas 1 < 3",
						Object: "Deployment/shop/worker", File: "deploy/worker.yaml", Line: 5,
						Evidence: map[string]any{"expected": ">= 3", "found": 1},
						Waiver:   &verdict.WaiverRef{Reason: "queue worker is a singleton until SHOP-142", Expires: "2026-04-30", Source: ".golive/waivers.yaml"}},
				},
			},
			{
				ID: "reliability/pdb", Title: "PodDisruptionBudget for every Deployment", Category: "reliability",
				Priority: verdict.Medium, Refs: []string{"004-rel-03"}, Status: verdict.Pass, Automated: true,
				Checks:  []string{"k8s/pdb"},
				Message: "every Deployment has a PDB",
				Findings: []verdict.Finding{
					{Check: "k8s/pdb", Status: verdict.Pass, Message: "PDB web-pdb covers Deployment/shop/web",
						Object: "PodDisruptionBudget/shop/web-pdb", File: "deploy/pdb.yaml", Line: 1,
						Evidence: map[string]any{"minAvailable": 1}},
				},
			},
			{
				ID: "observability/error-rate-alert", Title: "Alert on 5xx rate above 1%", Category: "observability",
				Priority: verdict.High, Refs: []string{"001-obs-02", "003-obs-01"}, Status: verdict.Unverified, Automated: true,
				Checks:  []string{"prom/alert-exists"},
				Message: "Prometheus URL not given",
				Hint:    "pass --prometheus URL",
				Findings: []verdict.Finding{
					{Check: "prom/alert-exists", Status: verdict.Unverified, Message: "Prometheus URL not given", Hint: "pass --prometheus URL"},
				},
			},
			{
				ID: "observability/latency-slo", Title: "p99 latency under 500ms at expected load", Category: "observability",
				Priority: verdict.Medium, Refs: []string{"003-perf-01"}, Status: verdict.Unverified, Automated: true,
				Checks:  []string{"load/latency"},
				Message: "target not given",
				Hint:    "pass --target URL and --prometheus URL",
			},
			{
				ID: "operations/runbook", Title: "Runbook reviewed by on-call", Category: "operations",
				Priority: verdict.Medium, Refs: []string{"004-ops-02"}, Status: verdict.Manual, Automated: false,
				Checks:  []string{},
				Message: "needs an attestation",
			},
			{
				ID: "operations/rollback-plan", Title: "Rollback rehearsed", Category: "operations",
				Priority: verdict.High, Refs: []string{"000-ops-04"}, Status: verdict.Attested, Automated: false,
				Checks:  []string{},
				Message: "attested",
				Attestation: &verdict.Attestation{By: "alice", At: "2026-02-20", Expires: "2026-05-21",
					Evidence: "docs/rollback-drill.md", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Note: "drill on staging, 4 minutes"},
			},
			{
				ID: "operations/oncall", Title: "On-call rotation covers launch week", Category: "operations",
				Priority: verdict.Low, Refs: []string{"004-ops-05"}, Status: verdict.Unverified, Automated: true,
				Checks:  []string{"pagerduty/schedule"},
				Message: "no schedule source configured",
			},
		},
	}
	gen := verdict.PackResult{
		Name:  "generic",
		Title: "Generic service checklist",
		Score: 50,
		Items: []verdict.ItemResult{
			{
				ID: "docs/readme", Title: "README explains how to run", Category: "docs",
				Priority: verdict.Low, Refs: []string{"004-doc-01"}, Status: verdict.Pass, Automated: true,
				Checks: []string{"repo/file-exists"}, Message: "README.md present",
				Findings: []verdict.Finding{{Check: "repo/file-exists", Status: verdict.Pass, Message: "found", File: "README.md"}},
			},
			{
				ID: "testing/ci-pipeline", Title: "CI runs the tests", Category: "testing",
				Priority: verdict.Medium, Refs: []string{"004-test-02"}, Status: verdict.Fail, Automated: true,
				Checks: []string{"repo/ci-present"}, Message: "no CI pipeline found", Regression: true,
				Remediation: "Add a pipeline (.github/workflows, .gitlab-ci.yml) that runs the test suite.",
				Findings: []verdict.Finding{{Check: "repo/ci-present", Status: verdict.Fail, Message: "none of .github/workflows, .gitlab-ci.yml, Jenkinsfile exists",
					Evidence: map[string]any{"looked_for": []any{".github/workflows/*.yml", ".gitlab-ci.yml", "Jenkinsfile"}}}},
			},
			{
				ID: "testing/load-test", Title: "Load test at twice expected peak", Category: "testing",
				Priority: verdict.Medium, Refs: []string{"004-test-05"}, Status: verdict.Unverified, Automated: true,
				Checks: []string{"load/run"}, Message: "target not given", Hint: "pass --target URL",
			},
		},
	}
	for _, p := range []*verdict.PackResult{&def, &gen} {
		p.Counts = countItems(p.Items)
		for i := range p.Categories {
			var in []verdict.ItemResult
			for _, it := range p.Items {
				if it.Category == p.Categories[i].ID {
					in = append(in, it)
				}
			}
			p.Categories[i].Counts = countItems(in)
		}
	}
	r.Packs = []verdict.PackResult{def, gen}
	return r
}
