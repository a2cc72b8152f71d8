// Package repo holds the checks that read the repository's files: documents
// and folders present, content patterns, .gitignore coverage and the steps
// of CI pipelines. A document check proves presence (and, with `contains`,
// that some words appear); whether the text is good enough stays a person's
// call, which the pack says by marking the item manual.
package repo

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	src "golive.dev/golive/internal/source/repo"
	"golive.dev/golive/internal/verdict"
)

// Register adds the repository checks and the `files` CEL binding.
func Register(r *check.Registry) {
	r.Register(fileExists())
	r.Register(fileAbsent())
	r.Register(contentMatches())
	r.Register(gitignoreEnv())
	r.Register(ciStep("repo/ci-step", "CI pipeline has a step matching a pattern", "step", nil))
	for _, s := range ciSteps {
		r.Register(ciStep(s.id, s.title, s.what, s.patterns))
	}
	for _, d := range docChecks {
		r.Register(kindCheck(d))
	}
	r.RegisterBinding(check.Binding{
		Name:        "files",
		Description: "list of every repository file path (slash separated, relative to the scanned root), .gitignore honoured",
		Needs:       check.Repo,
		Value: func(ctx context.Context, env *source.Env) (any, error) {
			rp, err := src.From(ctx, env)
			if err != nil {
				return nil, err
			}
			return rp.RelPaths(), nil
		},
	})
}

var needs = []check.Input{check.Repo}

