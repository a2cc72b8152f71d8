package cluster

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golive.dev/golive/internal/source"
)

func TestReadDumpForms(t *testing.T) {
	cases := []struct {
		name     string
		in       string
		kinds    []string
		problems []int // lines
	}{
		{"multi-doc", "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: x}\n", []string{"Pod", "Deployment"}, nil},
		{"list", "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: s}}\n- {apiVersion: v1, kind: Node, metadata: {name: n1}}\n", []string{"Service", "Node"}, nil},
		{"json list", `{"apiVersion":"v1","kind":"PodList","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}]}`, []string{"Pod"}, nil},
		{"custom resource kept raw", "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: m}\nspec: {selector: {matchLabels: {app: x}}}\n", []string{"ServiceMonitor"}, nil},
		{"bad doc is a problem, others kept", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\nkind: [oops\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\n", []string{"Pod", "Pod"}, []int{5}},
		{"no kind", "---\nfoo: bar\n", nil, []int{2}},
		{"wrong field type", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: 3}\n", nil, []int{1}},
		{"scalar doc", "just text\n", nil, []int{1}},
		{"empty docs", "---\n---\n# comment\n", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			objs, probs := ReadDump("f.yaml", []byte(tc.in))
			var kinds []string
			for _, o := range objs {
				kinds = append(kinds, o.Kind)
			}
			if strings.Join(kinds, ",") != strings.Join(tc.kinds, ",") {
				t.Errorf("kinds %v, want %v", kinds, tc.kinds)
			}
			var lines []int
			for _, p := range probs {
				lines = append(lines, p.Line)
				if p.File != "f.yaml" || p.Message == "" {
					t.Errorf("problem without file or message: %+v", p)
				}
			}
			if len(lines) != len(tc.problems) {
				t.Fatalf("problems %v, want lines %v", probs, tc.problems)
			}
			for i := range lines {
				if lines[i] != tc.problems[i] {
					t.Errorf("problem line %d, want %d (%v)", lines[i], tc.problems[i], probs[i])
				}
			}
		})
	}
}

func TestSecretDataDropped(t *testing.T) {
	objs, _ := ReadDump("s.yaml", []byte("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"data\":{\"k\":\"c2VjcmV0\"}}'\ndata: {k: c2VjcmV0}\nstringData: {x: plain}\n"))
	if len(objs) != 1 {
		t.Fatalf("got %d objects", len(objs))
	}
	for _, s := range []string{"c2VjcmV0", "plain"} {
		if strings.Contains(strings.Join([]string{toString(objs[0].Raw.Object), toString(objs[0].Typed)}, ""), s) {
			t.Errorf("secret value %s kept", s)
		}
	}
}

func toString(v any) string {
	b, _ := jsonMarshal(v)
	return string(b)
}

func TestDumpFolderAndNamespace(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("pods.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: shop}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: other}\n")
	write("nodes.json", `{"apiVersion":"v1","kind":"NodeList","items":[{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}}]}`)
	write("broken.yaml", "kind: [\n")
	write("notes.txt", "ignored")
	var probs []source.Problem
	s, err := (&Dump{Path: dir, Namespace: "shop", Problem: func(p source.Problem) { probs = append(probs, p) }}).Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Pods) != 1 || s.Pods[0].Name != "a" || len(s.Nodes) != 1 {
		t.Errorf("pods %d nodes %d", len(s.Pods), len(s.Nodes))
	}
	if len(probs) != 1 || !strings.HasSuffix(probs[0].File, "broken.yaml") {
		t.Errorf("problems %v", probs)
	}
	if s.Gap("HorizontalPodAutoscaler") == "" || s.Gap("Pod") != "" {
		t.Errorf("gaps %v", s.Gaps)
	}
}

func FuzzReadDump(f *testing.F) {
	for _, s := range []string{
		"apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n",
		"apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Node, metadata: {name: n}}]\n",
		"---\n- 1\n---\nkind: PodList\napiVersion: v1\nitems: 3\n",
		`{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"h"},"spec":{"maxReplicas":"x"}}`,
		"apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: m}\nspec: {selector: {matchExpressions: [{key: a, operator: In}]}}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, _ := ReadDump("fuzz.yaml", data)
		s := &Snapshot{}
		for _, o := range objs {
			s.add(o, "")
		}
	})
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
