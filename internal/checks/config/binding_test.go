package config

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
)

// TestConfigBindingLeavesManifestsOut: the CEL variable config holds
// settings, not Kubernetes objects, so a large manifest tree is not parsed a
// second time for it.
func TestConfigBindingLeavesManifestsOut(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"values.yaml":        "replicas: 3\n",
		"deploy/app.yaml":    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\n",
		"kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [deploy/app.yaml]\n",
		"config/app.yaml":    "log:\n  level: info\n  kind: json\n",
		"chart/Chart.yaml":   "apiVersion: v2\nname: app\nversion: 0.1.0\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := check.NewRegistry()
	Register(r)
	var cfg map[string]any
	for _, b := range r.Bindings() {
		if b.Name == "config" {
			v, err := b.Value(context.Background(), source.NewEnv(source.Inputs{Paths: []string{dir}}))
			if err != nil {
				t.Fatal(err)
			}
			cfg = v.(map[string]any)
		}
	}
	for _, want := range []string{"values.yaml", "config/app.yaml", "chart/Chart.yaml"} {
		if _, ok := cfg[want]; !ok {
			t.Errorf("config lacks %s (has %v)", want, keys(cfg))
		}
	}
	for _, not := range []string{"deploy/app.yaml", "kustomization.yaml"} {
		if _, ok := cfg[not]; ok {
			t.Errorf("config holds the manifest %s", not)
		}
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