func compileGlobs(pats []string) ([]*src.Glob, error) {
	out := make([]*src.Glob, 0, len(pats))
	for _, p := range pats {
		g, err := src.CompileGlob(p)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

func compilePatterns(pats []string) ([]*src.Pattern, error) {
	out := make([]*src.Pattern, 0, len(pats))
	for _, p := range pats {
		pat, err := src.CompilePattern(p)
		if err != nil {
			return nil, fmt.Errorf("pattern %q: %w", p, err)
		}
		out = append(out, pat)
	}
	return out, nil
}

func paths(files []*src.File, max int) []string {
	out := make([]string, 0, len(files))
	for i, f := range files {
		if i == max {
			out = append(out, fmt.Sprintf("… %d more", len(files)-max))
			break
		}
		out = append(out, f.Path)
	}
	return out
}

// presence decides "at least min files (or folders) match, and one of them
// contains every pattern". It is shared by file-exists and the named
// document checks.
func presence(ctx context.Context, env *source.Env, id, what string, files []*src.File, dirs []string, min int, contains []string, globs []string) ([]verdict.Finding, error) {
	res, err := compilePatterns(contains)
	if err != nil {
		return nil, err
	}
	count := len(files) + len(dirs)
	ev := map[string]any{"globs": globs, "found": append(paths(files, 20), dirs...)}
	if count == 0 {
		return []verdict.Finding{{Check: id, Status: verdict.Fail, Message: fmt.Sprintf("no %s found", what),
			Evidence: map[string]any{"globs": globs}, Hint: "add one at a path matching: " + strings.Join(globs, ", ")}}, nil
	}
	if count < min {
		return []verdict.Finding{{Check: id, Status: verdict.Fail, Message: fmt.Sprintf("found %d %s, want at least %d", count, what, min), Evidence: ev}}, nil
	}
	if len(res) == 0 {
		f := verdict.Finding{Check: id, Status: verdict.Pass, Message: fmt.Sprintf("%s present: %s", what, strings.Join(paths(files, 3), ", ")), Evidence: ev}
		if len(files) > 0 {
			f.File = files[0].Path
		} else {
			f.Message = fmt.Sprintf("%s present: %s", what, dirs[0])
		}
		return []verdict.Finding{f}, nil
	}
	// Look for one file holding every pattern; report how close the best came.
	best, bestHits := (*src.File)(nil), -1
	var bestMissing []string
	var search src.Searcher
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hits := 0
		var missing []string
		var first src.Match
		data, err := search.Read(f)
		for _, re := range res {
			if err != nil {
				missing = append(missing, re.String())
				continue
			}
			if m, ok := src.FirstIn(f, data, re); ok {
				if hits == 0 {
					first = m
				}
				hits++
			} else {
				missing = append(missing, re.String())
			}
		}
		if hits == len(res) {
			return []verdict.Finding{{Check: id, Status: verdict.Pass, File: f.Path, Line: first.Line,
				Message:  fmt.Sprintf("%s %s mentions %s", what, f.Path, strings.Join(contains, ", ")),
				Evidence: map[string]any{"globs": globs, "contains": contains, "line": first.Text}}}, nil
		}
		if hits > bestHits {
			best, bestHits, bestMissing = f, hits, missing
		}
	}
	fd := verdict.Finding{Check: id, Status: verdict.Fail,
		Message:  fmt.Sprintf("%s found but none mentions all of %s", what, strings.Join(contains, ", ")),
		Evidence: map[string]any{"found": paths(files, 20), "contains": contains}}
	if best != nil {
		fd.File = best.Path
		fd.Evidence["closest"] = best.Path
		fd.Evidence["missing"] = bestMissing
	}
	return []verdict.Finding{fd}, nil
}

func fileExists() check.Check {
	return check.Check{
		ID:    "repo/file-exists",
		Title: "A file or folder matching the globs exists",
		Description: "Matches repository paths (case-insensitive, ** spans folders, {a,b} alternatives) against `paths`. " +
			"Passes when at least `min` files or folders match and, with `contains`, one matching file contains every regular expression.",
		Needs: needs,
		Params: []check.Param{
			{Name: "paths", Type: check.Strings, Required: true, Description: "globs relative to the repository root"},
			{Name: "min", Type: check.Int, Default: 1, Description: "how many matches are needed"},
			{Name: "contains", Type: check.Strings, Description: "regular expressions one matching file must all contain"},
			{Name: "what", Type: check.String, Default: "matching file", Description: "name used in messages"},
		},
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			rp, err := src.From(ctx, env)
			if err != nil {
				return nil, err
			}
			gs, err := compileGlobs(p.Strings("paths"))
			if err != nil {
				return nil, err
			}
			var dirs []string
			if len(p.Strings("contains")) == 0 {
				dirs = rp.MatchDirs(gs...)
			}
			return presence(ctx, env, "repo/file-exists", p.String("what"), rp.Match(gs...), dirs, p.Int("min"), p.Strings("contains"), p.Strings("paths"))
		},
	}
}

func fileAbsent() check.Check {
	return check.Check{
		ID:          "repo/file-absent",
		Title:       "No committed file matches the globs",
		Description: "Fails for every repository file (not ignored by .gitignore) matching `paths`, except those matching `except`.",
		Needs:       needs,
		Params: []check.Param{
			{Name: "paths", Type: check.Strings, Required: true, Description: "globs of files that must not be committed"},
			{Name: "except", Type: check.Strings, Description: "globs that are allowed even though they match paths"},
		},
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			rp, err := src.From(ctx, env)
			if err != nil {
				return nil, err
			}
			gs, err := compileGlobs(p.Strings("paths"))
			if err != nil {
				return nil, err
			}
			ex, err := compileGlobs(p.Strings("except"))
			if err != nil {
				return nil, err
			}
			var out []verdict.Finding
			for _, f := range rp.Match(gs...) {
				if matchAny(ex, f.Rel) {
					continue
				}
				out = append(out, verdict.Finding{Check: "repo/file-absent", Status: verdict.Fail, File: f.Path,
					Message: fmt.Sprintf("%s is committed but matches a forbidden pattern", f.Path)})
			}
			if len(out) == 0 {
				out = append(out, verdict.Finding{Check: "repo/file-absent", Status: verdict.Pass,
					Message: "no file matches " + strings.Join(p.Strings("paths"), ", ")})
			}
			return out, nil
		},
	}
}

