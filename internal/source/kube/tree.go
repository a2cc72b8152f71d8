package kube

import (
	"errors"
	"fmt"
	"sort"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// tree is one decoded YAML document, flattened in document order. It is the
// only copy of an object's data that is kept: field values (Get), field
// lines (LineOf) and the map form (Map) all come from it. A flat slice of
// small nodes costs a fraction of nested map[string]any values plus a
// separate position tree, and is one allocation per document, which is what
// keeps 100k objects within a few hundred megabytes.
type tree struct {
	nodes []tnode
	// offset is added to node lines to give the line in the object's file.
	offset int32
}

type nkind uint8

const (
	kNull nkind = iota
	kStr
	kInt   // s holds the decimal form
	kFloat // s holds strconv 'g' form, which parses back exactly
	kBool  // s is "true" or "false"
	kMap   // children: key, value, key, value...
	kSeq
)

// tnode is one node; a mapping's children are alternating key and value
// nodes, and end lets a walk skip a whole subtree.
type tnode struct {
	s    string
	line int32 // 0 when unknown (documents decoded through the fallback)
	end  int32 // index just past this node's subtree
	kind nkind
}

// errFallback marks YAML features (aliases, merge keys, non-string keys,
// unusual tags) that the direct conversion leaves to yaml.v3's decoder.
var errFallback = errors.New("kube: yaml feature needs the generic decoder")

// builder converts yaml.Node trees into flat trees, reusing its buffer
// across documents and interning mapping keys: the key vocabulary of
// Kubernetes objects is small and repeats in every object.
type builder struct {
	buf    []tnode
	keys   map[string]string
	scalar yaml.Node // reused for decoding unusual scalars
}

func newBuilder() *builder { return &builder{keys: map[string]string{}} }

func (b *builder) intern(s string) string {
	if v, ok := b.keys[s]; ok {
		return v
	}
	if len(b.keys) < 1<<16 {
		b.keys[s] = s
	}
	return s
}

// build converts the content node of a document; the result owns an
// exactly-sized copy of the nodes.
func (b *builder) build(n *yaml.Node, offset int) (*tree, error) {
	b.buf = b.buf[:0]
	if err := b.add(n, 0); err != nil {
		return nil, err
	}
	nodes := make([]tnode, len(b.buf))
	copy(nodes, b.buf)
	return &tree{nodes: nodes, offset: int32(offset)}, nil
}

func (b *builder) add(n *yaml.Node, depth int) error {
	if depth > 10000 {
		return errFallback
	}
	if n.Anchor != "" {
		// an anchored node may be aliased later: let yaml.v3 expand it
		return errFallback
	}
	i := len(b.buf)
	b.buf = append(b.buf, tnode{line: int32(n.Line)})
	switch n.Kind {
	case yaml.MappingNode:
		if n.Tag != "!!map" && n.Tag != "" {
			return errFallback
		}
		b.buf[i].kind = kMap
		if len(n.Content) > 16 {
			seen := make(map[string]struct{}, len(n.Content)/2)
			for j := 0; j+1 < len(n.Content); j += 2 {
				k := n.Content[j]
				if _, dup := seen[k.Value]; dup {
					return errFallback
				}
				seen[k.Value] = struct{}{}
			}
		} else {
			for j := 0; j+1 < len(n.Content); j += 2 {
				for m := 0; m < j; m += 2 {
					if n.Content[m].Value == n.Content[j].Value {
						return errFallback // duplicate key: yaml.v3 words the error
					}
				}
			}
		}
		for j := 0; j+1 < len(n.Content); j += 2 {
			k := n.Content[j]
			if k.Kind != yaml.ScalarNode || k.Tag != "!!str" || k.Anchor != "" {
				return errFallback // merge keys (<<), non-string keys
			}
			b.buf = append(b.buf, tnode{s: b.intern(k.Value), line: int32(k.Line), end: int32(len(b.buf) + 1), kind: kStr})
			if err := b.add(n.Content[j+1], depth+1); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		if n.Tag != "!!seq" && n.Tag != "" {
			return errFallback
		}
		b.buf[i].kind = kSeq
		for _, c := range n.Content {
			if err := b.add(c, depth+1); err != nil {
				return err
			}
		}
	case yaml.ScalarNode:
		if err := b.scalarNode(i, n); err != nil {
			return err
		}
	default:
		return errFallback // aliases
	}
	b.buf[i].end = int32(len(b.buf))
	return nil
}

func (b *builder) scalarNode(i int, n *yaml.Node) error {
	t := &b.buf[i]
	switch n.Tag {
	case "!!str":
		t.kind, t.s = kStr, n.Value
		return nil
	case "!!null":
		t.kind = kNull
		return nil
	case "!!bool":
		if n.Value == "true" || n.Value == "false" {
			t.kind, t.s = kBool, n.Value
			return nil
		}
	case "!!int":
		if simpleDecimal(n.Value) {
			t.kind, t.s = kInt, n.Value
			return nil
		}
	}
	// Anything else (floats, hex and octal, timestamps, custom tags) is
	// decoded as yaml.v3 would decode it into an interface value.
	b.scalar = yaml.Node{Kind: yaml.ScalarNode, Tag: n.Tag, Value: n.Value, Style: n.Style, Line: n.Line, Column: n.Column}
	var v any
	if err := b.scalar.Decode(&v); err != nil {
		return errFallback
	}
	return setScalar(t, normalize(v))
}

// simpleDecimal reports whether s is already the canonical base-10 form of
// the int64 yaml.v3 reads it as (no sign other than '-', no leading zero,
// which yaml reads as octal).
func simpleDecimal(s string) bool {
	d := s
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
		if d == "0" {
			return false // "-0" reads as 0
		}
	}
	if len(d) == 0 || len(d) > 18 || (len(d) > 1 && d[0] == '0') {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}

func setScalar(t *tnode, v any) error {
	switch x := v.(type) {
	case nil:
		t.kind = kNull
	case string:
		t.kind, t.s = kStr, x
	case bool:
		t.kind, t.s = kBool, strconv.FormatBool(x)
	case int64:
		t.kind, t.s = kInt, strconv.FormatInt(x, 10)
	case float64:
		t.kind, t.s = kFloat, strconv.FormatFloat(x, 'g', -1, 64)
	default:
		return errFallback
	}
	return nil
}

// treeFromValue builds a tree from a normalized decoded value, for the
// documents the direct conversion leaves to yaml.v3. Lines are unknown.
func treeFromValue(v any, offset int) (*tree, error) {
	var nodes []tnode
	var add func(v any) error
	add = func(v any) error {
		i := len(nodes)
		nodes = append(nodes, tnode{})
		switch x := v.(type) {
		case map[string]any:
			nodes[i].kind = kMap
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				nodes = append(nodes, tnode{s: k, end: int32(len(nodes) + 1), kind: kStr})
				if err := add(x[k]); err != nil {
					return err
				}
			}
		case []any:
			nodes[i].kind = kSeq
			for _, e := range x {
				if err := add(e); err != nil {
					return err
				}
			}
		default:
			if err := setScalar(&nodes[i], x); err != nil {
				return fmt.Errorf("unsupported value %T", x)
			}
		}
		nodes[i].end = int32(len(nodes))
		return nil
	}
	if err := add(v); err != nil {
		return nil, err
	}
	return &tree{nodes: nodes, offset: int32(offset)}, nil
}

// child returns the index of the value under key in the mapping at i, or -1.
func (t *tree) child(i int, key string) int {
	n := t.nodes
	if n[i].kind != kMap {
		return -1
	}
	for j := i + 1; j < int(n[i].end); j = int(n[j+1].end) {
		if n[j].s == key {
			return j + 1
		}
	}
	return -1
}

// keyOf is child but returns the key node (whose line a finding points at).
func (t *tree) keyOf(i int, key string) int {
	if c := t.child(i, key); c >= 0 {
		return c - 1
	}
	return -1
}

// item returns the index of element k of the sequence at i, or -1.
func (t *tree) item(i, k int) int {
	n := t.nodes
	if n[i].kind != kSeq || k < 0 {
		return -1
	}
	j := i + 1
	for ; j < int(n[i].end) && k > 0; k-- {
		j = int(n[j].end)
	}
	if j >= int(n[i].end) {
		return -1
	}
	return j
}

// walk follows path from node i; -1 when a step is missing.
func (t *tree) walk(i int, path []pathElem) int {
	for _, e := range path {
		if i < 0 {
			return -1
		}
		if e.isIndex {
			i = t.item(i, e.index)
		} else {
			i = t.child(i, e.key)
		}
	}
	return i
}

// value materializes the node at i as JSON-compatible Go data.
func (t *tree) value(i int) any {
	n := &t.nodes[i]
	switch n.kind {
	case kStr:
		return n.s
	case kInt:
		v, _ := strconv.ParseInt(n.s, 10, 64)
		return v
	case kFloat:
		v, _ := strconv.ParseFloat(n.s, 64)
		return v
	case kBool:
		return n.s == "true"
	case kMap:
		cnt := 0
		for j := i + 1; j < int(n.end); j = int(t.nodes[j+1].end) {
			cnt++
		}
		m := make(map[string]any, cnt)
		for j := i + 1; j < int(n.end); j = int(t.nodes[j+1].end) {
			m[t.nodes[j].s] = t.value(j + 1)
		}
		return m
	case kSeq:
		cnt := 0
		for j := i + 1; j < int(n.end); j = int(t.nodes[j].end) {
			cnt++
		}
		s := make([]any, 0, cnt)
		for j := i + 1; j < int(n.end); j = int(t.nodes[j].end) {
			s = append(s, t.value(j))
		}
		return s
	}
	return nil
}

// str returns the string at node i ("" when absent or not a string).
func (t *tree) str(i int) string {
	if i < 0 || t.nodes[i].kind != kStr {
		return ""
	}
	return t.nodes[i].s
}

// stringMap returns the mapping at i as strings, the way labels and
// annotations are read (non-strings printed, null as "").
func (t *tree) stringMap(i int) map[string]string {
	if i < 0 || t.nodes[i].kind != kMap || t.nodes[i].end == int32(i+1) {
		return nil
	}
	n := t.nodes
	cnt := 0
	for j := i + 1; j < int(n[i].end); j = int(n[j+1].end) {
		cnt++
	}
	out := make(map[string]string, cnt)
	for j := i + 1; j < int(n[i].end); j = int(n[j+1].end) {
		v := &n[j+1]
		switch v.kind {
		case kStr, kInt, kBool:
			out[n[j].s] = v.s
		case kNull:
			out[n[j].s] = ""
		default:
			out[n[j].s] = fmt.Sprint(t.value(j + 1))
		}
	}
	return out
}

// treePositions gives field lines from the tree of the object's document.
type treePositions struct {
	t    *tree
	root int
}

func (p treePositions) line(path []pathElem) int {
	t, i := p.t, p.root
	best := int(t.nodes[i].line)
	for _, e := range path {
		var next, at int
		if e.isIndex {
			next = t.item(i, e.index)
			at = next
		} else {
			at = t.keyOf(i, e.key)
			next = at + 1
			if at < 0 {
				next = -1
			}
		}
		if next < 0 {
			break
		}
		best, i = int(t.nodes[at].line), next
	}
	if best == 0 {
		return 0
	}
	return best + int(t.offset)
}

// removeKey deletes key and its value from the mapping at node i. Indexes
// past the removed nodes shift, so it is only for a tree holding a single
// object, before anything keeps an index into it.
func (t *tree) removeKey(i int, key string) {
	k := t.keyOf(i, key)
	if k < 0 {
		return
	}
	end := int(t.nodes[k+1].end)
	cnt := int32(end - k)
	nodes := append(t.nodes[:k], t.nodes[end:]...)
	for j := range nodes {
		if nodes[j].end > int32(k) {
			nodes[j].end -= cnt
		}
	}
	t.nodes = nodes
}
