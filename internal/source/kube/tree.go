package kube

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"

	"go.yaml.in/yaml/v3"
)

// tree is one decoded YAML document, flattened in document order. It is the
// only copy of an object's data that is kept: field values (Get), field
// lines (LineOf) and the map form (Map) all come from it. Nested
// map[string]any values plus a position tree cost several times more (a
// small Go map alone is ~300 bytes), which matters at 100k objects: here a
// node is 12 bytes, scalar text lives in one string per document and
// mapping keys in a table shared by the whole run.
type tree struct {
	nodes []tnode
	strs  string    // scalar values, concatenated
	keys  *keyTable // mapping keys
	// offset is added to node lines to give the line in the object's file.
	offset int32
}

type nkind uint8

const (
	kNull nkind = iota
	kStr
	kInt   // text is the decimal form
	kFloat // text is strconv's 'g' form, which parses back exactly
	kBool  // text is "true" or "false"
	kMap   // children: key, value, key, value...
	kSeq
	kKey // a mapping key; a is its index in the key table
)

// tnode is one node. For a scalar, a and b locate its text in tree.strs;
// for a mapping or sequence, a is the index just past its subtree (scalars
// end at the next index); for a key, a indexes the key table.
type tnode struct {
	a, b uint32
	lk   uint32 // line<<3 | kind; line 0 when unknown (fallback decoding)
}

const maxLine = 1<<29 - 1

func (t *tree) kind(i int) nkind { return nkind(t.nodes[i].lk & 7) }
func (t *tree) line(i int) int   { return int(t.nodes[i].lk >> 3) }

// end is the index just past node i's subtree.
func (t *tree) end(i int) int {
	if k := t.kind(i); k == kMap || k == kSeq {
		return int(t.nodes[i].a)
	}
	return i + 1
}

// text is the text of a scalar or key node.
func (t *tree) text(i int) string {
	n := t.nodes[i]
	if nkind(n.lk&7) == kKey {
		return t.keys.list[n.a]
	}
	return t.strs[n.a : n.a+n.b]
}

// keyTable holds each distinct mapping key once for a whole run; trees only
// read it once loading is done.
type keyTable struct {
	list []string
	ids  map[string]uint32
	// paths caches parsed field paths (see tree.path); safe for the
	// concurrent reads checks make.
	paths sync.Map
}

func (k *keyTable) id(s string) uint32 {
	if id, ok := k.ids[s]; ok {
		return id
	}
	id := uint32(len(k.list))
	k.list = append(k.list, s)
	k.ids[s] = id
	return id
}

func lineKind(line int, k nkind) uint32 {
	if line < 0 || line > maxLine {
		line = 0
	}
	return uint32(line)<<3 | uint32(k)
}

// errFallback marks YAML features (aliases, merge keys, non-string keys,
// unusual tags) that the direct conversion leaves to yaml.v3's decoder.
var errFallback = errors.New("kube: yaml feature needs the generic decoder")

// builder converts yaml.Node trees into flat trees, reusing its buffers
// across documents.
type builder struct {
	buf    []tnode
	text   []byte
	keys   *keyTable
	scalar yaml.Node // reused for decoding unusual scalars
	shared resourceLists
	// perDocument turns off decodeStream, for tests holding the two paths
	// to the same result.
	perDocument bool
}

func newBuilder() *builder {
	return &builder{keys: &keyTable{ids: map[string]uint32{}}, shared: resourceLists{}}
}

// finish copies the buffers into an exactly-sized tree.
func (b *builder) finish(offset int) *tree {
	nodes := make([]tnode, len(b.buf))
	copy(nodes, b.buf)
	return &tree{nodes: nodes, strs: string(b.text), keys: b.keys, offset: int32(offset)}
}

// build converts the content node of a document.
func (b *builder) build(n *yaml.Node, offset int) (*tree, error) {
	b.buf, b.text = b.buf[:0], b.text[:0]
	if err := b.add(n, 0); err != nil {
		return nil, err
	}
	return b.finish(offset), nil
}

func (b *builder) push(line int, k nkind) int {
	b.buf = append(b.buf, tnode{lk: lineKind(line, k)})
	return len(b.buf) - 1
}