func matchAny(gs []*src.Glob, rel string) bool {
	for _, g := range gs {
		if g.Match(rel) {
			return true
		}
	}
	return false
}

func contentMatches() check.Check {
	return check.Check{
		ID:    "repo/content-matches",
		Title: "Files contain (or do not contain) a pattern",
		Description: "Searches the files matching `files` for the regular expression `pattern`. Required (default): passes when " +
			"some file matches (every file with `every`). Forbidden: fails at each matching line. No file matching the globs: na; " +
			"only binary, oversize or unreadable files matching: unverified.",
		Needs: needs,
		Params: []check.Param{
			{Name: "files", Type: check.Strings, Required: true, Description: "globs of the files to search"},
			{Name: "pattern", Type: check.String, Required: true, Description: "regular expression (RE2), matched per line unless it uses (?s)"},
			{Name: "forbidden", Type: check.Bool, Default: false, Description: "the pattern must not appear"},
			{Name: "every", Type: check.Bool, Default: false, Description: "required: every file must match, not just one"},
			{Name: "what", Type: check.String, Default: "", Description: "what the pattern stands for, for messages"},
		},
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			const id = "repo/content-matches"
			rp, err := src.From(ctx, env)
			if err != nil {
				return nil, err
			}
			gs, err := compileGlobs(p.Strings("files"))
			if err != nil {
				return nil, err
			}
			re, err := src.CompilePattern(p.String("pattern"))
			if err != nil {
				return nil, fmt.Errorf("pattern: %w", err)
			}
			what := p.String("what")
			if what == "" {
				what = "/" + re.String() + "/"
			}
			files := rp.Match(gs...)
			if len(files) == 0 {
				return []verdict.Finding{{Check: id, Status: verdict.NA, Message: "no file matches " + strings.Join(p.Strings("files"), ", ")}}, nil
			}
			// Binary, oversize and unreadable files are never searched: when
			// they are all there is, nothing was looked at.
			var unsearched []string
			for _, f := range files {
				if f.Searchable() != nil {
					unsearched = append(unsearched, f.Path)
				}
			}
			if len(unsearched) == len(files) {
				return []verdict.Finding{{Check: id, Status: verdict.Unverified,
					Message:  fmt.Sprintf("none of the %d file(s) matching %s could be searched (binary, over %d bytes or unreadable)", len(files), strings.Join(p.Strings("files"), ", "), src.MaxContent),
					Evidence: map[string]any{"unsearched": paths(files, 20)}}}, nil
			}
			var out []verdict.Finding
			if p.Bool("forbidden") {
				var search src.Searcher
				for _, m := range search.Grep(files, re, 50) {
					out = append(out, verdict.Finding{Check: id, Status: verdict.Fail, File: m.File.Path, Line: m.Line,
						Message: fmt.Sprintf("forbidden %s found", what), Evidence: map[string]any{"line": m.Text}})
				}
				if len(out) == 0 {
					f := verdict.Finding{Check: id, Status: verdict.Pass,
						Message: fmt.Sprintf("no %s in %d file(s)", what, len(files)-len(unsearched))}
					if len(unsearched) > 0 {
						f.Evidence = map[string]any{"unsearched": unsearched}
					}
					out = append(out, f)
				}
				return out, nil
			}
			var missing []string
			var search src.Searcher
			for _, f := range files {
				if m, ok := search.First(f, re); ok {
					if !p.Bool("every") {
						return []verdict.Finding{{Check: id, Status: verdict.Pass, File: f.Path, Line: m.Line,
							Message: fmt.Sprintf("%s found", what), Evidence: map[string]any{"line": m.Text}}}, nil
					}
				} else {
					missing = append(missing, f.Path)
				}
			}
			if len(missing) == 0 {
				return []verdict.Finding{{Check: id, Status: verdict.Pass, Message: fmt.Sprintf("%s found in all %d file(s)", what, len(files))}}, nil
			}
			if !p.Bool("every") {
				return []verdict.Finding{{Check: id, Status: verdict.Fail, Message: fmt.Sprintf("%s not found in %d file(s)", what, len(files)),
					Evidence: map[string]any{"searched": paths(files, 20)}}}, nil
			}
			for _, m := range missing {
				out = append(out, verdict.Finding{Check: id, Status: verdict.Fail, File: m, Message: fmt.Sprintf("%s not found", what)})
			}
			return out, nil
		},
	}
}

