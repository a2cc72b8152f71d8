package repo

import (
	"path"
	"sort"
	"strings"
)

// Kind is a named family of files that production-readiness checklists ask
// for. Globs are case-insensitive and matched against root-relative paths.
type Kind struct {
	Name        string
	Description string
	Globs       []string
	compiled    []*Glob
	// proseOnly are the keyword patterns over documentation folders
	// ("docs/*runbook*"): they count only files that are prose.
	proseOnly []*Glob
}

// Where documentation usually lives: the root, .github and docs folders,
// and any folder named like a docs tree.
const docDirs = "{,.github/,docs/,doc/,documentation/,**/docs/,**/doc/,ops/,operations/,wiki/,**/runbooks/,**/playbooks/}"

var kinds = []*Kind{
	{Name: "readme", Description: "README", Globs: []string{"{,.github/,docs/}readme{,.*}"}},
	{Name: "changelog", Description: "CHANGELOG / release notes", Globs: []string{"{,docs/}{changelog,changes,history,release-notes,releasenotes,news}{,.*}"}},
	{Name: "codeowners", Description: "CODEOWNERS", Globs: []string{"{,.github/,docs/,.gitlab/}codeowners"}},
	{Name: "license", Description: "LICENSE", Globs: []string{"{licen[sc]e,copying}{,.*,-*}"}},
	{Name: "security-policy", Description: "SECURITY.md", Globs: []string{"{,.github/,docs/}security{,.*}"}},
	{Name: "contributing", Description: "CONTRIBUTING", Globs: []string{"{,.github/,docs/}contributing{,.*}"}},
	{Name: "runbook", Description: "runbook / operations guide", Globs: []string{
		docDirs + "*runbook*", "**/runbooks/**/*.{md,markdown,rst,txt,adoc,html}", "**/runbook/**/*.{md,markdown,rst,txt,adoc}",
	}},
	{Name: "rollback", Description: "rollback procedure", Globs: []string{
		docDirs + "*{rollback,roll-back,roll_back,rollout-undo}*", "**/runbooks/**/*rollback*",
	}},
	{Name: "dr", Description: "disaster recovery / backup and restore", Globs: []string{
		docDirs + "*{disaster,recovery,dr-plan,dr_plan,drp,bcp,business-continuity,backup,restore}*", docDirs + "dr{,.*}", docDirs + "dr/**",
	}},
	{Name: "incident", Description: "incident response plan / playbook", Globs: []string{
		docDirs + "*{incident,playbook,escalation,on-call,oncall,on_call}*", "**/playbooks/**/*.{md,markdown,rst,txt,adoc}",
	}},
	{Name: "architecture", Description: "architecture / design document", Globs: []string{
		docDirs + "*{architecture,design,system-overview,overview}*", "**/adr/**/*.md", "**/adrs/**/*.md", "**/architecture/**",
	}},
	{Name: "troubleshooting", Description: "troubleshooting guide", Globs: []string{docDirs + "*{troubleshoot,faq,debugging,known-issues}*"}},
	{Name: "operations", Description: "operations documentation", Globs: []string{
		docDirs + "*{operations,operating,ops,sop,runbook,maintenance}*", "{ops,operations}/**/*.{md,markdown,rst,txt,adoc}",
	}},
	{Name: "sop", Description: "standard operating procedure / alert handling", Globs: []string{
		docDirs + "*{sop,standard-operating,alert-handling,alerts,alerting,runbook}*",
	}},
	{Name: "upgrade", Description: "upgrade guide", Globs: []string{docDirs + "*{upgrad,migrat}*"}},
	{Name: "migration-guide", Description: "migration guide", Globs: []string{docDirs + "*migrat*", "**/migrations/**/*.md", "**/migration-guides/**"}},
	{Name: "secret-rotation", Description: "secret rotation procedure", Globs: []string{docDirs + "*{rotat,secret,credential}*"}},
	{Name: "access-control", Description: "access-control document", Globs: []string{docDirs + "*{access-control,access_control,accesscontrol,rbac,permissions,governance}*"}},
	{Name: "policy-doc", Description: "policy documentation", Globs: []string{docDirs + "*polic*"}},
	{Name: "api-versioning", Description: "API versioning / lifecycle document", Globs: []string{docDirs + "*{versioning,deprecation,lifecycle,api-version,compatibility}*"}},
	{Name: "baseline", Description: "performance baseline results", Globs: []string{
		"**/{perf,performance,bench,benchmark,benchmarks,load,loadtest,load-test,load-tests}/**/*{baseline,result,report,summary}*",
		"**/*{baseline,benchmark-results,perf-results,performance-baseline}*.{json,md,csv,txt,yaml,yml,html}",
		docDirs + "*{performance,benchmark,baseline,capacity}*",
	}},
	{Name: "load-test", Description: "load-test scripts", Globs: []string{
		"**/locustfile*.py", "**/{k6,load,loadtest,load-test,load-tests,perf,performance,stress}/**/*.{js,ts,py,yaml,yml,scala,jmx,lua}",
		"**/*.{k6,jmx}", "**/*{loadtest,load-test,load_test,k6}*.{js,ts,py}", "**/artillery*.{yml,yaml}", "**/gatling/**",
	}},
	{Name: "openapi", Description: "OpenAPI / Swagger spec", Globs: []string{
		"**/{openapi,swagger,api-spec,api_spec,apispec}*.{yaml,yml,json}", "**/{openapi,swagger}/**/*.{yaml,yml,json}", "**/api/**/*.openapi.{yaml,yml,json}",
	}},
	{Name: "api-docs", Description: "API reference documentation", Globs: []string{
		"**/{openapi,swagger,api-spec,api_spec,apispec}*.{yaml,yml,json}", docDirs + "*api*.{md,markdown,rst,adoc,html}", "**/docs/api/**", "**/*.proto", "**/*.graphql",
	}},
	{Name: "lockfile", Description: "dependency lockfile", Globs: []string{
		"**/go.sum", "**/cargo.lock", "**/package-lock.json", "**/npm-shrinkwrap.json", "**/yarn.lock", "**/pnpm-lock.yaml", "**/bun.lockb", "**/bun.lock",
		"**/poetry.lock", "**/pipfile.lock", "**/uv.lock", "**/pdm.lock", "**/requirements*.lock", "**/requirements*.txt", "**/gemfile.lock", "**/composer.lock",
		"**/packages.lock.json", "**/gradle.lockfile", "**/mix.lock", "**/pubspec.lock", "**/flake.lock", "**/chart.lock",
	}},
	{Name: "tests", Description: "automated tests", Globs: []string{
		"**/*_test.go", "**/test_*.py", "**/*_test.py", "**/tests/**/*.py", "**/conftest.py",
		"**/*.{test,spec}.{js,jsx,ts,tsx,mjs,cjs}", "**/__tests__/**", "**/tests/**/*.rs", "**/benches/**/*.rs",
		"**/src/test/**", "**/*{test,tests,spec}.{java,kt,scala,cs,swift}", "**/*_spec.rb", "**/spec/**/*.rb", "**/test/**/*.{rb,ex,exs,js,ts,c,cc,cpp,php}",
		"**/*test.php", "**/*_test.{exs,c,cc,cpp}", "**/*.bats",
	}},
	{Name: "integration-tests", Description: "integration tests", Globs: []string{
		"**/*integration*/**", "**/{it,integ}/**", "**/*integration*.{py,js,ts,rs,java,kt,go,rb}",
		"**/tests/*.rs", // cargo's integration test folder
	}},
	{Name: "e2e-tests", Description: "end-to-end tests", Globs: []string{
		"**/*{e2e,end-to-end,end2end,acceptance}*/**", "**/*{e2e,end-to-end,acceptance}*.{go,py,js,ts,rs,java,kt,rb,feature}",
		"**/cypress/**", "**/playwright*", "**/*.feature",
	}},
	{Name: "smoke-tests", Description: "smoke / sanity tests", Globs: []string{
		"**/*{smoke,sanity,synthetic}*/**", "**/*{smoke,sanity,synthetic}*.{go,py,js,ts,rs,java,kt,rb,sh,yaml,yml}",
	}},
	{Name: "ci", Description: "CI/CD pipeline", Globs: []string{
		".github/workflows/*.{yml,yaml}", ".gitlab-ci.yml", ".gitlab-ci/**/*.{yml,yaml}", "**/jenkinsfile{,.*}", ".circleci/config.{yml,yaml}",
		"**/azure-pipelines*.{yml,yaml}", ".azure-pipelines/**/*.{yml,yaml}", ".azuredevops/**/*.{yml,yaml}", "bitbucket-pipelines.yml", ".travis.yml",
		".drone.{yml,yaml}", ".woodpecker.{yml,yaml}", ".woodpecker/*.{yml,yaml}", ".buildkite/**/*.{yml,yaml}", "cloudbuild*.{yml,yaml}", "buildspec*.{yml,yaml}",
		".tekton/**/*.{yml,yaml}", "tekton/**/*.{yml,yaml}", "codefresh*.{yml,yaml}", ".semaphore/*.{yml,yaml}", "appveyor.yml", ".harness/**/*.{yml,yaml}",
		"skaffold.{yml,yaml}", ".argo/**/*.{yml,yaml}", "taskfile.{yml,yaml}",
	}},
	{Name: "dependency-bot", Description: "Dependabot / Renovate config", Globs: []string{
		".github/dependabot.{yml,yaml}", "{,.github/,.gitlab/}renovate.json{,5}", ".renovaterc{,.json,.json5}", "renovate.json5",
	}},
	{Name: "dashboards", Description: "dashboard definitions (Grafana JSON, Azure workbooks)", Globs: []string{
		"**/*dashboard*/**/*.{json,jsonnet,libsonnet,yaml,yml}", "**/*dashboard*.{json,jsonnet,libsonnet,yaml,yml}", "**/grafana/**/*.{json,jsonnet,libsonnet}",
		"**/*workbook*.json", "**/monitoring/**/*.json",
	}},
	{Name: "env-example", Description: "documented environment variables", Globs: []string{
		"**/.env.{example,sample,template,dist,defaults}", "**/{env,.env}.example", "**/example.env", "**/sample.env",
	}},
	{Name: "helm-values", Description: "Helm values files", Globs: []string{"**/values*.{yaml,yml}"}},
	{Name: "chart", Description: "Helm Chart.yaml", Globs: []string{"**/chart.yaml"}},
	{Name: "sbom", Description: "SBOM", Globs: []string{"**/*.{spdx,spdx.json,cdx.json,cyclonedx.json}", "**/*sbom*.{json,xml,spdx}", "**/bom.{json,xml}"}},
	{Name: "precommit", Description: "pre-commit / lint config", Globs: []string{
		".pre-commit-config.{yaml,yml}", "**/.golangci.{yml,yaml,toml,json}", "**/ruff.toml", "**/.ruff.toml", "**/.flake8", "**/.eslintrc{,.*}", "**/eslint.config.*",
		"**/clippy.toml", "**/.clippy.toml", "**/mypy.ini", "**/.pylintrc", "**/tslint.json", "**/.rubocop.yml", "**/biome.json",
	}},
}