func (b *builder) pushText(line int, k nkind, s string) {
	b.buf = append(b.buf, tnode{a: uint32(len(b.text)), b: uint32(len(s)), lk: lineKind(line, k)})
	b.text = append(b.text, s...)
}

func (b *builder) pushKey(line int, s string) {
	b.buf = append(b.buf, tnode{a: b.keys.id(s), lk: lineKind(line, kKey)})
}

func (b *builder) add(n *yaml.Node, depth int) error {
	if depth > 10000 || len(b.text) > 1<<31 {
		return errFallback
	}
	if n.Anchor != "" {
		// an anchored node may be aliased later: let yaml.v3 expand it
		return errFallback
	}
	switch n.Kind {
	case yaml.MappingNode:
		if n.Tag != "!!map" && n.Tag != "" {
			return errFallback
		}
		if hasDuplicateKey(n.Content) {
			return errFallback // yaml.v3 words the error
		}
		i := b.push(n.Line, kMap)
		for j := 0; j+1 < len(n.Content); j += 2 {
			k := n.Content[j]
			if k.Kind != yaml.ScalarNode || k.Tag != "!!str" || k.Anchor != "" {
				return errFallback // merge keys (<<), non-string keys
			}
			b.pushKey(k.Line, k.Value)
			if err := b.add(n.Content[j+1], depth+1); err != nil {
				return err
			}
		}
		b.buf[i].a = uint32(len(b.buf))
	case yaml.SequenceNode:
		if n.Tag != "!!seq" && n.Tag != "" {
			return errFallback
		}
		i := b.push(n.Line, kSeq)
		for _, c := range n.Content {
			if err := b.add(c, depth+1); err != nil {
				return err
			}
		}
		b.buf[i].a = uint32(len(b.buf))
	case yaml.ScalarNode:
		return b.scalarNode(n)
	default:
		return errFallback // aliases
	}
	return nil
}

func hasDuplicateKey(content []*yaml.Node) bool {
	if len(content) > 32 {
		seen := make(map[string]struct{}, len(content)/2)
		for j := 0; j+1 < len(content); j += 2 {
			if _, dup := seen[content[j].Value]; dup {
				return true
			}
			seen[content[j].Value] = struct{}{}
		}
		return false
	}
	for j := 0; j+1 < len(content); j += 2 {
		for m := 0; m < j; m += 2 {
			if content[m].Value == content[j].Value {
				return true
			}
		}
	}
	return false
}

