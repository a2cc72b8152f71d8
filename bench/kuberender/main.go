// Command kuberender renders a Helm chart with its values several times
// (one release and namespace per copy) into a folder of plain manifests, the
// way `helm template` output is committed, so that the Kubernetes checks can
// be timed over real-looking objects in any number.
//
//	go run ./bench/kuberender -chart examples/ready-service/chart -objects 500 -out DIR
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/engine"
	"sigs.k8s.io/yaml"
)

func main() {
	chartDir := flag.String("chart", "examples/ready-service/chart", "chart folder")
	values := flag.String("values", "", "values file applied over the chart's values.yaml (optional)")
	objects := flag.Int("objects", 500, "render copies until at least this many objects")
	out := flag.String("out", "", "output folder (created)")
	pack := flag.String("kube-pack", "", "also write this pack file: the default pack's items cut down to their k8s/* checks")
	packFrom := flag.String("pack-from", "packs/default.yaml", "pack -kube-pack is cut from")
	flag.Parse()
	if *pack != "" {
		if err := kubePack(*packFrom, *pack); err != nil {
			log.Fatal(err)
		}
	}
	if *out == "" {
		log.Fatal("-out is required")
	}
	ch, err := loader.Load(*chartDir)
	if err != nil {
		log.Fatalf("load chart: %v", err)
	}
	vals := map[string]any{}
	if *values != "" {
		b, err := os.ReadFile(*values)
		if err != nil {
			log.Fatal(err)
		}
		if err := yaml.Unmarshal(b, &vals); err != nil {
			log.Fatalf("%s: %v", *values, err)
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	total := 0
	for copyN := 0; total < *objects; copyN++ {
		rel := common.ReleaseOptions{Name: fmt.Sprintf("r%03d", copyN), Namespace: fmt.Sprintf("ns-%03d", copyN), Revision: 1, IsInstall: true}
		top, err := util.ToRenderValues(ch, vals, rel, common.DefaultCapabilities.Copy())
		if err != nil {
			log.Fatalf("values: %v", err)
		}
		rendered, err := engine.Render(ch, top)
		if err != nil {
			log.Fatalf("render: %v", err)
		}
		names := make([]string, 0, len(rendered))
		for n := range rendered {
			names = append(names, n)
		}
		sort.Strings(names)
		var b strings.Builder
		n := 0
		for _, name := range names {
			body := strings.TrimSpace(rendered[name])
			if strings.HasPrefix(filepath.Base(name), "_") || strings.HasSuffix(name, "NOTES.txt") || body == "" {
				continue
			}
			fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", name, body)
			n += strings.Count("\n"+body, "\nkind:")
		}
		if n == 0 {
			log.Fatal("the chart renders no objects")
		}
		if err := os.WriteFile(filepath.Join(*out, rel.Name+".yaml"), []byte(b.String()), 0o644); err != nil {
			log.Fatal(err)
		}
		total += n
	}
	fmt.Println(total)
}

// kubePack keeps the items of a pack that have k8s/* checks, with only those
// checks, so the Kubernetes part of a pack can be timed on its own.
func kubePack(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	var p map[string]any
	if err := yaml.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	items, _ := p["items"].([]any)
	var kept []any
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		cs, _ := m["checks"].([]any)
		var k8s []any
		for _, c := range cs {
			if cm, ok := c.(map[string]any); ok && strings.HasPrefix(fmt.Sprint(cm["check"]), "k8s/") {
				delete(cm, "optional")
				k8s = append(k8s, cm)
			}
		}
		if len(k8s) > 0 {
			m["checks"] = k8s
			delete(m, "decide")
			kept = append(kept, m)
		}
	}
	if len(kept) == 0 {
		return fmt.Errorf("%s has no k8s/* checks", from)
	}
	p["items"] = kept
	if md, ok := p["metadata"].(map[string]any); ok {
		md["name"] = "kube-only"
	}
	out, err := yaml.Marshal(p)
	if err != nil {
		return err
	}
	return os.WriteFile(to, out, 0o644)
}
