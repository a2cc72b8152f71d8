// Package kube is the Kubernetes-objects evidence source: raw manifests, Helm
// charts rendered in-process and Kustomize builds, decoded once per run into
// typed objects where the kind is known, each remembering where it came from
// so findings can point at the file and line of the field at fault.
package kube

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/runtime"
)

// Origin says how an object was produced.
type Origin string

const (
	FromManifest  Origin = "manifest"
	FromHelm      Origin = "helm"
	FromKustomize Origin = "kustomize"
)

// Object is one Kubernetes object with its provenance.
type Object struct {
	APIVersion  string
	Kind        string
	Namespace   string // as written; empty when the manifest leaves it to the deploy tool
	Name        string
	Labels      map[string]string
	Annotations map[string]string

	// typed caches the k8s.io/api form (see Typed); nil until decoded.
	typed atomic.Pointer[typedForm]
	// data is the object's document (Map, Get and LineOf read it); root
	// is the object's node in it (a List item is a node inside the List).
	data *tree
	root int

	Origin Origin
	// File is the file to report: the manifest, the Helm template the object
	// was rendered from, or the file kustomize took it from.
	File string
	// Line is the line in File where the object starts (1-based; 0 unknown).
	Line int
	// Chart or Kustomization is the root the object was rendered from.
	Chart         string
	Kustomization string

	// wl is the object's Workload, made while loading (wlDone) so that the
	// typed object it comes from need not be kept until the set is built.
	wl     *Workload
	wlDone bool

	pos   positions
	seq   int    // place in Set.Objects, to keep index lookups in input order
	setID string // Kind/effective namespace/name, made once for every finding to share
}

// ID is Kind/namespace/name, the form findings use.
func (o *Object) ID() string { return o.Kind + "/" + o.Namespace + "/" + o.Name }

// typedForm is a decoded k8s.io/api form; obj is nil for kinds the scheme
// lacks and for objects that do not match their schema.
type typedForm struct{ obj runtime.Object }

// Typed returns the k8s.io/api struct for kinds the client-go scheme knows
// (e.g. *appsv1.Deployment); nil for custom resources and for objects that
// do not match their schema (loading reported those). Every object is
// converted once while loading, to report schema errors, but only Services
// keep that form (the set's indexes read them). Other kinds are converted
// again from the object's tree when asked, and kept from the second call
// on: a check that reads each object once (most PDBs, HPAs, ConfigMaps)
// leaves nothing behind, one that comes back does not pay twice. Callers
// must not change the result.
func (o *Object) Typed() runtime.Object {
	f := o.typed.Load()
	if f != nil && f != typedOnce {
		return f.obj
	}
	obj, _ := typedOf(o)
	if f == nil {
		if o.typed.CompareAndSwap(nil, typedOnce) {
			return obj
		}
	}
	if !o.typed.CompareAndSwap(typedOnce, &typedForm{obj}) {
		if g := o.typed.Load(); g != typedOnce && g != nil {
			return g.obj // another goroutine kept its copy: share it
		}
	}
	return obj
}

// dropTyped forgets a kept typed form; Typed converts again when asked.
func (o *Object) dropTyped() {
	if f := o.typed.Load(); f != nil && f.obj != nil {
		o.typed.Store(nil)
	}
}

// typedOnce marks an object whose typed form was made once and not kept.
var typedOnce = &typedForm{}

// keepTyped lists the kinds whose typed form the set's own indexes read
// (workload templates, Service selectors) right after loading: converting
// them twice would cost time for no memory saved.
func keepTyped(kind string) bool {
	switch kind {
	case "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service":
		// workloadOf takes what it needs from workloads and drops the rest
		return true
	}
	return false
}

// isWorkloadKind lists the kinds workloadOf may make a Workload of.
func isWorkloadKind(kind string) bool {
	switch kind {
	case "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Rollout", "ReplicaSet":
		return true
	}
	return false
}