// exampleEnv are .env files meant to be committed: they document variables
// without values.
var exampleEnv = regexp.MustCompile(`(?i)\.(example|sample|template|dist|defaults|tpl)$|^(example|sample)\.env$`)

func gitignoreEnv() check.Check {
	return check.Check{
		ID:    "repo/gitignore-env",
		Title: ".gitignore keeps .env files out of git",
		Description: "Each scanned root's .gitignore rules must ignore the sample names in `samples` (.env, .env.local, .env.production), " +
			"and no .env file other than examples (.env.example, .env.sample, .env.template) may be present un-ignored.",
		Needs: needs,
		Params: []check.Param{
			{Name: "samples", Type: check.Strings, Default: []any{".env", ".env.local", ".env.production"}, Description: "file names that must be ignored"},
		},
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			const id = "repo/gitignore-env"
			rp, err := src.From(ctx, env)
			if err != nil {
				return nil, err
			}
			var out []verdict.Finding
			for _, root := range rp.Roots {
				var notIgnored []string
				for _, s := range p.Strings("samples") {
					if !rp.IgnoredPath(root, s, false) {
						notIgnored = append(notIgnored, s)
					}
				}
				gi := ".gitignore"
				if len(rp.Roots) > 1 {
					gi = strings.TrimSuffix(root, "/") + "/.gitignore"
				}
				if len(notIgnored) > 0 {
					f := verdict.Finding{Check: id, Status: verdict.Fail, File: gi,
						Message:  fmt.Sprintf(".gitignore does not ignore %s", strings.Join(notIgnored, ", ")),
						Evidence: map[string]any{"notIgnored": notIgnored}, Hint: "add a line `.env*` (and `!.env.example` to keep the example)"}
					if _, ok := rp.File(gi); !ok {
						f.Message = "no .gitignore at the repository root"
						f.File = ""
					}
					out = append(out, f)
				}
			}
			envGlob := src.MustGlob("**/{.env,.env.*,*.env}")
			for _, f := range rp.Match(envGlob) {
				base := f.Rel[strings.LastIndex(f.Rel, "/")+1:]
				if exampleEnv.MatchString(base) {
					continue
				}
				out = append(out, verdict.Finding{Check: id, Status: verdict.Fail, File: f.Path,
					Message: fmt.Sprintf("%s is not ignored and would be committed", f.Path)})
			}
			if len(out) == 0 {
				out = append(out, verdict.Finding{Check: id, Status: verdict.Pass,
					Message: ".gitignore ignores " + strings.Join(p.Strings("samples"), ", ") + " and no .env file is committed", File: ".gitignore"})
			}
			return out, nil
		},
	}
}

type ciDef struct {
	id, title, what string
	patterns        []string
}

