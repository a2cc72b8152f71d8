// Package check defines what a check is and holds the registry of built-in
// checks. Checks live in domain packages under internal/checks/, each with a
// Register function; internal/checks/all wires them into one Registry.
package check

import (
	"cel.dev/cel-go/cel"
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/verdict"
)

// Input names an evidence source a check needs. The engine uses it to say
// which flag would verify an item and docs list it.
type Input string

const (
	Repo       Input = "repo"       // files in the scanned paths
	Config     Input = "config"     // config files (YAML, JSON, TOML, .env, INI) in the repo
	K8s        Input = "k8s"        // Kubernetes objects from manifests, Helm charts, Kustomize
	Dockerfile Input = "dockerfile" // Dockerfiles in the repo
	PromRules  Input = "promrules"  // Prometheus rule files and PrometheusRule objects
	Secrets    Input = "secrets"    // secret scanning of the repo
	ScanReport Input = "scanreport" // Trivy/Grype/SARIF reports, SBOMs (--scan-report)
	HTTP       Input = "http"       // a running service (--target)
	TLS        Input = "tls"        // TLS of an https target (--target https://...)
	Load       Input = "load"       // a load test against the target (--target with --load)
	Prometheus Input = "prometheus" // a Prometheus server (--prometheus)
	Database   Input = "db"         // a database (--database)
	Cluster    Input = "cluster"    // a live cluster (--kubeconfig) or a dump (--cluster-dump)
)

// Flag is the flag that provides an input, for hints on unverified items.
func (i Input) Flag() string {
	switch i {
	case ScanReport:
		return "--scan-report"
	case HTTP, TLS:
		return "--target"
	case Load:
		return "--target and --load"
	case Prometheus:
		return "--prometheus"
	case Database:
		return "--database"
	case Cluster:
		return "--kubeconfig or --cluster-dump"
	}
	return "a repository path"
}

// Live reports whether the input is the running system rather than the repo.
func (i Input) Live() bool {
	switch i {
	case HTTP, TLS, Load, Prometheus, Database, Cluster:
		return true
	}
	return false
}

// ParamType is the type of a check parameter, checked when a pack loads.
type ParamType string

const (
	String   ParamType = "string"
	Int      ParamType = "int"
	Float    ParamType = "float"
	Bool     ParamType = "bool"
	Duration ParamType = "duration" // Go duration string, e.g. "5m", "30s"
	Strings  ParamType = "strings"  // list of strings
	Map      ParamType = "map"      // string-keyed map of scalars
	Any      ParamType = "any"      // free-form YAML, validated by the check
)

// Param declares one parameter of a check.
type Param struct {
	Name        string
	Type        ParamType
	Default     any // nil: no default; Required says whether a value must be given
	Required    bool
	Description string
}

// RunFunc decides a check. It returns findings, each with its own status. An
// error wrapping *source.Missing makes the check unverified; any other error
// makes it error. A check that returns no finding is unverified: nothing was
// judged, and nothing passes by default.
type RunFunc func(ctx context.Context, env *source.Env, p Params) ([]verdict.Finding, error)

// Check is one built-in check.
type Check struct {
	ID          string // domain/name, e.g. k8s/replicas
	Title       string // one line: what passing means
	Description string // what it looks at and how it decides
	Needs       []Input
	Params      []Param
	Run         RunFunc
}

