package kube

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

func FuzzReadManifests(f *testing.F) {
	seeds := []string{
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: y}\n",
		"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 2\n---\n",
		"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n",
		`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i"}]}}`,
		"apiVersion: v1\nkind: Pod\nmetadata: {name: [\n",
		"a: &x [*x]\n",
		"apiVersion: apps/v1\nkind: Deployment\nspec: {replicas: 1.5, template: {spec: {containers: 3}}}\n",
		"apiVersion: v1\nkind: ConfigMap\ndata:\n  k: |\n    ---\n    x\n",
		"# c\n---\napiVersion: v1\nkind: A\nmetadata: {name: a}\n---\n# only a comment\n---\napiVersion: v1\nkind: B\nmetadata: {name: b, labels: &l {x: y}}\nspec: {sel: *l}\n...\n---\napiVersion: v1\nkind: C\nmetadata: {name: [\n---\napiVersion: v1\nkind: D\n",
		"--- \napiVersion: v1\nkind: A\n--- # c\n\n---\n{apiVersion: v1, kind: B}\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, errs := ReadManifests("fuzz.yaml", data)
		perDoc := newBuilder()
		perDoc.perDocument = true
		if a, b := manifestSummary(objs, errs), manifestSummary(perDoc.readManifests("fuzz.yaml", data)); a != b {
			t.Fatalf("one decoder for the file and one per document differ:\n%s\n---\n%s", a, b)
		}
		for _, o := range objs {
			if o.File != "fuzz.yaml" || o.Kind == "" {
				t.Fatalf("object without provenance: %+v", o)
			}
			_ = o.LineOf("spec.template.spec.containers[0].resources")
			_ = workloadOf(o, resourceLists{})
		}
		for _, e := range errs {
			if e.File != "fuzz.yaml" {
				t.Fatalf("error without file: %v", e)
			}
		}
	})
}

// FuzzTree checks the single-pass tree against yaml.v3's own decoding: the
// same data (after normalize) and, where the tree has lines, the same field
// lines as a yaml.Node walk.
func FuzzTree(f *testing.F) {
	for _, s := range []string{
		"a: 1\nb: [x, {c: 2.5, d: ~}]\n",
		"a: 0x10\nb: 010\nc: -0\nd: +5\ne: 1e3\nf: 2024-01-01\ng: True\nh: !!str 3\n",
		"a: &x {b: 1}\nc: *x\nd: {<<: *x, e: 2}\n",
		"a: 1\na: 2\n",
		"? [a]\n: b\n",
		"a:\n  - b: |\n      text\n    c: 'q'\n",
		"1: a\ntrue: b\n",
		"a: !custom x\nb: !!binary aGk=\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		verr := yaml.Unmarshal(data, &v)
		b := newBuilder()
		tr, lazy, terr := b.decode(document{data: data, startLine: 1})
		if (verr == nil) != (terr == nil) {
			t.Fatalf("errors differ: yaml.v3 %v, tree %v", verr, terr)
		}
		if verr != nil {
			return
		}
		want, isMap := normalize(v).(map[string]any)
		if !isMap {
			if tr != nil && tr.kind(0) == kMap {
				t.Fatalf("tree has a map where yaml.v3 has %T", v)
			}
			return
		}
		if tr == nil {
			t.Fatalf("no tree for %v", want)
		}
		got := tr.value(0)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("data differs:\ntree   %#v\nyaml.v3 %#v", got, want)
		}
		if lazy {
			return
		}
		dp := &docPositions{data: data}
		tp := treePositions{t: tr}
		var paths [][]pathElem
		var collect func(i int, p []pathElem)
		collect = func(i int, p []pathElem) {
			paths = append(paths, append([]pathElem(nil), p...))
			switch tr.kind(i) {
			case kMap:
				for j := i + 1; j < tr.end(i); j = tr.end(j + 1) {
					collect(j+1, append(p, pathElem{key: tr.text(j)}))
				}
			case kSeq:
				n := 0
				for j := i + 1; j < tr.end(i); j = tr.end(j) {
					collect(j, append(p, pathElem{index: n, isIndex: true}))
					n++
				}
			}
		}
		collect(0, nil)
		paths = append(paths, []pathElem{{key: "missing"}})
		for _, p := range paths {
			if a, b := tp.line(p), dp.line(p); a != b {
				t.Fatalf("line of %v: tree %d, yaml.Node %d", p, a, b)
			}
		}
	})
}

// manifestSummary is what reading a file produced: objects with their lines,
// field lines and data, and errors.
func manifestSummary(objs []*Object, errs []*FileError) string {
	var b strings.Builder
	for _, o := range objs {
		fmt.Fprintf(&b, "%s %s:%d meta@%d spec@%d %v\n", o.ID(), o.File, o.Line, o.LineOf("metadata.name"), o.LineOf("spec.template.spec.containers[0]"), o.Map())
	}
	for _, e := range errs {
		fmt.Fprintf(&b, "error %v\n", e)
	}
	return b.String()
}

// keyLineRegexp is the plain statement of what declaresKey does.
func keyLineRegexp(key string) *regexp.Regexp {
	return regexp.MustCompile(`^[ \t]*(-[ \t]+)?["']?` + regexp.QuoteMeta(key) + `["']?[ \t]*:`)
}

func FuzzDeclaresKey(f *testing.F) {
	for _, s := range [][2]string{
		{"  image: x", "image"}, {"- name: web", "name"}, {"-name: web", "name"}, {`  "port" : 80`, "port"},
		{"    - 'env':", "env"}, {"imagePullPolicy: x", "image"}, {"# image: x", "image"}, {"\t-\tkey:", "key"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, line, key string) {
		if strings.ContainsAny(line, "\n\r\f\v") || key == "" || !utf8.ValidString(line) || !utf8.ValidString(key) {
			return // the reference pattern cannot be made (declaresKey itself takes any bytes)
		}
		if got, want := declaresKey(line, key), keyLineRegexp(key).MatchString(line); got != want {
			t.Fatalf("declaresKey(%q, %q) = %v, the pattern says %v", line, key, got, want)
		}
	})
}
