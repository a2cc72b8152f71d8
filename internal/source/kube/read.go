package kube

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
)

// maxFileSize bounds what is read as a manifest: larger files are almost
// never hand-written manifests, and reading them whole costs memory.
const maxFileSize = 32 << 20

// document is one YAML document of a file.
type document struct {
	data      []byte
	startLine int    // 1-based line of data's first line in the file
	source    string // "# Source:" comment Helm writes above each document
}

// splitDocuments cuts a YAML stream at document markers, remembering where
// each starts. A "---" at column 0 always ends a document in YAML, even
// inside a block scalar, so a line scan is exact and much cheaper than
// parsing to find the boundaries.
func splitDocuments(data []byte) []document {
	var docs []document
	start, startLine, line := 0, 1, 1
	flush := func(end int) {
		if end > start {
			docs = append(docs, document{data: data[start:end], startLine: startLine})
		}
	}
	for i := 0; i < len(data); {
		nl := bytes.IndexByte(data[i:], '\n')
		end := len(data)
		if nl >= 0 {
			end = i + nl
		}
		l := data[i:end]
		if isMarker(l, "---") || isMarker(l, "...") {
			flush(i)
			start, startLine = end+1, line+1
			if end+1 > len(data) {
				start = len(data)
			}
		}
		i = end + 1
		line++
	}
	flush(len(data))
	for i := range docs {
		docs[i].source = sourceComment(docs[i].data)
	}
	return docs
}

func isMarker(l []byte, m string) bool {
	if !bytes.HasPrefix(l, []byte(m)) {
		return false
	}
	rest := l[len(m):]
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\r'
}

func sourceComment(doc []byte) string {
	for l := range lines(doc) {
		t := bytes.TrimSpace(l)
		if len(t) == 0 {
			continue
		}
		if !bytes.HasPrefix(t, []byte("#")) {
			return ""
		}
		if s, ok := bytes.CutPrefix(t, []byte("# Source:")); ok {
			return strings.TrimSpace(string(s))
		}
	}
	return ""
}

// lines yields the lines of b without their newlines, allocating nothing
// (bytes.Split would make a slice per document).
func lines(b []byte) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for len(b) > 0 {
			l := b
			if i := bytes.IndexByte(b, '\n'); i >= 0 {
				l, b = b[:i], b[i+1:]
			} else {
				b = nil
			}
			if !yield(l) {
				return
			}
		}
	}
}

// ReadManifests decodes the Kubernetes objects in one YAML or JSON stream.
// Documents that are not Kubernetes objects (no apiVersion and kind) are
// skipped; a document that does not parse is an error naming file:line and
// the remaining documents are still read.
func ReadManifests(file string, data []byte) ([]*Object, []*FileError) {
	return newBuilder().readManifests(file, data)
}

func (b *builder) readManifests(file string, data []byte) ([]*Object, []*FileError) {
	var objs []*Object
	var errs []*FileError
	docs := splitDocuments(data)
	streamed := b.decodeStream(data, docs)
	for i, d := range docs {
		if blank(d.data) {
			continue
		}
		t, lazy, err := streamed[i], false, error(nil)
		if t == nil {
			t, lazy, err = b.decode(d)
		}
		if err != nil {
			errs = append(errs, yamlError(file, d.startLine-1, err))
			continue
		}
		if t == nil || t.kind(0) != kMap {
			continue
		}
		var pos func(prefix []pathElem, i int) positions
		if lazy {
			// no lines in the tree: parse them from the document when asked
			pos = func(prefix []pathElem, _ int) positions {
				return &docPositions{data: d.data, offset: d.startLine - 1, prefix: prefix}
			}
		} else {
			pos = func(_ []pathElem, i int) positions { return treePositions{t: t, root: i} }
		}
		os, err := b.objectsOf(t, 0, nil, pos)
		if err != nil {
			errs = append(errs, &FileError{File: file, Line: d.startLine, Err: err})
		}
		for _, o := range os {
			o.File, o.Origin = file, FromManifest
			if o.Line == 0 {
				o.Line = d.startLine + leadingComments(d.data)
			}
			if d.source != "" {
				// helm template output committed to the repo: keep the
				// manifest's lines, but say which template it came from.
				o.Chart = d.source
			}
			objs = append(objs, o)
		}
	}
	return objs, errs
}

