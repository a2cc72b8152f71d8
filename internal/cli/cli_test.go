package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/checks/all"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/verdict"
)

// testReg has one check that fails when a file named FAIL exists in the
// scanned path, so tests can steer the gate through the repository.
func testReg() *check.Registry {
	r := check.NewRegistry()
	r.Register(check.Check{ID: "test/no-fail-file", Title: "no FAIL file", Needs: []check.Input{check.Repo},
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			if _, err := os.Stat(filepath.Join(env.Inputs.Paths[0], "FAIL")); err == nil {
				return []verdict.Finding{{Status: verdict.Fail, Message: "FAIL file present", File: "FAIL", Line: 1}}, nil
			}
			return []verdict.Finding{{Status: verdict.Pass, Message: "no FAIL file"}}, nil
		}})
	return r
}

const testPack = `apiVersion: golive.dev/v1
kind: Pack
metadata: {name: t, title: Test}
categories: [{id: c, title: C}]
items:
  - {id: c/no-fail, title: No FAIL file, category: c, priority: high, checks: [{check: test/no-fail-file}]}
  - {id: c/sign-off, title: Signed off, category: c, priority: critical}
`

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := run(context.Background(), testReg(), getenv, "test", args, &out, &errb)
	return result{code, out.String(), errb.String()}
}

func repo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestExitCodes(t *testing.T) {
	good := repo(t, map[string]string{"pack.yaml": testPack})
	bad := repo(t, map[string]string{"pack.yaml": testPack, "FAIL": "x"})
	badPack := repo(t, map[string]string{"pack.yaml": strings.Replace(testPack, "priority: high", "priority: urgent", 1)})
	badCfg := repo(t, map[string]string{"pack.yaml": testPack, ".golive.yaml": "packs: [x]\nfailon: high\n"})
	cases := []struct {
		name string
		args []string
		code int
		want string // in stdout+stderr
	}{
		{"version", []string{"version"}, 0, "golive test"},
		{"unknown flag", []string{"check", "--nope"}, 2, "unknown flag"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"gate passes", []string{"check", good, "--pack", filepath.Join(good, "pack.yaml")}, 0, "PASSED"},
		{"gate fails at high", []string{"check", bad, "--pack", filepath.Join(bad, "pack.yaml"), "--fail-on", "high"}, 1, "FAILED"},
		{"fail-on critical ignores high", []string{"check", bad, "--pack", filepath.Join(bad, "pack.yaml")}, 0, "PASSED"},
		{"strict fails on manual", []string{"check", good, "--pack", filepath.Join(good, "pack.yaml"), "--strict"}, 1, "c/sign-off"},
		{"bad pack names file:line", []string{"check", badPack, "--pack", filepath.Join(badPack, "pack.yaml")}, 2, "pack.yaml:6: item c/no-fail: priority"},
		{"unknown pack", []string{"check", good, "--pack", "no-such-pack"}, 2, "no pack"},
		{"bad fail-on", []string{"check", good, "--fail-on", "urgent"}, 2, "--fail-on"},
		{"bad output format", []string{"check", good, "--pack", filepath.Join(good, "pack.yaml"), "-o", "pdf"}, 2, "unknown format"},
		{"missing path", []string{"check", filepath.Join(good, "nope")}, 2, "no such file"},
		{"bad config names file:line", []string{"check", badCfg}, 2, ".golive.yaml:2: unknown field failon"},
		{"unknown var", []string{"check", good, "--pack", filepath.Join(good, "pack.yaml"), "--var", "port=9090"}, 2, "--var port"},
		{"bad var", []string{"check", good, "--pack", filepath.Join(good, "pack.yaml"), "--var", "port"}, 2, "NAME=VALUE"},
		{"bad target", []string{"check", good, "--pack", filepath.Join(good, "pack.yaml"), "--target", "ftp://x"}, 2, "--target"},
		{"waive needs reason", []string{"waive", "c/no-fail", "--expires", "30d", "--pack", filepath.Join(good, "pack.yaml"), "--repo", good}, 2, "--reason"},
		{"waive needs expiry", []string{"waive", "c/no-fail", "--reason", "x", "--pack", filepath.Join(good, "pack.yaml"), "--repo", good}, 2, "--expires"},
		{"attest unknown item", []string{"attest", "c/nope", "--by", "a", "--evidence", "https://x", "--expires", "30d", "--pack", filepath.Join(good, "pack.yaml"), "--repo", good}, 2, "no item"},
		{"attest past expiry", []string{"attest", "c/sign-off", "--by", "a", "--evidence", "https://x", "--expires", "2020-01-01", "--pack", filepath.Join(good, "pack.yaml"), "--repo", good}, 2, "past"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, nil, c.args...)
			if r.code != c.code || !strings.Contains(r.stdout+r.stderr, c.want) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s\n%s", r.code, c.code, c.want, r.stdout, r.stderr)
			}
		})
	}
}

