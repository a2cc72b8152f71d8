// Package kube holds the checks over Kubernetes objects (manifests, Helm
// charts, Kustomize builds): reliability, efficiency and security, with
// parameters coming from packs so that one check serves many checklists.
package kube

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	ks "golive.dev/golive/internal/source/kube"
	"golive.dev/golive/internal/verdict"
)

// Register adds the Kubernetes checks and the `objects` CEL variable.
func Register(r *check.Registry) {
	for _, c := range all() {
		r.Register(c)
	}
	r.RegisterBinding(check.Binding{
		Name:        "objects",
		Description: "every Kubernetes object found (manifests, rendered Helm charts, Kustomize builds) as a map",
		// Views of the objects' trees, not maps: see celnode.go.
		Needs: check.K8s,
		Value: func(ctx context.Context, env *source.Env) (any, error) {
			return objectValues(ctx, env, func(o *ks.Object) any { return celValue(o.Root()) })
		},
	})
}

// objectValues lists every object of the run as conv makes it.
func objectValues(ctx context.Context, env *source.Env, conv func(*ks.Object) any) ([]any, error) {
	s, err := ks.From(ctx, env)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(s.Objects))
	for i, o := range s.Objects {
		out[i] = conv(o)
	}
	return out, nil
}

func all() []check.Check {
	var cs []check.Check
	cs = append(cs, reliabilityChecks()...)
	cs = append(cs, resourceChecks()...)
	cs = append(cs, securityChecks()...)
	cs = append(cs, configChecks()...)
	cs = append(cs, networkChecks()...)
	cs = append(cs, clusterChecks()...)
	return cs
}

// problem is one thing wrong with one object.
type problem struct {
	path string // field path, for the line
	msg  string
	kv   []any // evidence as key, value pairs (found vs expected)
	// at, when set, is the object whose field is at fault (an HPA or PDB
	// about a workload): the finding points at its file and line.
	at *ks.Object
}

func prob(path, msg string, kv ...any) problem {
	return problem{path: path, msg: msg, kv: kv}
}

func objectID(s *ks.Set, o *ks.Object) string { return s.ObjectID(o) }

func finding(id string, st verdict.Status, s *ks.Set, o *ks.Object, pr problem) verdict.Finding {
	return findingShared(id, st, s, o, pr, nil)
}

// evidenceCache shares equal evidence maps among the findings of one check
// run: thousands of objects failing the same way would otherwise each hold
// a ~300-byte map saying the same thing. Evidence is read-only once a
// finding is made (reports only print it).
type evidenceCache map[string]map[string]any

func findingShared(id string, st verdict.Status, s *ks.Set, o *ks.Object, pr problem, cache evidenceCache) verdict.Finding {
	loc := o
	if pr.at != nil {
		loc = pr.at
	}
	f := verdict.Finding{Check: id, Status: st, Message: pr.msg, Object: objectID(s, o), File: loc.File, Line: loc.LineOf(pr.path)}
	if len(pr.kv) >= 2 {
		f.Evidence = evidence(pr.kv, cache)
	}
	return f
}

func evidence(kv []any, cache evidenceCache) map[string]any {
	key, shareable := "", cache != nil
	if shareable {
		var b strings.Builder
		for _, x := range kv {
			s, ok := x.(string)
			if !ok {
				shareable = false
				break
			}
			b.WriteString(strconv.Itoa(len(s)))
			b.WriteByte(':')
			b.WriteString(s)
		}
		key = b.String()
		if ev, ok := cache[key]; ok && shareable {
			return ev
		}
	}
	ev := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		ev[fmt.Sprint(kv[i])] = kv[i+1]
	}
	if shareable {
		cache[key] = ev
	}
	return ev
}

// tally turns per-object problems into findings as objects are judged: one
// failing finding per problem, within the run's finding budget (past it,
// problems are only counted, so a check failing 100,000 objects holds a few
// hundred findings), or one passing finding naming what was checked.
// Nothing checked is n/a, never a pass.
type tally struct {
	id      string
	s       *ks.Set
	c       *check.Collector
	cache   evidenceCache
	checked int
	names   []string // the first objects checked, for the passing finding
	only    *ks.Object
}

const namedInPass = 20

func newTally(ctx context.Context, id string, s *ks.Set) *tally {
	return &tally{id: id, s: s, c: check.NewCollector(ctx, id), cache: evidenceCache{}}
}

// judged records that o was checked and what is wrong with it.
func (t *tally) judged(o *ks.Object, probs []problem) {
	t.checked++
	if t.checked == 1 {
		t.only = o
	}
	if len(t.names) < namedInPass {
		t.names = append(t.names, objectID(t.s, o))
	}
	for _, p := range probs {
		if t.c.Wants(verdict.Fail, objectID(t.s, o)) {
			t.c.Add(findingShared(t.id, verdict.Fail, t.s, o, p, t.cache))
		} else {
			t.c.Skip(verdict.Fail)
		}
	}
}

// findings is the run's outcome; what names the objects checked.
func (t *tally) findings(what string) []verdict.Finding {
	if t.checked == 0 {
		return []verdict.Finding{{Check: t.id, Status: verdict.NA, Message: "no " + what + " found among the Kubernetes objects"}}
	}
	if t.c.Len() > 0 {
		return t.c.Findings()
	}
	names := t.names
	if t.checked > namedInPass {
		names = append(names, fmt.Sprintf("... and %d more", t.checked-namedInPass))
	}
	f := verdict.Finding{Check: t.id, Status: verdict.Pass, Message: fmt.Sprintf("%d %s checked, none at fault", t.checked, what),
		Evidence: map[string]any{"objects": names}}
	if t.checked == 1 {
		f.Object, f.File, f.Line = objectID(t.s, t.only), t.only.File, t.only.Line
	}
	return []verdict.Finding{f}
}

