package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golive.dev/golive/internal/attest"
	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/pack"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/verdict"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// testRegistry holds checks whose outcome is set by a parameter, so that the
// engine's combination rules can be tested without real evidence.
func testRegistry(runs *atomic.Int32) *check.Registry {
	r := check.NewRegistry()
	r.Register(check.Check{
		ID: "test/outcome", Title: "returns the outcome it is given", Needs: []check.Input{check.Repo},
		Params: []check.Param{{Name: "status", Type: check.String, Required: true}, {Name: "object", Type: check.String, Default: "Deployment/prod/api"}},
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			runs.Add(1)
			switch p.String("status") {
			case "missing":
				return nil, source.NotGiven("--target", "target URL")
			case "error":
				return nil, errors.New("boom")
			case "panic":
				panic("check bug")
			case "none":
				return nil, nil
			case "mixed":
				return []verdict.Finding{
					{Status: verdict.Pass, Object: "Deployment/prod/a", Message: "ok"},
					{Status: verdict.Fail, Object: "Deployment/prod/b", Message: "bad", File: "deploy.yaml", Line: 7},
				}, nil
			}
			return []verdict.Finding{{Status: verdict.Status(p.String("status")), Object: p.String("object"), Message: p.String("status")}}, nil
		},
	})
	r.RegisterBinding(check.Binding{Name: "files", Needs: check.Repo,
		Value: func(ctx context.Context, env *source.Env) (any, error) { return []any{"README.md", "go.mod"}, nil }})
	r.RegisterBinding(check.Binding{Name: "targets", Needs: check.HTTP,
		Value: func(ctx context.Context, env *source.Env) (any, error) {
			return nil, source.NotGiven("--target", "target URL")
		}})
	return r
}

const packYAML = `apiVersion: golive.dev/v1
kind: Pack
metadata: {name: t, title: Test}
categories: [{id: c, title: C}, {id: d, title: D}]
items:
  - {id: c/pass, title: P, category: c, priority: critical, refs: [r1], checks: [{check: test/outcome, with: {status: pass}}]}
  - {id: c/fail, title: F, category: c, priority: high, checks: [{check: test/outcome, with: {status: fail}}]}
  - {id: c/missing, title: M, category: c, priority: critical, checks: [{check: test/outcome, with: {status: missing}}]}
  - {id: c/error, title: E, category: c, priority: medium, checks: [{check: test/outcome, with: {status: error}}]}
  - {id: c/panic, title: X, category: c, priority: low, checks: [{check: test/outcome, with: {status: panic}}]}
  - {id: c/none, title: N, category: c, priority: low, checks: [{check: test/outcome, with: {status: none}}]}
  - {id: c/na, title: NA, category: c, priority: low, checks: [{check: test/outcome, with: {status: na}}]}
  - {id: c/pass-and-na, title: PNA, category: c, priority: low, checks: [{check: test/outcome, with: {status: pass}}, {check: test/outcome, with: {status: na}}]}
  - {id: c/optional-missing, title: O, category: c, priority: high, checks: [{check: test/outcome, with: {status: pass}}, {check: test/outcome, with: {status: missing}, optional: true}]}
  - {id: c/only-optional, title: OO, category: c, priority: high, checks: [{check: test/outcome, with: {status: missing}, optional: true}]}
  - {id: d/manual, title: Man, category: d, priority: critical}
  - {id: d/attested, title: Att, category: d, priority: critical}
  - {id: d/attest-expired, title: AttX, category: d, priority: high}
  - {id: d/attest-changed, title: AttC, category: d, priority: high}
  - {id: d/manual-with-checks, title: MC, category: d, priority: high, manual: true, checks: [{check: test/outcome, with: {status: pass}}]}
  - {id: d/manual-check-fails, title: MF, category: d, priority: high, manual: true, checks: [{check: test/outcome, with: {status: fail}}]}
  - {id: d/waived, title: W, category: d, priority: critical, checks: [{check: test/outcome, with: {status: fail}}]}
  - {id: d/waived-other-object, title: WO, category: d, priority: medium, checks: [{check: test/outcome, with: {status: mixed}}]}
  - {id: d/cel-true, title: CT, category: d, priority: medium, checks: [{cel: 'files.exists(f, f == "go.mod")'}]}
  - {id: d/cel-false, title: CF, category: d, priority: medium, checks: [{cel: 'files.exists(f, f == "Dockerfile")', message: no Dockerfile}]}
  - {id: d/cel-missing, title: CM, category: d, priority: medium, checks: [{cel: 'size(targets) > 0'}]}
  - {id: d/when-false, title: WF, category: d, priority: critical, when: 'files.exists(f, f == "mpl.toml")', checks: [{check: test/outcome, with: {status: fail, object: only-when-false}}]}
  - {id: d/when-true, title: WT, category: d, priority: low, when: 'files.exists(f, f == "go.mod")', checks: [{check: test/outcome, with: {status: pass}}]}
  - {id: d/when-unknown, title: WU, category: d, priority: low, when: 'size(targets) > 0', checks: [{check: test/outcome, with: {status: pass}}]}
  - {id: d/any-one-passes, title: A1, category: d, priority: high, decide: any, checks: [{check: test/outcome, with: {status: fail}}, {check: test/outcome, with: {status: pass}}]}
  - {id: d/any-none-passes, title: A0, category: d, priority: low, decide: any, checks: [{check: test/outcome, with: {status: fail}}, {check: test/outcome, with: {status: missing}}]}
`