// Group is the API group of the object ("" for core).
func (o *Object) Group() string {
	if i := strings.Index(o.APIVersion, "/"); i >= 0 {
		return o.APIVersion[:i]
	}
	return ""
}

// LineOf returns the line in File of the field at path (dot-separated keys
// with [n] indexes and ["quoted.keys"], e.g.
// spec.template.spec.containers[0].resources.limits). When the field is
// absent it returns the line of its deepest present ancestor, so a finding
// about a missing field points at where it should be added.
func (o *Object) LineOf(path string) int {
	if o.pos == nil {
		return o.Line
	}
	if l := o.pos.line(o.data.path(path)); l > 0 {
		return l
	}
	return o.Line
}

// Map returns the object as JSON-compatible data (maps, slices, strings,
// int64, float64, bool), built afresh on each call: callers may keep or
// change it without affecting the object.
func (o *Object) Map() map[string]any {
	if o.data == nil {
		return nil
	}
	m, _ := o.data.value(o.root).(map[string]any)
	return m
}

// Get returns the value at path as JSON-compatible data (see Map), if any.
func (o *Object) Get(path string) (any, bool) {
	if o.data == nil {
		return nil, false
	}
	i := o.data.walk(o.root, o.data.path(path))
	if i < 0 {
		return nil, false
	}
	return o.data.value(i), true
}

// GetString returns the string at path ("" when absent or not a string).
func (o *Object) GetString(path string) string {
	if o.data == nil {
		return ""
	}
	return o.data.str(o.data.walk(o.root, o.data.path(path)))
}

type pathElem struct {
	key     string
	index   int
	isIndex bool
}

// path parses a field path once per run: checks ask for the same few paths
// (they come from code) of every object, so the run's key table keeps them.
func (t *tree) path(p string) []pathElem {
	if t == nil || t.keys == nil {
		return parsePath(p)
	}
	if v, ok := t.keys.paths.Load(p); ok {
		return v.([]pathElem)
	}
	out := parsePath(p)
	if len(p) < 256 {
		t.keys.paths.Store(p, out)
	}
	return out
}

func parsePath(p string) []pathElem {
	var out []pathElem
	for len(p) > 0 {
		switch p[0] {
		case '.':
			p = p[1:]
		case '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return append(out, pathElem{key: p[1:]})
			}
			in := p[1:end]
			p = p[end+1:]
			if n, err := strconv.Atoi(in); err == nil {
				out = append(out, pathElem{index: n, isIndex: true})
			} else {
				out = append(out, pathElem{key: strings.Trim(in, `"'`)})
			}
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			out = append(out, pathElem{key: p[:end]})
			p = p[end:]
		}
	}
	return out
}

// positions maps a field path to a line in the object's File.
type positions interface {
	line(path []pathElem) int
}

// docPositions parses one YAML document lazily: most objects never have a
// finding, and keeping a yaml.Node tree for each of 100k objects would cost
// more memory than the objects themselves.
type docPositions struct {
	data   []byte // the document's bytes (shared with the file's buffer)
	offset int    // line of data's first line in the file, minus one
	prefix []pathElem

	once sync.Once
	root *pnode
}

// pnode is the part of a yaml.Node that positions need: its line and
// children (keys for mappings). It is a fifth of a yaml.Node's size, which
// matters when most objects of a large set have a finding.
type pnode struct {
	line int32
	seq  bool
	keys []string
	kids []*pnode
}

func compact(n *yaml.Node, depth int) *pnode {
	for n.Kind == yaml.AliasNode && n.Alias != nil && depth < 64 {
		n, depth = n.Alias, depth+1
	}
	p := &pnode{line: int32(n.Line)}
	if depth > 64 {
		return p
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := compact(n.Content[i+1], depth+1)
			// keep the key's line: a finding about a field points at its key
			k2 := *k
			k2.line = int32(n.Content[i].Line)
			p.keys = append(p.keys, n.Content[i].Value)
			p.kids = append(p.kids, &k2)
		}
	case yaml.SequenceNode:
		p.seq = true
		for _, c := range n.Content {
			p.kids = append(p.kids, compact(c, depth+1))
		}
	}
	return p
}