// ciSteps are the pipeline steps checklists ask for, recognised by the
// commands and actions that usually implement them.
var ciSteps = []ciDef{
	{"repo/ci-runs-tests", "CI runs the tests", "test step", []string{
		`(?i)\b(go test|cargo (nextest|test)|pytest|python -m (pytest|unittest)|tox\b|nox\b|npm (run )?test|yarn (run )?test|pnpm (run )?test|jest|vitest|mocha|mvn\b.*\b(test|verify)|gradle\w*\b.*\b(test|check)|dotnet test|bundle exec (rspec|rake)|rspec|mix test|make (test|check)|ctest|phpunit|bazel test|task test|just test)`}},
	{"repo/ci-lint", "CI runs linters or static analysis", "lint step", []string{
		`(?i)(golangci-lint|go vet|staticcheck|cargo clippy|clippy|ruff|flake8|pylint|mypy|pyright|radon|xenon|eslint|tslint|biome|rubocop|ktlint|detekt|checkstyle|spotbugs|pmd|sonar|codeql|semgrep|hadolint|shellcheck|pre-commit run|make lint|npm run lint|yarn lint|super-linter|megalinter)`}},
	{"repo/ci-security-scan", "CI scans dependencies or images for vulnerabilities", "security scan step", []string{
		`(?i)(trivy|grype|snyk|cargo[- ]audit|cargo[- ]deny|pip-audit|safety check|bandit|npm audit|yarn audit|govulncheck|osv-scanner|dependency-check|anchore|docker scout|codeql|semgrep|gitleaks|trufflehog|checkov|tfsec|kics|gosec|brakeman|wiz|prisma|aqua|clair|xray|mend|whitesource)`}},
	{"repo/ci-image-signing", "CI signs images or records provenance", "signing/provenance step", []string{
		`(?i)(cosign (sign|attest)|sigstore/cosign-installer|slsa-framework/slsa-github-generator|slsa-github-generator|actions/attest-build-provenance|attest-build-provenance|notation sign|provenance:\s*(true|mode=max)|--provenance|in-toto|witness run|docker trust sign)`}},
	{"repo/ci-deploy", "CI/CD deploys the service", "deploy step", []string{
		`(?i)(helm (upgrade|install)|kubectl (apply|rollout|set image)|kustomize build|argocd app (sync|set)|flux (reconcile|create)|skaffold (run|deploy)|terraform apply|pulumi up|az (webapp|containerapp|aks)|aws ecs update-service|gcloud run deploy|serverless deploy|environment:\s*\S*(prod|staging)|deploy)`}},
	{"repo/ci-staging-before-prod", "CD deploys to staging before production", "staging stage", []string{
		`(?is)stag(e|ing)\b.*prod`}},
	{"repo/ci-smoke-tests", "CD runs smoke tests against a deployment", "smoke-test step", []string{
		`(?i)(smoke|sanity|synthetic|post-deploy|postdeploy|health[- ]?check|verify[- ]deploy)`}},
	{"repo/ci-coverage-threshold", "CI enforces a coverage threshold", "coverage threshold", []string{
		`(?i)(--cov-fail-under|fail_under|fail-under|coverageThreshold|--coverage-threshold|jacoco.*minimum|min(imum)?[-_ ]coverage|cover(age)?[-_ ]?min|coverage:\s*\d|--fail-under)`}},
}

var ciKind = func() []*src.Glob {
	k, _ := src.KindNamed("ci")
	out := make([]*src.Glob, 0, len(k.Globs))
	for _, g := range k.Globs {
		out = append(out, src.MustGlob(g))
	}
	return out
}()

// schedule recognises scheduled pipeline triggers.
var schedule = src.MustCompilePattern(`(?i)(^\s*schedule:|\bcron\s*[:(=]|- cron:|schedules:|triggers\s*\{[^}]*cron|\bnightly\b|pipeline_schedule|\$CI_PIPELINE_SOURCE\s*==\s*"schedule")`)

