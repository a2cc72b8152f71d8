// Package promrules is the evidence source for Prometheus alerting and
// recording rules: plain rule files (top-level `groups:`) and PrometheusRule
// objects (spec.groups) found in the scanned paths. Every rule keeps the file
// and line it was written at and its parsed PromQL expression.
package promrules

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"

	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/repo"
)

// Rule is one alerting or recording rule.
type Rule struct {
	File   string
	Line   int    // line of the rule's first key
	Object string // PrometheusRule/namespace/name when read from an object
	Group  string

	Alert  string
	Record string
	Expr   string
	// ExprLine is the line of the expression, for parse errors.
	ExprLine int
	For      time.Duration
	Labels   map[string]string
	Annots   map[string]string

	// Parsed is nil when the expression does not parse; ParseErr says why.
	Parsed   parser.Expr
	ParseErr error
	// Problems are rulefmt's validation errors (bad labels, templates...).
	Problems []string
}

// IsAlert reports whether r is an alerting rule.
func (r *Rule) IsAlert() bool { return r.Alert != "" }

// Name is the alert or record name.
func (r *Rule) Name() string {
	if r.Alert != "" {
		return r.Alert
	}
	return r.Record
}

// FileError is a rule file that could not be read.
type FileError struct {
	File string
	Line int
	Err  error
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

// Set is every rule found in a run.
type Set struct {
	Files  []string // files that held at least one rule group
	Rules  []*Rule
	Errors []*FileError
}

// Alerts returns the alerting rules.
func (s *Set) Alerts() []*Rule {
	var out []*Rule
	for _, r := range s.Rules {
		if r.IsAlert() {
			out = append(out, r)
		}
	}
	return out
}

// Recorded maps recording rule names to their rules, so checks can look
// through a recorded series to what it measures.
func (s *Set) Recorded() map[string][]*Rule {
	out := map[string][]*Rule{}
	for _, r := range s.Rules {
		if r.Record != "" {
			out[r.Record] = append(out[r.Record], r)
		}
	}
	return out
}

// From returns the rules in the run's repository index, loaded once per run.
func From(ctx context.Context, env *source.Env) (*Set, error) {
	return source.Load(ctx, env, "promrules", func(ctx context.Context, in *source.Inputs) (*Set, error) {
		r, err := repo.From(ctx, env)
		if err != nil {
			return nil, err
		}
		return load(ctx, r)
	})
}

func load(ctx context.Context, r *repo.Repo) (*Set, error) {
	set := &Set{}
	for _, rf := range selectFiles(r) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Rules name their file as the user can open it from where golive
		// runs: runbook links are resolved against it.
		f := rf.OSPath()
		// Read leaves out what is binary or over repo.MaxContent: rule files
		// are small, and a huge YAML file is far more likely data. It keeps
		// nothing: every YAML file of the tree is looked at, few hold rules.
		data, err := rf.Read()
		if errors.Is(err, repo.ErrBinary) || errors.Is(err, repo.ErrTooLarge) {
			continue
		}
		if err != nil {
			set.Errors = append(set.Errors, &FileError{File: f, Err: err})
			continue
		}
		if !mayHoldRules(data) {
			continue
		}
		rules, ferrs := Parse(f, data)
		if len(rules) > 0 {
			set.Files = append(set.Files, f)
			set.Rules = append(set.Rules, rules...)
		}
		if len(rules) > 0 || looksLikeRuleFile(f) {
			set.Errors = append(set.Errors, ferrs...)
		}
	}
	return set, nil
}

// mayHoldRules is a cheap filter before YAML decoding every file in a repo.
func mayHoldRules(data []byte) bool {
	return bytes.Contains(data, []byte("groups:")) && (bytes.Contains(data, []byte("expr:")) || bytes.Contains(data, []byte("rules:")))
}

// looksLikeRuleFile says whether a file's name promises rules, so that its
// YAML errors are worth reporting (other YAML files are someone else's).
func looksLikeRuleFile(path string) bool {
	base := strings.ToLower(filepath.Base(path))
	dir := strings.ToLower(filepath.Base(filepath.Dir(path)))
	return strings.Contains(base, ".rules.") || strings.HasSuffix(base, "_rules.yml") || strings.HasSuffix(base, "_rules.yaml") ||
		strings.Contains(base, "alert") || dir == "rules" || dir == "alerts"
}

