package check

import (
	"context"
	"strings"
	"testing"
	"time"

	"golive.dev/golive/internal/source"
)

func TestResolveParams(t *testing.T) {
	c := &Check{ID: "x/y", Params: []Param{
		{Name: "min", Type: Int, Default: 2},
		{Name: "window", Type: Duration, Default: "5m"},
		{Name: "paths", Type: Strings},
		{Name: "ratio", Type: Float, Required: true},
	}}
	p, err := c.Resolve(map[string]any{"ratio": 1, "paths": []any{"/a", "/b"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Int("min") != 2 || p.Duration("window") != 5*time.Minute || p.Float("ratio") != 1 || len(p.Strings("paths")) != 2 {
		t.Errorf("resolved %v", p)
	}
	for raw, want := range map[string]map[string]any{
		`has no parameter "max"`:    {"ratio": 1.0, "max": 3},
		`"ratio" is required`:       {},
		`parameter "min": want int`: {"ratio": 1.0, "min": 2.5},
		`want a duration`:           {"ratio": 1.0, "window": "five minutes"},
		`want a list of strings`:    {"ratio": 1.0, "paths": []any{1}},
	} {
		if _, err := c.Resolve(want); err == nil || !strings.Contains(err.Error(), raw) {
			t.Errorf("Resolve(%v): %v, want %q", want, err, raw)
		}
	}
}

func TestCELLazyBindings(t *testing.T) {
	r := NewRegistry()
	loads := 0
	r.RegisterBinding(Binding{Name: "files", Needs: Repo, Value: func(context.Context, *source.Env) (any, error) {
		loads++
		return []any{"go.mod", "README.md"}, nil
	}})
	r.RegisterBinding(Binding{Name: "targets", Needs: HTTP, Value: func(context.Context, *source.Env) (any, error) {
		return nil, source.NotGiven("--target", "target")
	}})
	env := source.NewEnv(source.Inputs{})
	prg, err := r.CompileCEL(`files.exists(f, f == "go.mod")`)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := r.EvalCEL(context.Background(), prg, env); err != nil || !ok {
		t.Fatalf("eval: %v %v", ok, err)
	}
	if len(prg.Needs()) != 1 || prg.Needs()[0] != Repo || loads != 1 {
		t.Errorf("needs %v loads %d", prg.Needs(), loads)
	}
	// A second expression over the same run shares the value; another run
	// computes its own.
	again, _ := r.CompileCEL(`files.exists(f, f == "README.md")`)
	if ok, err := r.EvalCEL(context.Background(), again, env); err != nil || !ok || loads != 1 {
		t.Errorf("second expression: %v %v, loads %d", ok, err, loads)
	}
	if ok, err := r.EvalCEL(context.Background(), again, source.NewEnv(source.Inputs{})); err != nil || !ok || loads != 2 {
		t.Errorf("another run: %v %v, loads %d", ok, err, loads)
	}
	prg, _ = r.CompileCEL(`size(targets) > 0`)
	if _, err := r.EvalCEL(context.Background(), prg, env); err == nil {
		t.Fatal("missing binding evaluated")
	} else if _, ok := source.AsMissing(err); !ok {
		t.Errorf("missing binding should surface source.Missing, got %v", err)
	}
	if _, err := r.CompileCEL(`files + 1`); err == nil {
		t.Error("non-bool expression compiled")
	}
	if _, err := r.CompileCEL(`nope.exists(x, true)`); err == nil {
		t.Error("undeclared variable compiled")
	}
}

// TestCELEnvFollowsBindings: the shared CEL environment is made again when a
// binding is added after a first compile.
func TestCELEnvFollowsBindings(t *testing.T) {
	r := NewRegistry()
	r.RegisterBinding(Binding{Name: "a", Value: func(context.Context, *source.Env) (any, error) { return true, nil }})
	if _, err := r.CompileCEL(`a`); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CompileCEL(`b`); err == nil {
		t.Fatal("undeclared b compiled")
	}
	r.RegisterBinding(Binding{Name: "b", Value: func(context.Context, *source.Env) (any, error) { return true, nil }})
	if _, err := r.CompileCEL(`a && b`); err != nil {
		t.Errorf("b after registering it: %v", err)
	}
}