func setup(t *testing.T) (*check.Registry, *pack.Pack, *attest.Store, *atomic.Int32) {
	t.Helper()
	runs := &atomic.Int32{}
	reg := testRegistry(runs)
	p, err := (&pack.Loader{Registry: reg}).Parse([]byte(packYAML), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "drill.md"), []byte("changed after sign-off"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := func(s string) attest.Date { x, _ := attest.ParseDate(s); return x }
	store := &attest.Store{Root: root,
		Attestations: []attest.Attestation{
			{Item: "d/attested", By: "alice", At: now.Add(-time.Hour), Expires: d("2027-01-01"), Evidence: "https://wiki/x"},
			{Item: "d/attest-expired", By: "bob", At: now.AddDate(0, -4, 0), Expires: d("2026-11-01"), Evidence: "https://wiki/y"},
			{Item: "d/attest-changed", By: "carol", At: now.Add(-time.Hour), Expires: d("2027-01-01"), Evidence: "drill.md", SHA256: "00"},
			{Item: "d/manual-with-checks", By: "dan", At: now.Add(-time.Hour), Expires: d("2027-01-01"), Evidence: "https://wiki/z"},
		},
		Waivers: []attest.Waiver{
			{Item: "d/waived", Reason: "accepted until migration", Expires: d("2026-12-31")},
			{Item: "d/waived-other-object", Object: "Deployment/prod/zzz", Reason: "other object", Expires: d("2026-12-31")},
			{Item: "c/fail", Reason: "expired waiver", Expires: d("2026-11-01")},
		}}
	return reg, p, store, runs
}

func TestItemStatuses(t *testing.T) {
	reg, p, store, runs := setup(t)
	rep := Run(context.Background(), Options{Registry: reg, Packs: []*pack.Pack{p}, Store: store,
		Env: source.NewEnv(source.Inputs{Now: now})})
	want := map[string]verdict.Status{
		"c/pass": verdict.Pass, "c/fail": verdict.Fail, "c/missing": verdict.Unverified, "c/error": verdict.Error,
		"c/panic": verdict.Error, "c/none": verdict.Unverified, "c/na": verdict.NA, "c/pass-and-na": verdict.Pass,
		"c/optional-missing": verdict.Pass, "c/only-optional": verdict.Unverified,
		"d/manual": verdict.Manual, "d/attested": verdict.Attested, "d/attest-expired": verdict.Manual,
		"d/attest-changed": verdict.Manual, "d/manual-with-checks": verdict.Attested, "d/manual-check-fails": verdict.Fail,
		"d/waived": verdict.Waived, "d/waived-other-object": verdict.Fail,
		"d/cel-true": verdict.Pass, "d/cel-false": verdict.Fail, "d/cel-missing": verdict.Unverified,
		"d/when-false": verdict.NA, "d/when-true": verdict.Pass, "d/when-unknown": verdict.Pass,
		"d/any-one-passes": verdict.Pass, "d/any-none-passes": verdict.Fail,
	}
	got := map[string]verdict.ItemResult{}
	for _, ir := range rep.Packs[0].Items {
		got[ir.ID] = ir
	}
	for id, st := range want {
		if got[id].Status != st {
			t.Errorf("%s: status %s, want %s (message %q)", id, got[id].Status, st, got[id].Message)
		}
	}
	if h := got["c/missing"].Hint; h != "--target" {
		t.Errorf("unverified item hint %q, want --target", h)
	}
	if f := got["d/waived"].Findings[0]; f.Waiver == nil || f.Waiver.Reason != "accepted until migration" {
		t.Errorf("waived finding carries no waiver: %+v", f)
	}
	if got["d/attested"].Attestation == nil || got["d/attested"].Attestation.By != "alice" {
		t.Errorf("attested item carries no attestation: %+v", got["d/attested"])
	}
	if msg := got["d/attest-changed"].Message; msg == "" || !strings.Contains(msg, "changed") {
		t.Errorf("changed evidence not explained: %q", msg)
	}
	// Eight distinct parameter sets (pass, fail, missing, error, panic, none,
	// na, mixed); pass is shared by several items and must run once.
	if n := runs.Load(); n != 8 {
		t.Errorf("check ran %d times, want 8 (one per distinct parameter set; none for items that do not apply)", n)
	}
	var expiredKinds []string
	for _, e := range rep.Expired {
		expiredKinds = append(expiredKinds, e.Kind+":"+e.Item)
	}
	if len(expiredKinds) != 3 {
		t.Errorf("expired = %v, want the expired waiver, the expired and the changed attestation", expiredKinds)
	}
}

func TestGate(t *testing.T) {
	reg, p, store, _ := setup(t)
	cases := []struct {
		failOn   verdict.Priority
		strict   bool
		passed   bool
		nReasons int
	}{
		// critical: c/missing is unverified, d/manual manual: neither fails without strict.
		{verdict.Critical, false, true, 0},
		{verdict.Critical, true, false, 2}, // c/missing, d/manual
		{verdict.High, false, false, 2},    // c/fail, d/manual-check-fails
		{verdict.Medium, false, false, 5},  // + c/error, d/waived-other-object, d/cel-false
		{verdict.Low, false, false, 7},     // + c/panic, d/any-none-passes
		{verdict.Priority("none"), true, true, 0},
	}
	for _, c := range cases {
		rep := Run(context.Background(), Options{Registry: reg, Packs: []*pack.Pack{p}, Store: store,
			Env: source.NewEnv(source.Inputs{Now: now}), FailOn: c.failOn, Strict: c.strict})
		if rep.Gate.Passed != c.passed || len(rep.Gate.Reasons) != c.nReasons {
			t.Errorf("fail-on %s strict %v: passed %v with %d reasons %v, want %v with %d", c.failOn, c.strict,
				rep.Gate.Passed, len(rep.Gate.Reasons), rep.Gate.Reasons, c.passed, c.nReasons)
		}
	}
}

func TestScore(t *testing.T) {
	reg := testRegistry(&atomic.Int32{})
	p, err := (&pack.Loader{Registry: reg}).Parse([]byte(`apiVersion: golive.dev/v1
kind: Pack
metadata: {name: s}
categories: [{id: a}, {id: b}]
items:
  - {id: a/1, title: x, category: a, priority: critical, checks: [{check: test/outcome, with: {status: pass}}]}
  - {id: a/2, title: x, category: a, priority: low, checks: [{check: test/outcome, with: {status: fail}}]}
  - {id: b/1, title: x, category: b, priority: high, checks: [{check: test/outcome, with: {status: na}}]}
  - {id: b/2, title: x, category: b, priority: medium, checks: [{check: test/outcome, with: {status: fail}}]}
`), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rep := Run(context.Background(), Options{Registry: reg, Packs: []*pack.Pack{p}, Env: source.NewEnv(source.Inputs{Now: now})})
	pr := rep.Packs[0]
	// pack: earned 4 of 4+1+2 = 57.1; a: 4 of 5 = 80; b: 0 of 2 (na excluded) = 0.
	if pr.Score != 57.1 {
		t.Errorf("pack score %v, want 57.1", pr.Score)
	}
	if pr.Categories[0].Score != 80 || pr.Categories[1].Score != 0 {
		t.Errorf("category scores %+v", pr.Categories)
	}
	if pr.Counts[verdict.Fail] != 2 || pr.Counts[verdict.Pass] != 1 || pr.Counts[verdict.NA] != 1 {
		t.Errorf("counts %v", pr.Counts)
	}
}

func TestBaselineGatesOnlyRegressions(t *testing.T) {
	reg, p, store, _ := setup(t)
	opts := Options{Registry: reg, Packs: []*pack.Pack{p}, Store: store, FailOn: verdict.High,
		Env: source.NewEnv(source.Inputs{Now: now})}
	base := Run(context.Background(), opts)
	if base.Gate.Passed {
		t.Fatal("fixture should fail at high")
	}
	// Same state as the baseline: nothing regressed, the gate passes.
	opts.Baseline = base
	opts.Env = source.NewEnv(source.Inputs{Now: now})
	again := Run(context.Background(), opts)
	if !again.Gate.Passed {
		t.Errorf("no regression but gate failed: %v", again.Gate.Reasons)
	}
	// An item that passed in the baseline and fails now is a regression.
	for i := range base.Packs[0].Items {
		if base.Packs[0].Items[i].ID == "c/fail" {
			base.Packs[0].Items[i].Status = verdict.Pass
		}
	}
	opts.Env = source.NewEnv(source.Inputs{Now: now})
	reg2 := Run(context.Background(), opts)
	if reg2.Gate.Passed || len(reg2.Gate.Reasons) != 1 {
		t.Errorf("regression of c/fail not gated: passed %v reasons %v", reg2.Gate.Passed, reg2.Gate.Reasons)
	}
}

func TestCapFindingsKeepsFailuresFirst(t *testing.T) {
	var fs []verdict.Finding
	for i := 0; i < 5; i++ {
		fs = append(fs, verdict.Finding{Status: verdict.Pass}, verdict.Finding{Status: verdict.Fail})
	}
	got := capFindings(fs, 4)
	if len(got) != 5 {
		t.Fatalf("kept %d findings, want 4 and a note", len(got))
	}
	for _, f := range got[:4] {
		if f.Status != verdict.Fail {
			t.Errorf("kept a %s finding before every failure", f.Status)
		}
	}
	if note := got[4]; note.Check != "golive/findings" || !strings.Contains(note.Message, "6 more findings not shown (1 fail, 5 pass)") {
		t.Errorf("note %+v", note)
	}
	if len(capFindings(fs, 0)) != len(fs) || len(capFindings(fs, 10)) != len(fs) {
		t.Error("no cap, or a cap above the count, must keep everything")
	}
}