// decodeStream parses the whole file with one yaml.v3 decoder, which costs
// far less than a parser per document (its buffers and token queue are
// made once), and returns each document's tree by its index in docs. A
// document it leaves nil (not reached, or needing the generic decoder) is
// decoded on its own; a file that does not parse leaves all of them nil,
// so that each document's error is found and reported at its own line.
func (b *builder) decodeStream(data []byte, docs []document) []*tree {
	out := make([]*tree, len(docs))
	if len(docs) < 2 || b.perDocument {
		return out // one document: decode does the same work
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	k := 0
	claimed := make([]bool, len(docs)) // a decoded document was put there
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return out
			}
			clear(out)
			return out
		}
		if len(n.Content) == 0 || emptyDocument(n.Content[0]) {
			continue // e.g. after a final "---", which the line scan drops
		}
		line := n.Content[0].Line
		for k+1 < len(docs) && docs[k+1].startLine <= line {
			k++
		}
		if claimed[k] || line < docs[k].startLine {
			// not where the line scan put the documents (content on a
			// marker line, say): leave it all to the per-document path
			clear(out)
			return out
		}
		claimed[k] = true
		if t, err := b.build(n.Content[0], 0); err == nil {
			out[k] = t
		}
	}
}

// emptyDocument is the null yaml.v3 gives a document with no content.
func emptyDocument(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" && n.Value == "" && n.Style == 0
}

// decode parses one document once, straight into a flat tree with lines.
// Documents using YAML features the direct conversion leaves to yaml.v3
// (aliases, merge keys, non-string keys, unusual tags, duplicate keys, whose
// error yaml.v3 words) are decoded by yaml.v3 instead; their trees have no
// lines (lazy is true). A nil tree is an empty document.
func (b *builder) decode(d document) (t *tree, lazy bool, err error) {
	var n yaml.Node
	if err := yaml.Unmarshal(d.data, &n); err != nil {
		return nil, false, err
	}
	if len(n.Content) == 0 {
		return nil, false, nil
	}
	t, err = b.build(n.Content[0], d.startLine-1)
	if err == nil {
		return t, false, nil
	}
	if !errors.Is(err, errFallback) {
		return nil, false, err
	}
	var v any
	if err := yaml.Unmarshal(d.data, &v); err != nil {
		return nil, false, err
	}
	m, ok := normalize(v).(map[string]any)
	if !ok {
		return nil, false, nil
	}
	t, err = b.fromValue(m, d.startLine-1)
	return t, true, err
}

// leadingComments counts the blank and comment lines before a document's content.
func leadingComments(b []byte) int {
	n := 0
	for l := range lines(b) {
		t := bytes.TrimSpace(l)
		if len(t) > 0 && t[0] != '#' {
			break
		}
		n++
	}
	return n
}

func blank(b []byte) bool {
	for l := range lines(b) {
		t := bytes.TrimSpace(l)
		if len(t) > 0 && t[0] != '#' {
			return false
		}
	}
	return true
}

// objectsOf turns the mapping at node i into objects, expanding List kinds.
// prefix is i's path from the document root; pos gives the positions of a
// node.
func (b *builder) objectsOf(t *tree, i int, prefix []pathElem, pos func(prefix []pathElem, i int) positions) ([]*Object, error) {
	apiVersion := t.str(t.child(i, "apiVersion"))
	kind := t.str(t.child(i, "kind"))
	if apiVersion == "" || kind == "" || notAnObject(apiVersion, kind) {
		return nil, nil
	}
	if items := t.child(i, "items"); items >= 0 && t.kind(items) == kSeq && strings.HasSuffix(kind, "List") {
		var out []*Object
		var errs []error
		n := 0
		for j := items + 1; j < t.end(items); j, n = t.end(j), n+1 {
			if t.kind(j) != kMap {
				errs = append(errs, fmt.Errorf("%s item %d is not an object", kind, n))
				continue
			}
			ip := append(append(prefix[:len(prefix):len(prefix)], pathElem{key: "items"}), pathElem{index: n, isIndex: true})
			p := pos(ip, j)
			os, err := b.objectsOf(t, j, ip, pos)
			if err != nil {
				errs = append(errs, err)
			}
			for _, o := range os {
				o.Line = p.line(nil)
			}
			out = append(out, os...)
		}
		return out, errors.Join(errs...)
	}
	o, err := b.newObject(t, i)
	if o != nil {
		o.pos = pos(prefix, i)
	}
	return []*Object{o}, err
}