func ciStep(id, title, what string, defaults []string) check.Check {
	pat := check.Param{Name: "patterns", Type: check.Strings, Description: "regular expressions; a step matches when any matches"}
	if defaults == nil {
		pat.Required = true
	} else {
		ds := make([]any, len(defaults))
		for i, d := range defaults {
			ds[i] = d
		}
		pat.Default = ds
	}
	return check.Check{
		ID:    id,
		Title: title,
		Description: "Searches CI/CD pipeline files (.github/workflows, .gitlab-ci.yml, Jenkinsfile, .circleci, azure-pipelines, " +
			"Bitbucket, Drone, Buildkite, Tekton, Cloud Build ...) and `extraFiles` (Makefile, pre-commit) for a " + what +
			". With `scheduled`, the matching pipeline must also have a schedule (cron) trigger. No pipeline file: fail.",
		Needs: needs,
		Params: []check.Param{
			pat,
			{Name: "extraFiles", Type: check.Strings, Default: []any{}, Description: "more globs searched besides the CI files, e.g. Makefile, .pre-commit-config.yaml"},
			{Name: "scheduled", Type: check.Bool, Default: false, Description: "require a scheduled trigger in the same pipeline file"},
			{Name: "what", Type: check.String, Default: what, Description: "name used in messages"},
		},
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			rp, err := src.From(ctx, env)
			if err != nil {
				return nil, err
			}
			res, err := compilePatterns(p.Strings("patterns"))
			if err != nil {
				return nil, err
			}
			extra, err := compileGlobs(p.Strings("extraFiles"))
			if err != nil {
				return nil, err
			}
			ci := rp.Match(ciKind...)
			what := p.String("what")
			if len(ci) == 0 {
				return []verdict.Finding{{Check: id, Status: verdict.Fail, Message: "no CI/CD pipeline file found",
					Hint: "add a pipeline (.github/workflows/*.yml, .gitlab-ci.yml, Jenkinsfile, azure-pipelines.yml ...)"}}, nil
			}
			files := append(append([]*src.File{}, ci...), rp.Match(extra...)...)
			var unscheduled []string
			for _, f := range files {
				for _, re := range res {
					m, ok := src.GrepFirst(f, re)
					if !ok {
						continue
					}
					if p.Bool("scheduled") {
						if _, ok := src.GrepFirst(f, schedule); !ok {
							unscheduled = append(unscheduled, f.Path)
							break
						}
					}
					return []verdict.Finding{{Check: id, Status: verdict.Pass, File: f.Path, Line: m.Line,
						Message: fmt.Sprintf("%s found in %s", what, f.Path), Evidence: map[string]any{"line": m.Text}}}, nil
				}
			}
			msg := fmt.Sprintf("no %s in %d pipeline file(s)", what, len(files))
			if len(unscheduled) > 0 {
				msg = fmt.Sprintf("%s found in %s but no scheduled (cron) trigger runs it", what, strings.Join(unscheduled, ", "))
			}
			return []verdict.Finding{{Check: id, Status: verdict.Fail, Message: msg,
				Evidence: map[string]any{"searched": paths(files, 20), "patterns": p.Strings("patterns")}}}, nil
		},
	}
}

type docDef struct {
	id, kind, title, what string
}