var kindByName = func() map[string]*Kind {
	m := map[string]*Kind{}
	for _, k := range kinds {
		for _, g := range k.Globs {
			rest, inDocs := strings.CutPrefix(g, docDirs)
			if inDocs && strings.HasSuffix(rest, "*") && !strings.HasSuffix(rest, "/**") {
				k.proseOnly = append(k.proseOnly, MustGlob(g))
			} else {
				k.compiled = append(k.compiled, MustGlob(g))
			}
		}
		m[k.Name] = k
	}
	return m
}()

// proseExts are the extensions of documents a person writes; a file without
// an extension (RUNBOOK) counts too.
var proseExts = map[string]bool{"": true, ".md": true, ".markdown": true, ".rst": true, ".txt": true,
	".adoc": true, ".asciidoc": true, ".html": true, ".htm": true, ".org": true, ".pdf": true, ".docx": true}

// isProse reports whether a file looks like a document rather than config or
// code, so that alerts.yml is not taken for an alert-handling SOP.
func isProse(f *File) bool {
	return proseExts[strings.ToLower(path.Ext(f.Rel))]
}

// KindNamed returns a file family by name.
func KindNamed(name string) (*Kind, bool) {
	k, ok := kindByName[name]
	return k, ok
}

// KindNames lists every family name, sorted.
func KindNames() []string {
	out := make([]string, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, k.Name)
	}
	sort.Strings(out)
	return out
}

// Kind returns the files of a family.
func (r *Repo) Kind(name string) []*File {
	k, ok := kindByName[name]
	if !ok {
		return nil
	}
	r.kindMu.Lock()
	defer r.kindMu.Unlock()
	if fs, ok := r.kindMemo[name]; ok {
		return fs
	}
	fs := r.Match(k.compiled...)
	if len(k.proseOnly) > 0 {
		seen := map[*File]bool{}
		for _, f := range fs {
			seen[f] = true
		}
		var prose []*File
		for _, f := range r.Match(k.proseOnly...) {
			if !seen[f] && isProse(f) {
				prose = append(prose, f)
			}
		}
		if len(prose) > 0 {
			fs = append(append([]*File{}, fs...), prose...)
			sort.Slice(fs, func(i, j int) bool { return fs[i].Path < fs[j].Path })
		}
	}
	if r.kindMemo == nil {
		r.kindMemo = map[string][]*File{}
	}
	r.kindMemo[name] = fs
	return fs
}