// newObject fills the common fields and decodes the typed form; a
// workload's pod template is taken out of it at once, so that the rest of
// the typed object is garbage before the next file is read.
func (b *builder) newObject(t *tree, i int) (*Object, error) {
	o := &Object{data: t, root: i}
	o.APIVersion = t.str(t.child(i, "apiVersion"))
	o.Kind = t.str(t.child(i, "kind"))
	md := t.child(i, "metadata")
	if md >= 0 && t.kind(md) == kMap {
		o.Name = t.str(t.child(md, "name"))
		o.Namespace = t.str(t.child(md, "namespace"))
	} else {
		md = -1
	}
	typed, err := typedOf(o)
	if m, ok := typed.(metav1.Object); ok {
		// the typed object already holds labels and annotations as
		// strings: share its maps rather than keep a second copy
		o.Labels, o.Annotations = nilIfEmpty(m.GetLabels()), nilIfEmpty(m.GetAnnotations())
	} else if md >= 0 {
		o.Labels = t.stringMap(t.child(md, "labels"))
		o.Annotations = t.stringMap(t.child(md, "annotations"))
	}
	if typed == nil || keepTyped(o.Kind) {
		// nil is kept too: there is nothing to convert again
		o.typed.Store(&typedForm{typed})
	}
	if isWorkloadKind(o.Kind) {
		o.wl, o.wlDone = workloadOf(o, b.shared), true
	}
	return o, err
}

func nilIfEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// typedOf decodes the k8s.io/api form of kinds the client-go scheme knows.
func typedOf(o *Object) (runtime.Object, error) {
	gv, err := schema.ParseGroupVersion(o.APIVersion)
	if err != nil {
		return nil, fmt.Errorf("%s %q: bad apiVersion %q", o.Kind, o.Name, o.APIVersion)
	}
	gvk := gv.WithKind(o.Kind)
	if !scheme.Scheme.Recognizes(gvk) {
		return nil, nil
	}
	typed, err := scheme.Scheme.New(gvk)
	if err != nil {
		return nil, nil
	}
	// The map is only the converter's input: the tree stays the one copy.
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Map(), typed); err != nil {
		// Keep the object usable as raw data: a check on another field
		// can still decide, and the error says what is wrong.
		return nil, fmt.Errorf("%s %q does not match the %s schema: %v", o.Kind, o.Name, gvk.GroupVersion(), err)
	}
	return typed, nil
}

// normalize makes yaml.v3 output JSON-compatible, as the Kubernetes
// converters expect: int64 numbers, string keys, no time.Time.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
		return x
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = normalize(e)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
		return x
	case int:
		return int64(x)
	case uint64:
		return int64(x)
	case float32:
		return float64(x)
	case time.Time:
		return x.Format(time.RFC3339)
	}
	return v
}

// notAnObject recognises tool configuration that looks like a Kubernetes
// object (apiVersion and kind) but is never applied to a cluster.
func notAnObject(apiVersion, kind string) bool {
	group, _, _ := strings.Cut(apiVersion, "/")
	switch {
	case group == "kustomize.config.k8s.io", group == "kind.x-k8s.io", strings.HasPrefix(apiVersion, "skaffold/"),
		group == "kuttl.dev", group == "config.kubernetes.io", group == "ctlptl.dev", group == "k3d.io":
		return true
	case apiVersion == "v1" && (kind == "Config" || kind == "Preferences"):
		return true // kubeconfig
	}
	return false
}
