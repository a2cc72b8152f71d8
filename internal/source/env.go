// Package source holds what every evidence source shares: the inputs a run was
// given and the Env that loads each source once, lazily, for all checks.
// Each source lives in a sub-package (source/kube, source/repo, ...) and
// exposes a From(env) function memoized through Load.
package source

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Target is a running service to probe.
type Target struct {
	Name string
	URL  string
}

// Inputs is everything the user pointed golive at. Sources read only what
// they need; a source whose input is empty reports Missing.
type Inputs struct {
	// Paths are the repository roots to scan (default ".").
	Paths []string
	// Exclude are globs (relative to a root) of files and folders no source
	// reads, on top of .gitignore and DefaultExcludes.
	Exclude []string

	// Helm rendering.
	HelmValues  []string // --values files
	HelmSet     []string // --set k=v
	Release     string
	Namespace   string
	KubeVersion string

	ScanReports []string // --scan-report files
	// Baseline is an earlier JSON report (--baseline); checks that compare
	// figures with an earlier run read it.
	Baseline string

	// Live service.
	Targets       []Target
	Token         string   // bearer token for authenticated calls; never printed
	Headers       []string // "Name: value" extra headers; values never printed
	CAFile        string
	ProtectedPath string
	Load          string // --load spec, e.g. rate=200/s,duration=30s

	Prometheus string
	Database   string // DSN; credentials masked in output

	Kubeconfig  string
	KubeContext string
	KubeNS      string
	ClusterDump string

	// ForbidInRepoWaivers rejects waiver annotations on objects.
	ForbidInRepoWaivers bool

	// Now is the run's clock, fixed once so every check agrees on it.
	Now time.Time
}

// DefaultExcludes are left out of every scan: dependencies and tool folders
// that are not the service's own, and test fixtures, which hold broken or
// deliberately bad files.
var DefaultExcludes = []string{"**/.git", "**/node_modules", "**/vendor", "**/testdata", "**/.terraform"}

// Env gives checks access to the sources of one run. Every source is loaded at
// most once, on first use, and shared by all checks; loading is safe for
// concurrent use.
type Env struct {
	Inputs Inputs

	mu       sync.Mutex
	cache    map[string]*entry
	problems []Problem
}

// Problem is bad input found while loading a source: a file that does not
// parse, a chart that does not render. The run goes on with every other input
// and the problems are reported; Named inputs (a file the user passed
// explicitly) make the run exit 2.
type Problem struct {
	Source  string // the source that met it, e.g. "k8s"
	File    string
	Line    int
	Message string
	Named   bool
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	if loc == "" {
		return p.Message
	}
	return loc + ": " + p.Message
}

// Reporter is a loaded source that met bad input; Load records its problems
// in the Env once, when the source is loaded.
type Reporter interface {
	Problems() []Problem
}

// named reports whether file is an input the user named explicitly (a path
// argument that is a file, a values file, a scan report, a cluster dump):
// bad input there makes the run exit 2.
func (in *Inputs) named(file string) bool {
	if file == "" {
		return false
	}
	clean := filepath.Clean(file)
	for _, group := range [][]string{in.Paths, in.HelmValues, in.ScanReports, {in.ClusterDump}} {
		for _, n := range group {
			if n == "" || filepath.Clean(n) != clean {
				continue
			}
			if fi, err := os.Stat(n); err == nil && !fi.IsDir() {
				return true
			}
		}
	}
	return false
}

// AddProblem records bad input met while loading a source.
func (e *Env) AddProblem(p Problem) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.problems = append(e.problems, p)
}

// Problems returns the bad input recorded so far.
func (e *Env) Problems() []Problem {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Problem(nil), e.problems...)
}

type entry struct {
	once  sync.Once
	value any
	err   error
}

// NewEnv returns an Env over the given inputs.
func NewEnv(in Inputs) *Env {
	if in.Now.IsZero() {
		in.Now = time.Now()
	}
	return &Env{Inputs: in, cache: map[string]*entry{}}
}

// Load returns the value of the source named key, loading it with load the
// first time. All callers of one key must use the same T.
func Load[T any](ctx context.Context, env *Env, key string, load func(ctx context.Context, in *Inputs) (T, error)) (T, error) {
	env.mu.Lock()
	e, ok := env.cache[key]
	if !ok {
		e = &entry{}
		env.cache[key] = e
	}
	env.mu.Unlock()
	e.once.Do(func() {
		e.value, e.err = load(ctx, &env.Inputs)
		if r, ok := e.value.(Reporter); ok && e.err == nil {
			for _, p := range r.Problems() {
				if p.Source == "" {
					p.Source = key
				}
				p.Named = p.Named || env.Inputs.named(p.File)
				env.AddProblem(p)
			}
		}
	})
	v, _ := e.value.(T)
	if e.err == nil && e.value != nil {
		if _, ok := e.value.(T); !ok {
			var zero T
			return zero, fmt.Errorf("source %q loaded as %T, asked for %T", key, e.value, zero)
		}
	}
	return v, e.err
}

// Missing says that a source was not given or could not be reached. Checks
// return it (wrapped or not) and the engine turns it into an unverified
// verdict naming Input.
type Missing struct {
	Input  string // the flag or file that would provide the source, e.g. "--target"
	Reason string // what is missing, or the error reaching it
}

func (m *Missing) Error() string {
	if m.Reason == "" {
		return "needs " + m.Input
	}
	return m.Reason + " (pass " + m.Input + ")"
}

// NotGiven is a convenience for the common case of an absent flag.
func NotGiven(input, what string) error {
	return &Missing{Input: input, Reason: what + " not given"}
}

// Unreachable wraps a connection error to a source the user did give.
func Unreachable(input string, err error) error {
	return &Missing{Input: input, Reason: err.Error()}
}

// AsMissing extracts a Missing from err.
func AsMissing(err error) (*Missing, bool) {
	var m *Missing
	if errors.As(err, &m) {
		return m, true
	}
	return nil, false
}