func TestReportFilesAndSettingsPrecedence(t *testing.T) {
	dir := repo(t, map[string]string{"pack.yaml": testPack, "FAIL": "x",
		".golive.yaml": "failOn: high\noutput: [text, json=out/report.json]\n"})
	pk := filepath.Join(dir, "pack.yaml")
	// .golive.yaml says high: the gate fails and the JSON report is written anyway.
	r := runCLI(t, map[string]string{"GOLIVE_FAIL_ON": "none"}, "check", dir, "--pack", pk)
	if r.code != 1 {
		t.Fatalf("config fail-on high should win over GOLIVE_FAIL_ON: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "out", "report.json"))
	if err != nil {
		t.Fatalf("json report not written on a failed gate: %v", err)
	}
	var rep verdict.Report
	if err := json.Unmarshal(data, &rep); err != nil || rep.SchemaVersion == "" || rep.Gate.Passed {
		t.Fatalf("bad report: %v %+v", err, rep.Gate)
	}
	// A flag wins over the file.
	if r := runCLI(t, nil, "check", dir, "--pack", pk, "--fail-on", "critical", "-o", "text"); r.code != 0 {
		t.Errorf("--fail-on critical should win over .golive.yaml: exit %d", r.code)
	}
}

func TestAttestAndWaiveRoundTrip(t *testing.T) {
	dir := repo(t, map[string]string{"pack.yaml": testPack, "FAIL": "x", "docs/signoff.md": "reviewed\n"})
	pk := filepath.Join(dir, "pack.yaml")
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	if r := runCLI(t, nil, "attest", "c/sign-off", "--by", "alice", "--evidence", "docs/signoff.md", "--expires", "90d", "--pack", pk); r.code != 0 {
		t.Fatalf("attest: %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "waive", "c/no-fail", "--reason", "known, fixing in Q1", "--expires", "30d", "--pack", pk); r.code != 0 {
		t.Fatalf("waive: %d %s", r.code, r.stderr)
	}
	r := runCLI(t, nil, "check", ".", "--pack", pk, "--strict", "--fail-on", "low", "-o", "json")
	if r.code != 0 {
		t.Fatalf("attested and waived pack should pass strict: exit %d\n%s\n%s", r.code, r.stderr, r.stdout)
	}
	var rep verdict.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	st := map[string]verdict.Status{}
	for _, it := range rep.Packs[0].Items {
		st[it.ID] = it.Status
	}
	if st["c/sign-off"] != verdict.Attested || st["c/no-fail"] != verdict.Waived {
		t.Fatalf("statuses %v", st)
	}
	// Changing the evidence file voids the attestation.
	os.WriteFile(filepath.Join(dir, "docs/signoff.md"), []byte("edited\n"), 0o644)
	if r := runCLI(t, nil, "check", ".", "--pack", pk, "--strict"); r.code != 1 {
		t.Errorf("attestation with changed evidence still counts: exit %d", r.code)
	}
}

func TestPacksShowJSONTellsAutomated(t *testing.T) {
	dir := repo(t, map[string]string{"pack.yaml": testPack})
	r := runCLI(t, nil, "packs", "show", filepath.Join(dir, "pack.yaml"), "-o", "json")
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	var doc packDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Items) != 2 || !doc.Items[0].Automated || doc.Items[1].Automated {
		t.Errorf("automated flags wrong: %+v", doc.Items)
	}
}

// TestGeneratedDocsAreCurrent fails when docs/checks.md or docs/packs/ differ
// from what `golive docs` would write: run it and commit the result.
func TestGeneratedDocsAreCurrent(t *testing.T) {
	a := &app{registry: all.Registry()}
	a.loader = newLoader(a.registry)
	docs, err := a.generatedDocs()
	if err != nil {
		t.Fatal(err)
	}
	for rel, want := range docs {
		have, err := os.ReadFile(filepath.Join("..", "..", "docs", rel))
		if err != nil || !bytes.Equal(have, want) {
			t.Errorf("docs/%s is stale: run `go run ./cmd/golive docs`", rel)
		}
	}
}

func TestInitWritesConfigThatLoads(t *testing.T) {
	dir := repo(t, map[string]string{"chart/Chart.yaml": "name: x\n", "chart/values-prod.yaml": "a: 1\n", "Dockerfile": "FROM scratch\n"})
	if r := runCLI(t, nil, "init", dir); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if _, _, err := readConfigFile(filepath.Join(dir, ConfigFile)); err != nil {
		t.Fatalf("init wrote a config that does not load: %v", err)
	}
	if r := runCLI(t, nil, "init", dir); r.code != 2 {
		t.Errorf("init over an existing file: exit %d, want 2", r.code)
	}
}

// FuzzConfig feeds arbitrary bytes to the .golive.yaml reader.
func FuzzConfig(f *testing.F) {
	f.Add([]byte("packs: [default]\nfailOn: high\nhelm: {values: [a.yaml]}\ntargets: [{name: a, url: http://x}]\n"))
	f.Add([]byte("packs: {a: b}\n"))
	f.Add([]byte(":\n- - [\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, ConfigFile)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, _, err := readConfigFile(p)
		if err == nil && s == nil {
			t.Fatal("nil settings without error")
		}
		if err != nil && !strings.Contains(err.Error(), p) {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}

// TestNamedBadInputExits2KeepingReports: a scan report the user named that
// does not parse is bad input (exit 2), yet the reports are still written.
func TestNamedBadInputExits2KeepingReports(t *testing.T) {
	dir := repo(t, map[string]string{
		"trivy.json": "{\"SchemaVersion\": 2, \"Results\": [",
		"pack.yaml": `apiVersion: golive.dev/v1
kind: Pack
metadata: {name: s}
categories: [{id: c}]
items:
  - {id: c/cves, title: No critical CVEs, category: c, priority: critical, checks: [{check: scan/vulnerabilities}]}
  - {id: c/readme, title: README, category: c, priority: low, checks: [{check: repo/readme}]}
`})
	var out, errb bytes.Buffer
	report := filepath.Join(dir, "report.json")
	code := run(context.Background(), all.Registry(), func(string) string { return "" }, "test",
		[]string{"check", dir, "--pack", filepath.Join(dir, "pack.yaml"), "--scan-report", filepath.Join(dir, "trivy.json"), "-o", "json=" + report}, &out, &errb)
	if code != 2 || !strings.Contains(errb.String(), "trivy.json") {
		t.Fatalf("exit %d, stderr %q: want 2 naming trivy.json", code, errb.String())
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("report not kept: %v", err)
	}
	var rep verdict.Report
	if err := json.Unmarshal(data, &rep); err != nil || len(rep.Problems) == 0 {
		t.Fatalf("report has no problems listed: %v %+v", err, rep.Problems)
	}
}

// TestReportToDeviceKeepsTheDevice: -o json=/dev/null must write to the
// device, not rename a temporary file over it.
func TestReportToDeviceKeepsTheDevice(t *testing.T) {
	dir := repo(t, map[string]string{"pack.yaml": testPack})
	before, err := os.Stat(os.DevNull)
	if err != nil || before.Mode().IsRegular() {
		t.Skipf("%s is not a device here", os.DevNull)
	}
	if r := runCLI(t, nil, "check", dir, "--pack", filepath.Join(dir, "pack.yaml"), "-o", "json="+os.DevNull); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	after, err := os.Stat(os.DevNull)
	if err != nil || after.Mode().IsRegular() {
		t.Fatalf("%s was replaced by a regular file", os.DevNull)
	}
}
