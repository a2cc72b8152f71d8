package checktest

import (
	"context"
	"errors"
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
