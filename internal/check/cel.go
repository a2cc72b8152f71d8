package check

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/interpreter"

	"golive.dev/golive/internal/source"
)

// Binding is a variable that CEL expressions in packs can read, e.g. `files`
// (every path in the repo) or `objects` (every Kubernetes object as a map).
// Its value is computed only when an expression refers to it.
type Binding struct {
	Name        string
	Description string
	Needs       Input
	Value       func(ctx context.Context, env *source.Env) (any, error)
}

// RegisterBinding adds a CEL variable.
func (r *Registry) RegisterBinding(b Binding) {
	if b.Name == "" || b.Value == nil {
		panic("cel binding needs a name and a value function")
	}
	if _, dup := r.bindings[b.Name]; dup {
		panic(fmt.Sprintf("cel binding %q registered twice", b.Name))
	}
	bb := b
	r.bindings[b.Name] = &bb
	r.envMu.Lock()
	r.env = nil
	r.envMu.Unlock()
}

// Bindings returns the CEL variables sorted by name.
func (r *Registry) Bindings() []*Binding {
	out := make([]*Binding, 0, len(r.bindings))
	for _, b := range r.bindings {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (r *Registry) celEnv() (*cel.Env, error) {
	r.envMu.Lock()
	defer r.envMu.Unlock()
	if r.env != nil {
		return r.env, nil
	}
	opts := make([]cel.EnvOption, 0, len(r.bindings))
	for _, b := range r.Bindings() {
		opts = append(opts, cel.Variable(b.Name, cel.DynType))
	}
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, err
	}
	r.env = env
	return env, nil
}

// CELProgram is a compiled pack expression.
type CELProgram struct {
	Expr  string
	prg   cel.Program
	uses  []*Binding
	needs []Input
}

// Needs lists the inputs the expression reads.
func (p *CELProgram) Needs() []Input { return p.needs }

// CompileCEL compiles a pack expression; it must yield a bool.
func (r *Registry) CompileCEL(expr string) (*CELProgram, error) {
	env, err := r.celEnv()
	if err != nil {
		return nil, fmt.Errorf("cel environment: %w", err)
	}
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		return nil, fmt.Errorf("cel: %s", strings.ReplaceAll(iss.Err().Error(), "\n", " "))
	}
	if ast.OutputType() != cel.BoolType && ast.OutputType() != cel.DynType {
		return nil, fmt.Errorf("cel: expression yields %s, want bool", ast.OutputType())
	}
	// OptOptimize precompiles constant regular expressions of matches(),
	// which would otherwise be compiled on every call.
	prg, err := env.Program(ast, cel.InterruptCheckFrequency(100), cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, fmt.Errorf("cel program: %w", err)
	}
	p := &CELProgram{Expr: expr, prg: prg}
	seen := map[Input]bool{}
	for _, b := range r.Bindings() {
		if celMentions(expr, b.Name) {
			p.uses = append(p.uses, b)
			if !seen[b.Needs] {
				seen[b.Needs] = true
				p.needs = append(p.needs, b.Needs)
			}
		}
	}
	return p, nil
}

// celMentions is a cheap over-approximation of which variables an expression
// reads; it only decides what the docs list, values are still loaded lazily.
func celMentions(expr, name string) bool {
	for i := strings.Index(expr, name); i >= 0; {
		// A name after a dot is a field, not the variable; a dot after it is a
		// member access on the variable.
		before := i == 0 || !isIdent(expr[i-1]) && expr[i-1] != '.'
		after := i+len(name) >= len(expr) || !isIdent(expr[i+len(name)])
		if before && after {
			return true
		}
		j := strings.Index(expr[i+1:], name)
		if j < 0 {
			break
		}
		i += j + 1
	}
	return false
}

func isIdent(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// Eval runs the expression, loading only the bindings it touches. A binding
// whose source is missing returns that error (the item becomes unverified).
func (r *Registry) EvalCEL(ctx context.Context, p *CELProgram, env *source.Env) (bool, error) {
	act := &lazyActivation{ctx: ctx, env: env, r: r, values: map[string]any{}}
	out, _, err := p.prg.ContextEval(ctx, act)
	if act.err != nil {
		return false, act.err
	}
	if err != nil {
		return false, fmt.Errorf("cel %q: %w", p.Expr, err)
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Errorf("cel %q yielded %v, want bool", p.Expr, out.Type())
	}
	return bool(b), nil
}

type lazyActivation struct {
	ctx    context.Context
	env    *source.Env
	r      *Registry
	mu     sync.Mutex
	values map[string]any
	err    error
}

func (a *lazyActivation) ResolveName(name string) (any, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if v, ok := a.values[name]; ok {
		return v, true
	}
	b, ok := a.r.bindings[name]
	if !ok {
		return nil, false
	}
	// Computed once per run and shared by every expression: a pack may test
	// `config` or `objects` dozens of times.
	v, err := source.Load(a.ctx, a.env, "cel:"+name, func(ctx context.Context, _ *source.Inputs) (any, error) {
		return b.Value(ctx, a.env)
	})
	if err != nil {
		if a.err == nil {
			a.err = err
		}
		return nil, false
	}
	a.values[name] = v
	return v, true
}

func (a *lazyActivation) Parent() interpreter.Activation { return nil }