func (d *docPositions) line(path []pathElem) int {
	d.once.Do(func() {
		var n yaml.Node
		if err := yaml.Unmarshal(d.data, &n); err == nil && len(n.Content) > 0 {
			d.root = compact(n.Content[0], 0)
		}
	})
	if d.root == nil {
		return 0
	}
	full := path
	if len(d.prefix) > 0 {
		full = append(append([]pathElem{}, d.prefix...), path...)
	}
	return nodeLine(d.root, full) + d.offset
}

// nodeLine returns the line of the deepest node along path.
func nodeLine(n *pnode, path []pathElem) int {
	best := int(n.line)
	for _, e := range path {
		var next *pnode
		switch {
		case !n.seq && !e.isIndex:
			for i, k := range n.keys {
				if k == e.key {
					next = n.kids[i]
					break
				}
			}
		case n.seq && e.isIndex && e.index < len(n.kids):
			next = n.kids[e.index]
		}
		if next == nil {
			return best
		}
		best = int(next.line)
		n = next
	}
	return best
}

// templatePositions approximates field lines in a Helm template: the
// rendered output's lines are not the template's, so it looks for the path's
// keys in order in the template text. Indexes are ignored because one
// template line usually serves every element of a range.
type templatePositions struct {
	lines []string
	start int // line where the search starts (the object's document)
}

// declaresKey reports whether a template line starts a mapping entry for
// key: optional indentation, an optional "- " list marker, the key, quoted
// or not, then a colon.
func declaresKey(line, key string) bool {
	l := strings.TrimLeft(line, " \t")
	if rest, ok := strings.CutPrefix(l, "-"); ok && rest != strings.TrimLeft(rest, " \t") {
		l = strings.TrimLeft(rest, " \t")
	}
	if len(l) > 0 && (l[0] == '"' || l[0] == '\'') {
		l = l[1:]
	}
	l, ok := strings.CutPrefix(l, key)
	if !ok {
		return false
	}
	if len(l) > 0 && (l[0] == '"' || l[0] == '\'') {
		l = l[1:]
	}
	l = strings.TrimLeft(l, " \t")
	return strings.HasPrefix(l, ":")
}

func (t *templatePositions) line(path []pathElem) int {
	best, from := 0, t.start
	if from < 1 {
		from = 1
	}
	for _, e := range path {
		if e.isIndex {
			continue
		}
		found := 0
		for i := from; i <= len(t.lines); i++ {
			if declaresKey(t.lines[i-1], e.key) {
				found = i
				break
			}
		}
		if found == 0 {
			break
		}
		best, from = found, found+1
	}
	if best == 0 {
		return t.start
	}
	return best
}

// FileError is a problem with one input; other inputs are still loaded.
type FileError struct {
	File string
	Line int // 0 when unknown
	Err  error
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }

var yamlErrLine = regexp.MustCompile(`line (\d+)`)

// yamlError turns a yaml.v3 error inside a document starting at offset+1
// into a FileError at the file line.
func yamlError(file string, offset int, err error) *FileError {
	msg := err.Error()
	line := offset + 1
	if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
		if n, e := strconv.Atoi(m[1]); e == nil {
			line = offset + n
			// yaml.v3 gives parser (not scanner) errors a 0-based line.
			if strings.Contains(msg, "did not find expected") {
				line++
			}
		}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = yamlErrLine.ReplaceAllString(msg, "")
	msg = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(msg), ":"))
	return &FileError{File: file, Line: line, Err: fmt.Errorf("invalid YAML: %s", msg)}
}

func splitLines(b []byte) []string {
	return strings.Split(string(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))), "\n")
}
