package checktest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/verdict"
)

func TestRunSettlesLikeTheEngine(t *testing.T) {
	reg := check.NewRegistry()
	outcomes := map[string]check.RunFunc{
		"t/none": func(context.Context, *source.Env, check.Params) ([]verdict.Finding, error) { return nil, nil },
		"t/missing": func(context.Context, *source.Env, check.Params) ([]verdict.Finding, error) {
			return nil, source.NotGiven("--target", "URL")
		},
		"t/broken": func(context.Context, *source.Env, check.Params) ([]verdict.Finding, error) {
			return nil, errors.New("boom")
		},
		"t/panics": func(context.Context, *source.Env, check.Params) ([]verdict.Finding, error) { panic("bug") },
	}
	for id, run := range outcomes {
		reg.Register(check.Check{ID: id, Title: id, Run: run})
	}
	want := map[string]verdict.Status{"t/none": verdict.Unverified, "t/missing": verdict.Unverified, "t/broken": verdict.Error, "t/panics": verdict.Error}
	for id, st := range want {
		if got := Run(t, reg, id, source.Inputs{}, nil); got.Status != st {
			t.Errorf("%s: %s, want %s", id, got.Status, st)
		}
	}
	if out := Run(t, reg, "t/missing", source.Inputs{}, nil); out.Missing == nil || out.Findings[0].Hint != "--target" {
		t.Errorf("missing input not named: %+v", out)
	}
}

// recorder is a testing.TB that keeps what a helper reported instead of
// failing the test that exercises the helper.
type recorder struct {
	testing.TB
	errors []string
	fatal  bool
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = true
	r.Errorf(format, args...)
}
func (r *recorder) Logf(string, ...any) {}

// verdictReg registers t/judge, whose status is its "status" parameter, and
// t/env, which passes only when its input names a target.
func verdictReg() *check.Registry {
	reg := check.NewRegistry()
	reg.Register(check.Check{ID: "t/judge", Title: "judge", Params: []check.Param{{Name: "status", Type: check.String, Default: "pass"}},
		Run: func(_ context.Context, _ *source.Env, p check.Params) ([]verdict.Finding, error) {
			return []verdict.Finding{{Status: verdict.Status(p.String("status")), Message: "as asked"}}, nil
		}})
	reg.Register(check.Check{ID: "t/env", Title: "env",
		Run: func(_ context.Context, env *source.Env, _ check.Params) ([]verdict.Finding, error) {
			if len(env.Inputs.Targets) == 0 {
				return []verdict.Finding{{Status: verdict.Fail, Message: "no target"}}, nil
			}
			return []verdict.Finding{{Status: verdict.Pass, Message: "target"}}, nil
		}})
	return reg
}

func TestCaseRunReportsOtherStatus(t *testing.T) {
	reg := verdictReg()
	rec := &recorder{TB: t}
	out := Case{ID: "t/judge", With: map[string]any{"status": "fail"}, Want: verdict.Pass}.Run(rec, reg)
	if out.Status != verdict.Fail || len(rec.errors) != 1 || !strings.Contains(rec.errors[0], `"as asked"`) {
		t.Errorf("mismatch not reported with findings: %s %q", out.Status, rec.errors)
	}
	rec = &recorder{TB: t}
	if (Case{ID: "t/judge", Want: verdict.Pass}).Run(rec, reg); len(rec.errors) != 0 {
		t.Errorf("matching case reported: %q", rec.errors)
	}
	rec = &recorder{TB: t}
	if (Case{ID: "t/judge", With: map[string]any{"nope": 1}}).Run(rec, reg); !rec.fatal {
		t.Error("unknown parameter not fatal")
	}
}

func TestCaseUsesGivenEnv(t *testing.T) {
	reg := verdictReg()
	env := source.NewEnv(source.Inputs{Targets: []source.Target{{URL: "http://127.0.0.1:1"}}})
	// Inputs are ignored once an Env is given.
	if out := (Case{ID: "t/env", Env: env, Want: verdict.Pass}).Run(t, reg); out.Status != verdict.Pass {
		t.Errorf("env not used: %s", out.Status)
	}
}

func TestCoverageNamesUncoveredChecks(t *testing.T) {
	reg := verdictReg()
	var cov Coverage
	cov.Saw("t/judge", verdict.Pass)
	cov.Saw("t/judge", verdict.Fail)
	cov.Saw("t/env", verdict.Pass)
	rec := &recorder{TB: t}
	cov.RequirePassAndFail(rec, reg)
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "t/env") {
		t.Errorf("want t/env reported alone, got %q", rec.errors)
	}
}

func TestNoLeak(t *testing.T) {
	fs := []verdict.Finding{{Status: verdict.Fail, Message: "ok", Evidence: map[string]any{"v": `p<a"ss>`}}}
	for secret, leaks := range map[string]bool{`p<a"ss>`: true, "elsewhere": false, "": false} {
		rec := &recorder{TB: t}
		NoLeak(rec, fs, secret)
		if (len(rec.errors) > 0) != leaks {
			t.Errorf("secret %q: reported %q", secret, rec.errors)
		}
		for _, e := range rec.errors {
			if strings.Contains(e, secret) {
				t.Errorf("report repeats the secret: %s", e)
			}
		}
	}
}

func TestTable(t *testing.T) {
	reg := verdictReg()
	var ran []string
	Table(t, reg, []Case{
		{ID: "t/judge", Want: verdict.Pass},
		{ID: "t/judge", With: map[string]any{"status": "fail"}, Want: verdict.Fail},
		{Name: "target", ID: "t/env", Inputs: source.Inputs{Targets: []source.Target{{URL: "http://127.0.0.1:1"}}}, Want: verdict.Pass},
		{ID: "t/env", Want: verdict.Fail},
	}, func(t *testing.T, c Case, out check.Outcome) {
		ran = append(ran, t.Name())
		if out.Status != c.Want {
			t.Errorf("hook got %s", out.Status)
		}
	})
	want := []string{"TestTable/t/judge/pass", "TestTable/t/judge/fail", "TestTable/target", "TestTable/t/env/fail"}
	if strings.Join(ran, " ") != strings.Join(want, " ") {
		t.Errorf("subtests %v, want %v", ran, want)
	}
}

// TestTableRequiresPassAndFail runs a table lacking a failing fixture in a
// child process, since the failure it must cause would fail this test.
func TestTableRequiresPassAndFail(t *testing.T) {
	if os.Getenv("CHECKTEST_CHILD") == "1" {
		Table(t, verdictReg(), []Case{
			{ID: "t/judge", Want: verdict.Pass},
			{ID: "t/judge", With: map[string]any{"status": "fail"}, Want: verdict.Fail},
			{ID: "t/env", Want: verdict.Fail},
		}, nil)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestTableRequiresPassAndFail$")
	cmd.Env = append(os.Environ(), "CHECKTEST_CHILD=1")
	b, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(b), "check t/env lacks a passing or a failing fixture") || strings.Contains(string(b), "t/judge lacks") {
		t.Errorf("child run: %v\n%s", err, b)
	}
}

func TestDir(t *testing.T) {
	if in := Dir("testdata", "good"); len(in.Paths) != 1 || in.Paths[0] != filepath.Join("testdata", "good") {
		t.Errorf("Dir = %+v", in)
	}
}