// verdicts is tally for checks that gather problems first (few objects);
// the engine trims their findings to the budget.
func verdicts(id string, s *ks.Set, checked []*ks.Object, probs map[*ks.Object][]problem, what string) []verdict.Finding {
	t := newTally(context.Background(), id, s)
	for _, o := range checked {
		t.judged(o, probs[o])
	}
	return t.findings(what)
}

var selectorParams = []check.Param{
	{Name: "selector", Type: check.String, Description: "label selector picking the service's workloads (e.g. app=proxy); empty: all"},
	{Name: "name", Type: check.String, Description: "workload name, exact or prefix*; empty: all"},
}

func kindsParam(def ...string) check.Param {
	return check.Param{Name: "kinds", Type: check.Strings, Default: toAny(def), Description: "workload kinds the check applies to"}
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

var (
	allWorkloads   = ks.WorkloadKinds
	longRunning    = []string{"Deployment", "StatefulSet", "DaemonSet", "Rollout"}
	replicated     = []string{"Deployment", "StatefulSet", "Rollout"}
	deploymentLike = []string{"Deployment", "Rollout"}
)

// wlFunc judges one workload.
type wlFunc func(s *ks.Set, w *ks.Workload, p check.Params) []problem

// workloadCheck builds a check over the workloads a pack item targets.
func workloadCheck(id, title, desc string, kinds []string, params []check.Param, f wlFunc) check.Check {
	ps := append(append([]check.Param{}, selectorParams...), kindsParam(kinds...))
	ps = append(ps, params...)
	return check.Check{
		ID: id, Title: title, Description: desc, Needs: []check.Input{check.K8s}, Params: ps,
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			s, err := ks.From(ctx, env)
			if err != nil {
				return nil, err
			}
			ws, err := pick(s, p)
			if err != nil {
				return nil, err
			}
			t := newTally(ctx, id, s)
			for _, w := range ws {
				t.judged(w.Object, f(s, w, p))
			}
			return withFilterNote(id, p, t.findings(strings.Join(p.Strings("kinds"), "/")+" workloads"), len(ws)), nil
		},
	}
}

func pick(s *ks.Set, p check.Params) ([]*ks.Workload, error) {
	ws, err := s.Filter(p.String("selector"), p.String("name"))
	if err != nil {
		return nil, fmt.Errorf("selector %q: %w", p.String("selector"), err)
	}
	kinds := p.Strings("kinds")
	if len(kinds) == 0 {
		return ws, nil
	}
	var out []*ks.Workload
	for _, w := range ws {
		for _, k := range kinds {
			if w.Kind == k {
				out = append(out, w)
				break
			}
		}
	}
	return out, nil
}

// withFilterNote: when a pack names the service's workloads and none match,
// the item is about something the manifests do not show; that cannot pass,
// and it is not n/a either.
func withFilterNote(id string, p check.Params, fs []verdict.Finding, n int) []verdict.Finding {
	if n > 0 || (p.String("selector") == "" && p.String("name") == "") {
		return fs
	}
	return []verdict.Finding{{Check: id, Status: verdict.Unverified,
		Message: fmt.Sprintf("no workload matches selector %q name %q", p.String("selector"), p.String("name")),
		Hint:    "point golive at the manifests, chart or kustomization of this service, or fix the selector"}}
}

// objCheck builds a check over objects of some kinds.
type objFunc func(s *ks.Set, o *ks.Object, p check.Params) []problem

func objectCheck(id, title, desc string, kinds []string, what string, params []check.Param, f objFunc) check.Check {
	return check.Check{
		ID: id, Title: title, Description: desc, Needs: []check.Input{check.K8s}, Params: params,
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			s, err := ks.From(ctx, env)
			if err != nil {
				return nil, err
			}
			objs := s.Objects
			if len(kinds) > 0 {
				objs = s.Kind(kinds...)
			}
			t := newTally(ctx, id, s)
			for _, o := range objs {
				t.judged(o, f(s, o, p))
			}
			return t.findings(what), nil
		},
	}
}

// containers yields each container (init containers too when withInit) with
// its path.
type ctr struct {
	c    *corev1.Container
	path string
	init bool
}

func containersOf(w *ks.Workload, withInit bool) []ctr {
	var out []ctr
	spec := &w.Template.Spec
	for i := range spec.Containers {
		out = append(out, ctr{&spec.Containers[i], w.ContainerPath(false, i), false})
	}
	if withInit {
		for i := range spec.InitContainers {
			out = append(out, ctr{&spec.InitContainers[i], w.ContainerPath(true, i), true})
		}
	}
	return out
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func intOf(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		return int64(x), x == float64(int64(x))
	case int:
		return int64(x), true
	}
	return 0, false
}

type compiled struct {
	re  *regexp.Regexp
	err error
}

// compileRe compiles a pattern parameter once per run rather than once per
// object: patterns come from packs, objects can number in the thousands.
func compileRe(s *ks.Set, pattern string) (*regexp.Regexp, error) {
	c := s.Memo("kube/re:"+pattern, func() any {
		re, err := regexp.Compile(pattern)
		return compiled{re, err}
	}).(compiled)
	return c.re, c.err
}
