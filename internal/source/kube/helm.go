package kube

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/engine"
	"helm.sh/helm/v4/pkg/strvals"
	"sigs.k8s.io/yaml"
)

// HelmOptions are what `helm template` would be given.
type HelmOptions struct {
	ValuesFiles []string // applied in order, later wins
	Set         []string // k=v, applied after the files
	Release     string
	Namespace   string
	KubeVersion string
}

// renderedTemplate is one template's output.
type renderedTemplate struct {
	Name    string // path inside the chart as Helm names it: chart/templates/x.yaml
	File    string // the template file on disk
	Content string
}

// renderChart renders a chart directory in-process. This is the only place
// that touches Helm's API, which has moved between major versions; keeping it
// behind one function makes the next move one edit.
func renderChart(dir string, opt HelmOptions) ([]renderedTemplate, error) {
	ch, err := loader.Load(dir)
	if err != nil {
		return nil, &FileError{File: filepath.Join(dir, "Chart.yaml"), Err: fmt.Errorf("load chart: %w", err)}
	}
	if err := checkDependencies(ch); err != nil {
		return nil, &FileError{File: filepath.Join(dir, "Chart.yaml"), Line: dependenciesLine(dir), Err: err}
	}
	vals, err := userValues(opt)
	if err != nil {
		return nil, err
	}
	if err := chartutil.ProcessDependencies(ch, vals); err != nil {
		return nil, &FileError{File: filepath.Join(dir, "Chart.yaml"), Err: fmt.Errorf("process dependencies: %w", err)}
	}
	caps := common.DefaultCapabilities.Copy()
	if opt.KubeVersion != "" {
		kv, err := common.ParseKubeVersion(opt.KubeVersion)
		if err != nil {
			return nil, fmt.Errorf("--kube-version %q: %w", opt.KubeVersion, err)
		}
		caps.KubeVersion = *kv
	}
	rel := common.ReleaseOptions{Name: opt.Release, Namespace: opt.Namespace, Revision: 1, IsInstall: true}
	if rel.Name == "" {
		rel.Name = "release-name"
	}
	if rel.Namespace == "" {
		rel.Namespace = "default"
	}
	top, err := util.ToRenderValues(ch, vals, rel, caps)
	if err != nil {
		return nil, &FileError{File: filepath.Join(dir, "values.yaml"), Err: fmt.Errorf("values: %w", err)}
	}
	out, err := engine.Render(ch, top)
	if err != nil {
		return nil, templateError(dir, ch.Name(), err)
	}
	names := make([]string, 0, len(out))
	for name := range out {
		names = append(names, name)
	}
	sort.Strings(names)
	var res []renderedTemplate
	for _, name := range names {
		base := filepath.Base(name)
		if strings.HasPrefix(base, "_") || strings.HasSuffix(name, "NOTES.txt") {
			continue
		}
		if strings.TrimSpace(out[name]) == "" {
			continue
		}
		res = append(res, renderedTemplate{Name: name, File: templateFile(dir, ch.Name(), name), Content: out[name]})
	}
	return res, nil
}

// checkDependencies fails when Chart.yaml lists a dependency that is not in
// charts/: rendering without it would silently drop its objects.
func checkDependencies(ch *chartv2.Chart) error {
	if ch.Metadata == nil {
		return nil
	}
	have := map[string]bool{}
	for _, d := range ch.Dependencies() {
		have[d.Name()] = true
	}
	var missing []string
	for _, d := range ch.Metadata.Dependencies {
		if d != nil && !have[d.Name] {
			missing = append(missing, d.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("dependencies %s are listed in Chart.yaml but not vendored in charts/ (run `helm dependency build`)", strings.Join(missing, ", "))
	}
	return nil
}

func dependenciesLine(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return 0
	}
	for i, l := range splitLines(b) {
		if strings.HasPrefix(l, "dependencies:") {
			return i + 1
		}
	}
	return 0
}

// userValues merges --values files then --set pairs, as helm does.
func userValues(opt HelmOptions) (map[string]any, error) {
	base := map[string]any{}
	for _, f := range opt.ValuesFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, &FileError{File: f, Err: fmt.Errorf("read values: %w", err)}
		}
		cur := map[string]any{}
		if err := yaml.Unmarshal(b, &cur); err != nil {
			return nil, &FileError{File: f, Err: fmt.Errorf("parse values: %w", err)}
		}
		base = mergeMaps(base, cur)
	}
	for _, kv := range opt.Set {
		if err := strvals.ParseInto(kv, base); err != nil {
			return nil, fmt.Errorf("--set %q: %w", kv, err)
		}
	}
	return base, nil
}

func mergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if vm, ok := v.(map[string]any); ok {
			if bv, ok := out[k].(map[string]any); ok {
				out[k] = mergeMaps(bv, vm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// templateFile maps Helm's template name (chart/charts/sub/templates/x.yaml)
// to the file under the chart directory.
func templateFile(dir, chartName, name string) string {
	rel := strings.TrimPrefix(name, chartName+"/")
	return filepath.Join(dir, filepath.FromSlash(rel))
}

var helmErrLoc = regexp.MustCompile(`([\w.\-]+(?:/[\w.\-]+)*\.(?:yaml|yml|tpl|json|txt)):(\d+)`)

// templateError points a render error at the template file and line Helm names.
func templateError(dir, chartName string, err error) error {
	msg := err.Error()
	if m := helmErrLoc.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[2])
		return &FileError{File: templateFile(dir, chartName, m[1]), Line: line, Err: fmt.Errorf("render chart: %s", msg)}
	}
	return &FileError{File: filepath.Join(dir, "Chart.yaml"), Err: fmt.Errorf("render chart: %w", err)}
}

// helmObjects decodes a chart's rendered templates. Lines in rendered output
// are not template lines, so positions come from the template text.
func (b *builder) helmObjects(dir string, tpls []renderedTemplate) ([]*Object, []*FileError) {
	var objs []*Object
	var errs []*FileError
	for _, t := range tpls {
		os, es := b.readManifests(t.File, []byte(t.Content))
		for _, e := range es {
			e.Err = fmt.Errorf("rendered output (line %d): %w", e.Line, e.Err)
			e.Line = 0
			errs = append(errs, e)
		}
		var lines []string
		var starts []int
		if src, err := readFileLimited(t.File); err == nil {
			lines = splitLines(src)
			for _, d := range splitDocuments(src) {
				if !blank(d.data) {
					starts = append(starts, d.startLine+leadingComments(d.data))
				}
			}
		}
		for i, o := range os {
			start := 1
			// One template often renders one document per `---` section; when
			// the counts agree, each object starts at its own section.
			if len(starts) == len(os) {
				start = starts[i]
			}
			o.Origin, o.Chart, o.Line = FromHelm, dir, start
			o.pos = &templatePositions{lines: lines, start: start}
			objs = append(objs, o)
		}
	}
	return objs, errs
}