// docChecks are the named presence checks over the file families of
// source/repo.
var docChecks = []docDef{
	{"repo/readme", "readme", "README present", "README"},
	{"repo/changelog", "changelog", "CHANGELOG or release notes present", "changelog"},
	{"repo/codeowners", "codeowners", "CODEOWNERS present", "CODEOWNERS"},
	{"repo/license", "license", "LICENSE present", "license file"},
	{"repo/security-policy", "security-policy", "SECURITY.md present", "security policy"},
	{"repo/runbook", "runbook", "Runbook documented", "runbook"},
	{"repo/rollback-doc", "rollback", "Rollback procedure documented", "rollback document"},
	{"repo/dr-doc", "dr", "Backup/restore or disaster-recovery procedure documented", "DR/backup document"},
	{"repo/incident-doc", "incident", "Incident response / escalation documented", "incident-response document"},
	{"repo/architecture-doc", "architecture", "Architecture documented", "architecture document"},
	{"repo/troubleshooting-doc", "troubleshooting", "Troubleshooting guide present", "troubleshooting guide"},
	{"repo/operations-doc", "operations", "Operational procedures documented", "operations document"},
	{"repo/sop-doc", "sop", "SOP / alert-handling document present", "SOP document"},
	{"repo/upgrade-doc", "upgrade", "Upgrade path documented", "upgrade guide"},
	{"repo/migration-guide", "migration-guide", "Migration guides present", "migration guide"},
	{"repo/secret-rotation-doc", "secret-rotation", "Secret rotation documented", "secret-rotation document"},
	{"repo/access-control-doc", "access-control", "Access control documented", "access-control document"},
	{"repo/policy-doc", "policy-doc", "Policy documentation present", "policy document"},
	{"repo/api-versioning-doc", "api-versioning", "API version lifecycle documented", "API versioning document"},
	{"repo/perf-baseline", "baseline", "Performance baseline committed", "performance baseline"},
	{"repo/load-tests", "load-test", "Load-test scripts committed", "load-test script"},
	{"repo/openapi-spec", "openapi", "OpenAPI spec committed", "OpenAPI spec"},
	{"repo/api-docs", "api-docs", "API documentation present", "API documentation"},
	{"repo/lockfile", "lockfile", "Dependency lockfile committed", "lockfile"},
	{"repo/tests", "tests", "Automated tests exist", "test file"},
	{"repo/integration-tests", "integration-tests", "Integration tests exist", "integration test"},
	{"repo/e2e-tests", "e2e-tests", "End-to-end tests exist", "end-to-end test"},
	{"repo/smoke-tests", "smoke-tests", "Smoke / sanity tests exist", "smoke test"},
	{"repo/ci-pipeline", "ci", "CI/CD pipeline configured", "CI/CD pipeline file"},
	{"repo/dependency-updates", "dependency-bot", "Automated dependency updates configured", "Dependabot/Renovate config"},
	{"repo/dashboards", "dashboards", "Dashboards committed", "dashboard definition"},
	{"repo/env-example", "env-example", "Configuration variables documented in an example env file", "example env file"},
	{"repo/sbom", "sbom", "SBOM committed", "SBOM"},
	{"repo/lint-config", "precommit", "Linter / pre-commit configuration present", "lint configuration"},
}

func kindCheck(d docDef) check.Check {
	k, ok := src.KindNamed(d.kind)
	if !ok {
		panic("unknown file kind " + d.kind)
	}
	globs := append([]string(nil), k.Globs...)
	sort.Strings(globs)
	return check.Check{
		ID:    d.id,
		Title: d.title,
		Description: fmt.Sprintf("Looks for a %s (%s) at the usual places: %s. `paths` adds globs; `contains` requires one file "+
			"to mention every regular expression. Presence only: a person judges the content.", d.what, k.Description, strings.Join(globs, ", ")),
		Needs: needs,
		Params: []check.Param{
			{Name: "paths", Type: check.Strings, Default: []any{}, Description: "extra globs where the file may live"},
			{Name: "contains", Type: check.Strings, Default: []any{}, Description: "regular expressions one file must all contain, e.g. (?i)helm rollback"},
			{Name: "min", Type: check.Int, Default: 1, Description: "how many files are needed"},
		},
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			rp, err := src.From(ctx, env)
			if err != nil {
				return nil, err
			}
			extra, err := compileGlobs(p.Strings("paths"))
			if err != nil {
				return nil, err
			}
			files := rp.Kind(d.kind)
			if len(extra) > 0 {
				seen := map[*src.File]bool{}
				for _, f := range files {
					seen[f] = true
				}
				files = append([]*src.File{}, files...)
				for _, f := range rp.Match(extra...) {
					if !seen[f] {
						files = append(files, f)
					}
				}
			}
			return presence(ctx, env, d.id, d.what, files, nil, p.Int("min"), p.Strings("contains"), append(globs, p.Strings("paths")...))
		},
	}
}
