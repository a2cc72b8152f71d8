package kube

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"

	"golive.dev/golive/internal/source"
)

func loadRepo(t *testing.T, in source.Inputs) *Set {
	t.Helper()
	if len(in.Paths) == 0 {
		in.Paths = []string{"testdata/repo"}
	}
	s, err := Load(context.Background(), &in)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return s
}

func find(s *Set, id string) *Object {
	for _, o := range s.Objects {
		if o.ID() == id {
			return o
		}
	}
	return nil
}

func TestLoadRepo(t *testing.T) {
	s := loadRepo(t, source.Inputs{Release: "rel", Namespace: "team", KubeVersion: "v1.31.0"})
	tests := []struct {
		id, file string
		line     int
		origin   Origin
		typed    bool
	}{
		{"Deployment/shop/web", "testdata/repo/deploy/app.yaml", 2, FromManifest, true},
		{"Service/shop/web", "testdata/repo/deploy/app.yaml", 29, FromManifest, true},
		{"ConfigMap/shop/web-config", "testdata/repo/deploy/app.yaml", 35, FromManifest, true},
		{"PodDisruptionBudget/shop/web", "testdata/repo/deploy/pdb.json", 1, FromManifest, true},
		{"ConfigMap//ok-before-bad", "testdata/repo/deploy/bad.yaml", 1, FromManifest, true},
		{"Deployment/team/rel-app", "testdata/repo/chart/templates/deployment.yaml", 1, FromHelm, true},
		{"ConfigMap//rel-sub", "testdata/repo/chart/charts/sub/templates/cm.yaml", 1, FromHelm, true},
		{"Deployment/prod/prod-api", "testdata/repo/kust/base/deployment.yaml", 1, FromKustomize, true},
	}
	for _, tt := range tests {
		o := find(s, tt.id)
		if o == nil {
			t.Errorf("%s not found; have %v", tt.id, ids(s))
			continue
		}
		if o.File != tt.file || o.Line != tt.line || o.Origin != tt.origin || (o.Typed() != nil) != tt.typed {
			t.Errorf("%s: got %s:%d %s typed=%v, want %s:%d %s typed=%v", tt.id, o.File, o.Line, o.Origin, o.Typed() != nil, tt.file, tt.line, tt.origin, tt.typed)
		}
	}
	if n := len(s.Objects); n != 8 {
		t.Errorf("got %d objects, want 8: %v", n, ids(s))
	}
	if d := find(s, "Deployment/prod/prod-api"); d != nil {
		if r := d.Typed().(*appsv1.Deployment).Spec.Replicas; r == nil || *r != 3 {
			t.Errorf("overlay patch not applied: %v", r)
		}
		if len(d.Annotations) != 0 {
			t.Errorf("origin annotation leaked: %v", d.Annotations)
		}
	}
	if c := find(s, "ConfigMap//rel-sub"); c != nil && c.GetString("data.kube") != "v1.31.0" {
		t.Errorf("kube version not passed to helm: %q", c.GetString("data.kube"))
	}
	var msgs []string
	for _, e := range s.Errors {
		msgs = append(msgs, e.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"testdata/repo/deploy/bad.yaml:9: invalid YAML", "broken-chart/Chart.yaml:4: dependencies redis"} {
		if !strings.Contains(all, want) {
			t.Errorf("errors lack %q:\n%s", want, all)
		}
	}
	if len(s.Workloads()) != 3 {
		t.Errorf("workloads: %d", len(s.Workloads()))
	}
}

func ids(s *Set) []string {
	var out []string
	for _, o := range s.Objects {
		out = append(out, o.ID())
	}
	return out
}

func TestLineOf(t *testing.T) {
	s := loadRepo(t, source.Inputs{Release: "rel"})
	tests := []struct {
		id, path string
		want     int
	}{
		{"Deployment/shop/web", "spec.replicas", 10},
		{"Deployment/shop/web", "spec.template.spec.containers[0].resources.limits.cpu", 24},
		{"Deployment/shop/web", "spec.template.spec.containers[0].resources.requests", 22}, // missing: parent
		{"Deployment/shop/web", "spec.template.spec.containers[0].image", 21},
		{"Service/shop/web", "spec.ports[0].port", 34},
		{"PodDisruptionBudget/shop/web", "spec.minAvailable", 3},
		{"Deployment/default/rel-app", "spec.template.spec.containers[0].resources.requests.cpu", 21},
		{"Deployment/default/rel-app", "spec.replicas", 7},
		{"Deployment/prod/prod-api", "spec.template.spec.containers[0].image", 14},
	}
	for _, tt := range tests {
		o := find(s, tt.id)
		if o == nil {
			t.Errorf("%s not found", tt.id)
			continue
		}
		if got := o.LineOf(tt.path); got != tt.want {
			t.Errorf("%s %s: line %d, want %d", tt.id, tt.path, got, tt.want)
		}
	}
}

func TestWaivers(t *testing.T) {
	s := loadRepo(t, source.Inputs{})
	if len(s.Waivers) != 1 || s.Waivers[0].Item != "mpl.rel.13" || s.Waivers[0].Line != 8 || s.Waivers[0].Expires.Year() != 2099 {
		t.Errorf("waivers: %+v", s.Waivers)
	}
	if len(s.WaiverErrors) != 1 || !strings.Contains(s.WaiverErrors[0].Error(), "app.yaml:17") || !strings.Contains(s.WaiverErrors[0].Error(), "no expiry") {
		t.Errorf("waiver errors: %v", s.WaiverErrors)
	}
	for _, v := range []string{"", "; expires=2030-01-01", "reason", "r; expires=soon"} {
		if _, _, err := ParseWaiverValue(v); err == nil {
			t.Errorf("%q: want error", v)
		}
	}
}

func TestHelmValuesAndSet(t *testing.T) {
	dir := t.TempDir()
	vf := filepath.Join(dir, "v.yaml")
	if err := os.WriteFile(vf, []byte("replicas: 4\nimage: a/b:1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := loadRepo(t, source.Inputs{Paths: []string{"testdata/repo/chart"}, HelmValues: []string{vf}, HelmSet: []string{"image=c/d:2"}})
	o := find(s, "Deployment/default/release-name-app")
	if o == nil {
		t.Fatalf("not found: %v", ids(s))
	}
	d := o.Typed().(*appsv1.Deployment)
	if *d.Spec.Replicas != 4 || d.Spec.Template.Spec.Containers[0].Image != "c/d:2" {
		t.Errorf("values not applied: %d %s", *d.Spec.Replicas, d.Spec.Template.Spec.Containers[0].Image)
	}
}

func TestMissingAndErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(context.Background(), &source.Inputs{Paths: []string{dir}})
	if m, ok := source.AsMissing(err); !ok || !strings.Contains(m.Input, "Helm chart") {
		t.Errorf("empty dir: want Missing, got %v", err)
	}
	bad := filepath.Join(dir, "x.yaml")
	os.WriteFile(bad, []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: [\n"), 0o644)
	_, err = Load(context.Background(), &source.Inputs{Paths: []string{dir}})
	var fe *FileError
	if err == nil || !errors.As(err, &fe) || fe.Line < 3 || fe.Line > 4 {
		t.Errorf("bad file: want FileError at line 3, got %v", err)
	}
}

func TestTemplateError(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "c", "templates"), 0o755)
	os.WriteFile(filepath.Join(dir, "c", "Chart.yaml"), []byte("apiVersion: v2\nname: c\nversion: 0.1.0\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "c", "templates", "x.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.x.y.z }}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "ok.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n"), 0o644)
	s, err := Load(context.Background(), &source.Inputs{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Objects) != 1 || len(s.Errors) != 1 || s.Errors[0].Line != 4 || !strings.HasSuffix(s.Errors[0].File, "templates/x.yaml") {
		t.Errorf("objects %v errors %v", ids(s), s.Errors)
	}
}

func TestHelmMultiDocLines(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "c", "templates"), 0o755)
	os.WriteFile(filepath.Join(dir, "c", "Chart.yaml"), []byte("apiVersion: v2\nname: c\nversion: 0.1.0\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "c", "templates", "x.yaml"), []byte(`apiVersion: v1
kind: ConfigMap
metadata:
  name: a
data:
  k: v
---
# second
apiVersion: v1
kind: ConfigMap
metadata:
  name: b
data:
  k: {{ .Release.Name }}
`), 0o644)
	s, err := Load(context.Background(), &source.Inputs{Paths: []string{dir}, ForbidInRepoWaivers: true})
	if err != nil {
		t.Fatal(err)
	}
	b := find(s, "ConfigMap//b")
	if b == nil || b.Line != 9 || b.LineOf("data.k") != 14 {
		t.Fatalf("b: %+v", b)
	}
}

func TestToolConfigSkipped(t *testing.T) {
	objs, errs := ReadManifests("k.yaml", []byte("apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\n---\napiVersion: v1\nkind: Config\nclusters: []\n"))
	if len(objs) != 0 || len(errs) != 0 {
		t.Fatalf("%v %v", objs, errs)
	}
}

func TestForbidWaivers(t *testing.T) {
	s := loadRepo(t, source.Inputs{ForbidInRepoWaivers: true})
	if len(s.Waivers) != 0 || len(s.WaiverErrors) != 2 {
		t.Fatalf("waivers %v errors %v", s.Waivers, s.WaiverErrors)
	}
}

// TestStreamedMatchesPerDocument holds the one-decoder-per-file path to the
// per-document one over every manifest in the test data.
func TestStreamedMatchesPerDocument(t *testing.T) {
	files, _ := filepath.Glob("../../checks/kube/testdata/*/*.yaml")
	more, _ := filepath.Glob("testdata/*/*.yaml")
	files = append(files, more...)
	if len(files) < 10 {
		t.Fatalf("only %d manifest files found", len(files))
	}
	multi := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(splitDocuments(data)) > 1 {
			multi++
		}
		perDoc := newBuilder()
		perDoc.perDocument = true
		if a, b := manifestSummary(ReadManifests(f, data)), manifestSummary(perDoc.readManifests(f, data)); a != b {
			t.Errorf("%s: streamed and per-document reads differ:\n%s\n---\n%s", f, a, b)
		}
	}
	if multi == 0 {
		t.Error("no multi-document file: the streamed path was not exercised")
	}
	// The one-decoder path must actually be taken, not fall back on every
	// file (which gives the same objects, slower): documents, comments, a
	// final marker and an empty document.
	data := []byte("# top\napiVersion: v1\nkind: A\n---\n# c\napiVersion: v1\nkind: B\n---\n---\napiVersion: v1\nkind: C\n---\n")
	docs := splitDocuments(data)
	streamed := 0
	for _, tr := range newBuilder().decodeStream(data, docs) {
		if tr != nil {
			streamed++
		}
	}
	if streamed != 3 {
		t.Errorf("streamed %d of the 3 documents", streamed)
	}
}

// TestFromMatchesLoad: a run's source, sharing the run's repository index,
// finds what Load finds indexing the tree itself.
func TestFromMatchesLoad(t *testing.T) {
	in := source.Inputs{Paths: []string{"testdata/repo"}, Release: "rel", Namespace: "team", KubeVersion: "v1.31.0"}
	walked := loadRepo(t, in)
	indexed, err := From(context.Background(), source.NewEnv(in))
	if err != nil {
		t.Fatal(err)
	}
	summary := func(s *Set) string {
		var b strings.Builder
		for _, o := range s.Objects {
			b.WriteString(o.ID() + " " + o.File + ":" + fmtInt(o.Line) + "\n")
		}
		for _, e := range s.Errors {
			b.WriteString("error " + e.Error() + "\n")
		}
		b.WriteString(strings.Join(s.Charts, ",") + "|" + strings.Join(s.Kustomizations, ",") + "|" + strings.Join(s.Files, ","))
		return b.String()
	}
	if a, b := summary(indexed), summary(walked); a != b {
		t.Errorf("indexed:\n%s\nwalked:\n%s", a, b)
	}
}

// TestIndexedHonoursExcludes: manifests git ignores or the user excludes
// are not checked.
func TestIndexedHonoursExcludes(t *testing.T) {
	root := t.TempDir()
	cm := func(name string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\n"
	}
	for p, c := range map[string]string{
		"deploy/app.yaml":       cm("kept"),
		"generated/out.yaml":    cm("ignored"),
		"examples/bad/cm.yaml":  cm("excluded"),
		".gitignore":            "generated/\n",
		"examples/bad/.keep":    "",
		"deploy/testdata/x.yml": cm("fixture"),
	} {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := From(context.Background(), source.NewEnv(source.Inputs{Paths: []string{root}, Exclude: []string{"examples/"}}))
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(s); len(got) != 1 || got[0] != "ConfigMap//kept" {
		t.Errorf("objects %v, want only ConfigMap//kept", got)
	}
}

func fmtInt(i int) string { return strconv.Itoa(i) }