func (b *builder) scalarNode(n *yaml.Node) error {
	switch n.Tag {
	case "!!str":
		b.pushText(n.Line, kStr, n.Value)
		return nil
	case "!!null":
		b.push(n.Line, kNull)
		return nil
	case "!!bool":
		if n.Value == "true" || n.Value == "false" {
			b.pushText(n.Line, kBool, n.Value)
			return nil
		}
	case "!!int":
		if simpleDecimal(n.Value) {
			b.pushText(n.Line, kInt, n.Value)
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
	return b.pushValue(n.Line, normalize(v))
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

func (b *builder) pushValue(line int, v any) error {
	switch x := v.(type) {
	case nil:
		b.push(line, kNull)
	case string:
		b.pushText(line, kStr, x)
	case bool:
		b.pushText(line, kBool, strconv.FormatBool(x))
	case int64:
		b.pushText(line, kInt, strconv.FormatInt(x, 10))
	case float64:
		b.pushText(line, kFloat, strconv.FormatFloat(x, 'g', -1, 64))
	default:
		return errFallback
	}
	return nil
}

// fromValue builds a tree from a normalized decoded value, for the
// documents the direct conversion leaves to yaml.v3. Lines are unknown.
func (b *builder) fromValue(v any, offset int) (*tree, error) {
	b.buf, b.text = b.buf[:0], b.text[:0]
	var add func(v any) error
	add = func(v any) error {
		switch x := v.(type) {
		case map[string]any:
			i := b.push(0, kMap)
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				b.pushKey(0, k)
				if err := add(x[k]); err != nil {
					return err
				}
			}
			b.buf[i].a = uint32(len(b.buf))
		case []any:
			i := b.push(0, kSeq)
			for _, e := range x {
				if err := add(e); err != nil {
					return err
				}
			}
			b.buf[i].a = uint32(len(b.buf))
		default:
			if b.pushValue(0, x) != nil {
				return fmt.Errorf("unsupported value %T", x)
			}
		}
		return nil
	}
	if err := add(v); err != nil {
		return nil, err
	}
	return b.finish(offset), nil
}

// child returns the index of the value under key in the mapping at i, or -1.
func (t *tree) child(i int, key string) int {
	if i < 0 || t.kind(i) != kMap {
		return -1
	}
	for j, end := i+1, t.end(i); j < end; j = t.end(j + 1) {
		if t.keys.list[t.nodes[j].a] == key {
			return j + 1
		}
	}
	return -1
}

// item returns the index of element k of the sequence at i, or -1.
func (t *tree) item(i, k int) int {
	if i < 0 || t.kind(i) != kSeq || k < 0 {
		return -1
	}
	j, end := i+1, t.end(i)
	for ; j < end && k > 0; k-- {
		j = t.end(j)
	}
	if j >= end {
		return -1
	}
	return j
}

// walk follows path from node i; -1 when a step is missing.
func (t *tree) walk(i int, path []pathElem) int {
	for _, e := range path {
		if e.isIndex {
			i = t.item(i, e.index)
		} else {
			i = t.child(i, e.key)
		}
	}
	return i
}

// entries counts the children of a mapping (pairs) or sequence at i.
func (t *tree) entries(i int) int {
	n, end := 0, t.end(i)
	for j := i + 1; j < end; n++ {
		if t.kind(i) == kMap {
			j = t.end(j + 1)
		} else {
			j = t.end(j)
		}
	}
	return n
}

// value materializes the node at i as JSON-compatible Go data.
func (t *tree) value(i int) any {
	switch t.kind(i) {
	case kStr:
		return t.text(i)
	case kInt:
		v, _ := strconv.ParseInt(t.text(i), 10, 64)
		return v
	case kFloat:
		v, _ := strconv.ParseFloat(t.text(i), 64)
		return v
	case kBool:
		return t.text(i) == "true"
	case kMap:
		m := make(map[string]any, t.entries(i))
		for j, end := i+1, t.end(i); j < end; j = t.end(j + 1) {
			m[t.text(j)] = t.value(j + 1)
		}
		return m
	case kSeq:
		s := make([]any, 0, t.entries(i))
		for j, end := i+1, t.end(i); j < end; j = t.end(j) {
			s = append(s, t.value(j))
		}
		return s
	}
	return nil
}

// str returns the string at node i ("" when absent or not a string).
func (t *tree) str(i int) string {
	if i < 0 || t.kind(i) != kStr {
		return ""
	}
	return t.text(i)
}

// stringMap returns the mapping at i as strings, the way labels and
// annotations are read (non-strings printed, null as "").
func (t *tree) stringMap(i int) map[string]string {
	if i < 0 || t.kind(i) != kMap || t.end(i) == i+1 {
		return nil
	}
	out := make(map[string]string, t.entries(i))
	for j, end := i+1, t.end(i); j < end; j = t.end(j + 1) {
		switch t.kind(j + 1) {
		case kStr, kInt, kBool:
			out[t.text(j)] = t.text(j + 1)
		case kNull:
			out[t.text(j)] = ""
		default:
			out[t.text(j)] = fmt.Sprint(t.value(j + 1))
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
	best := t.line(i)
	for _, e := range path {
		at, next := -1, -1
		if e.isIndex {
			next = t.item(i, e.index)
			at = next
		} else if v := t.child(i, e.key); v >= 0 {
			at, next = v-1, v // a field's line is its key's
		}
		if next < 0 {
			break
		}
		best, i = t.line(at), next
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
	v := t.child(i, key)
	if v < 0 {
		return
	}
	k, end := v-1, t.end(v)
	cnt := uint32(end - k)
	t.nodes = append(t.nodes[:k], t.nodes[end:]...)
	for j := range t.nodes {
		if c := t.kind(j); (c == kMap || c == kSeq) && t.nodes[j].a > uint32(k) {
			t.nodes[j].a -= cnt
		}
	}
}