// Param returns the declaration of a parameter by name.
func (c *Check) Param(name string) (Param, bool) {
	for _, p := range c.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// Registry holds the built-in checks and the CEL variables. It is the only
// mutable shared state in golive and is filled once at start-up.
type Registry struct {
	checks   map[string]*Check
	bindings map[string]*Binding

	// env is the CEL environment over bindings, made on first compile and
	// shared by every expression (making one costs about as much as
	// compiling a dozen expressions); RegisterBinding drops it.
	envMu sync.Mutex
	env   *cel.Env
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{checks: map[string]*Check{}, bindings: map[string]*Binding{}}
}

// Register adds a check. It panics on a programming error (duplicate id,
// missing Run, bad default): registration happens at start-up from code.
func (r *Registry) Register(c Check) {
	if c.ID == "" || c.Run == nil || c.Title == "" {
		panic(fmt.Sprintf("check %q: id, title and run are required", c.ID))
	}
	if !strings.Contains(c.ID, "/") {
		panic(fmt.Sprintf("check %q: id must be domain/name", c.ID))
	}
	if _, dup := r.checks[c.ID]; dup {
		panic(fmt.Sprintf("check %q registered twice", c.ID))
	}
	for _, p := range c.Params {
		if p.Default != nil {
			if _, err := Coerce(p.Type, p.Default); err != nil {
				panic(fmt.Sprintf("check %q param %q default: %v", c.ID, p.Name, err))
			}
		}
	}
	cc := c
	r.checks[c.ID] = &cc
}

// Lookup finds a check by id.
func (r *Registry) Lookup(id string) (*Check, bool) {
	c, ok := r.checks[id]
	return c, ok
}

// All returns the checks sorted by id.
func (r *Registry) All() []*Check {
	out := make([]*Check, 0, len(r.checks))
	for _, c := range r.checks {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Params are a check's parameter values after defaults and type coercion.
type Params map[string]any

// Resolve validates raw values against the check's declarations and fills
// defaults. Errors name the parameter.
func (c *Check) Resolve(raw map[string]any) (Params, error) {
	out := Params{}
	for name, v := range raw {
		decl, ok := c.Param(name)
		if !ok {
			return nil, fmt.Errorf("check %s has no parameter %q (has: %s)", c.ID, name, c.paramNames())
		}
		cv, err := Coerce(decl.Type, v)
		if err != nil {
			return nil, fmt.Errorf("check %s parameter %q: %w", c.ID, name, err)
		}
		out[name] = cv
	}
	for _, decl := range c.Params {
		if _, ok := out[decl.Name]; ok {
			continue
		}
		if decl.Default != nil {
			v, _ := Coerce(decl.Type, decl.Default)
			out[decl.Name] = v
		} else if decl.Required {
			return nil, fmt.Errorf("check %s parameter %q is required", c.ID, decl.Name)
		}
	}
	return out, nil
}

func (c *Check) paramNames() string {
	if len(c.Params) == 0 {
		return "none"
	}
	names := make([]string, len(c.Params))
	for i, p := range c.Params {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// Coerce converts a YAML-decoded value to the Go type of t: string, int,
// float64, bool, time.Duration, []string, map[string]any or any.
func Coerce(t ParamType, v any) (any, error) {
	switch t {
	case String:
		switch x := v.(type) {
		case string:
			return x, nil
		case int, int64, float64, bool:
			return fmt.Sprint(x), nil
		}
	case Int:
		switch x := v.(type) {
		case int:
			return x, nil
		case int64:
			return int(x), nil
		case uint64:
			return int(x), nil
		case float64:
			if x == float64(int(x)) {
				return int(x), nil
			}
		}
	case Float:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int:
			return float64(x), nil
		case int64:
			return float64(x), nil
		case uint64:
			return float64(x), nil
		}
	case Bool:
		if x, ok := v.(bool); ok {
			return x, nil
		}
	case Duration:
		switch x := v.(type) {
		case string:
			d, err := time.ParseDuration(x)
			if err != nil {
				return nil, fmt.Errorf("want a duration like 30s or 5m, got %q", x)
			}
			return d, nil
		case time.Duration:
			return x, nil
		}
	case Strings:
		switch x := v.(type) {
		case []string:
			return x, nil
		case string:
			return []string{x}, nil
		case []any:
			out := make([]string, 0, len(x))
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("want a list of strings, found %T", e)
				}
				out = append(out, s)
			}
			return out, nil
		}
	case Map:
		if x, ok := v.(map[string]any); ok {
			return x, nil
		}
	case Any:
		return v, nil
	default:
		return nil, fmt.Errorf("unknown parameter type %q", t)
	}
	return nil, fmt.Errorf("want %s, got %T (%v)", t, v, v)
}

// String returns a string parameter ("" when unset).
func (p Params) String(name string) string { s, _ := p[name].(string); return s }

// Int returns an int parameter (0 when unset).
func (p Params) Int(name string) int { n, _ := p[name].(int); return n }

// Float returns a float parameter (0 when unset).
func (p Params) Float(name string) float64 { f, _ := p[name].(float64); return f }

// Bool returns a bool parameter (false when unset).
func (p Params) Bool(name string) bool { b, _ := p[name].(bool); return b }

// Duration returns a duration parameter (0 when unset).
func (p Params) Duration(name string) time.Duration { d, _ := p[name].(time.Duration); return d }

// Strings returns a list parameter (nil when unset).
func (p Params) Strings(name string) []string { s, _ := p[name].([]string); return s }

// Map returns a map parameter (nil when unset).
func (p Params) Map(name string) map[string]any { m, _ := p[name].(map[string]any); return m }

// Has reports whether the parameter has a value (given or defaulted).
func (p Params) Has(name string) bool { _, ok := p[name]; return ok }