// Parse reads every rule in one YAML file: a rule file's top-level groups,
// or the spec.groups of PrometheusRule objects in any document of the file.
// Errors carry file:line; rules that were read are returned beside them.
func Parse(file string, data []byte) ([]*Rule, []*FileError) {
	var rules []*Rule
	var errs []*FileError
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for doc := 0; ; doc++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, &FileError{File: file, Line: yamlErrLine(err), Err: fmt.Errorf("read YAML: %w", err)})
			break
		}
		root := &n
		if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
			root = root.Content[0]
		}
		if root.Kind != yaml.MappingNode {
			continue
		}
		object := ""
		groups := mapGet(root, "groups")
		if kind := mapGet(root, "kind"); kind != nil && kind.Value == "PrometheusRule" {
			object = "PrometheusRule/" + objectName(root)
			groups = mapGet(mapGet(root, "spec"), "groups")
		} else if mapGet(root, "kind") != nil || mapGet(root, "apiVersion") != nil {
			// Some other Kubernetes object; a `groups:` key there is not rules.
			continue
		}
		if groups == nil || groups.Kind != yaml.SequenceNode {
			continue
		}
		rs, es := readGroups(file, object, groups)
		rules = append(rules, rs...)
		errs = append(errs, es...)
	}
	return rules, errs
}

func readGroups(file, object string, groups *yaml.Node) ([]*Rule, []*FileError) {
	var rules []*Rule
	var errs []*FileError
	for _, g := range groups.Content {
		if g.Kind != yaml.MappingNode {
			errs = append(errs, &FileError{File: file, Line: g.Line, Err: errors.New("rule group is not a mapping")})
			continue
		}
		name := ""
		if n := mapGet(g, "name"); n != nil {
			name = n.Value
		}
		var groupLabels map[string]string
		if gl := mapGet(g, "labels"); gl != nil {
			_ = gl.Decode(&groupLabels) // rulefmt reports a bad labels block; here it only adds labels
		}
		list := mapGet(g, "rules")
		if list == nil {
			continue
		}
		if list.Kind != yaml.SequenceNode {
			errs = append(errs, &FileError{File: file, Line: list.Line, Err: fmt.Errorf("group %q: rules is not a list", name)})
			continue
		}
		for _, rn := range list.Content {
			r, err := readRule(file, object, name, rn)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			for k, v := range groupLabels {
				if _, set := r.Labels[k]; !set {
					if r.Labels == nil {
						r.Labels = map[string]string{}
					}
					r.Labels[k] = v
				}
			}
			rules = append(rules, r)
		}
	}
	return rules, errs
}

func readRule(file, object, group string, n *yaml.Node) (*Rule, *FileError) {
	if n.Kind != yaml.MappingNode {
		return nil, &FileError{File: file, Line: n.Line, Err: fmt.Errorf("group %q: rule is not a mapping", group)}
	}
	v, err := validate(n)
	if err != nil {
		return nil, &FileError{File: file, Line: n.Line, Err: fmt.Errorf("group %q: %w", group, err)}
	}
	r := &Rule{
		File: file, Line: n.Line, Object: object, Group: group,
		Alert: v.Alert, Record: v.Record, Expr: v.Expr, For: v.For,
		Labels: v.Labels, Annots: v.Annotations, Problems: v.Problems,
		ExprLine: n.Line,
	}
	if e := mapGet(n, "expr"); e != nil {
		r.ExprLine = e.Line
	}
	if r.Expr == "" {
		r.ParseErr = errors.New("empty expression")
		return r, nil
	}
	expr, perr := parseExpr(r.Expr)
	if perr != nil {
		r.ParseErr = perr
	} else {
		r.Parsed = expr
	}
	return r, nil
}

// parseExpr parses PromQL, turning any parser panic into an error: rule
// files are outside input.
func parseExpr(s string) (e parser.Expr, err error) {
	defer func() {
		if p := recover(); p != nil {
			e, err = nil, fmt.Errorf("promql parser panicked: %v", p)
		}
	}()
	return promql.ParseExpr(s)
}

var promql = parser.NewParser(parser.Options{EnableExperimentalFunctions: true})

func mapGet(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func objectName(root *yaml.Node) string {
	md := mapGet(root, "metadata")
	ns, name := "", ""
	if n := mapGet(md, "namespace"); n != nil {
		ns = n.Value
	}
	if n := mapGet(md, "name"); n != nil {
		name = n.Value
	}
	return ns + "/" + name
}

func yamlErrLine(err error) int {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return 0
	}
	// yaml.v3 syntax errors read "yaml: line N: ...".
	var line int
	if _, scanErr := fmt.Sscanf(err.Error(), "yaml: line %d:", &line); scanErr == nil {
		return line
	}
	return 0
}

// SortedKeys returns a map's keys in order, for stable messages.
func SortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
