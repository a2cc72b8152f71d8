package kube

import (
	"testing"
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
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, errs := ReadManifests("fuzz.yaml", data)
		for _, o := range objs {
			if o.File != "fuzz.yaml" || o.Kind == "" {
				t.Fatalf("object without provenance: %+v", o)
			}
			_ = o.LineOf("spec.template.spec.containers[0].resources")
			_ = workloadOf(o)
		}
		for _, e := range errs {
			if e.File != "fuzz.yaml" {
				t.Fatalf("error without file: %v", e)
			}
		}
	})
}
