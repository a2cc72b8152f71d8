package cluster

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"

	"golive.dev/golive/internal/source"
)

// Dump reads objects from the output of `kubectl get ... -o yaml` (or -o
// json): a file or a folder of them, each holding List documents or
// multi-document YAML.
type Dump struct {
	Path      string
	Namespace string // keep only this namespace ("" keeps all)
	// Problem receives documents that cannot be read; nil drops them.
	Problem func(source.Problem)
}

// Describe names the dump.
func (d *Dump) Describe() string { return "cluster dump " + d.Path }

// dumpKinds are the kinds a dump is expected to be able to hold; any of them
// not met is recorded as a gap so checks can say the dump lacks it.
var dumpKinds = []string{"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "HorizontalPodAutoscaler",
	"PodDisruptionBudget", "NetworkPolicy", "Service", "Ingress", "Job", "CronJob", "Node", "ResourceQuota",
	"LimitRange", "Secret", "ServiceMonitor"}

// Snapshot reads every file of the dump.
func (d *Dump) Snapshot(ctx context.Context) (*Snapshot, error) {
	st, err := os.Stat(d.Path)
	if err != nil {
		return nil, source.Unreachable("--cluster-dump", err)
	}
	var files []string
	if st.IsDir() {
		err = filepath.WalkDir(d.Path, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch strings.ToLower(filepath.Ext(p)) {
			case ".yaml", ".yml", ".json":
				if !e.IsDir() {
					files = append(files, p)
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", d.Path, err)
		}
	} else {
		files = []string{d.Path}
	}
	s := &Snapshot{Source: d.Describe(), Namespace: d.Namespace}
	seen := map[string]bool{}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f, err)
		}
		objs, problems := ReadDump(f, data)
		for _, p := range problems {
			if d.Problem != nil {
				p.Named = !st.IsDir()
				d.Problem(p)
			}
		}
		for _, o := range objs {
			if _, old := o.Typed.(*autoscalingv1.HorizontalPodAutoscaler); old && d.Problem != nil {
				// v1 lacks the metric status the HPA check reads.
				d.Problem(source.Problem{Source: "cluster", File: o.File, Line: o.Line,
					Message: "HorizontalPodAutoscaler " + o.Raw.GetName() + " is autoscaling/v1: dump HPAs as autoscaling/v2 (kubectl get hpa.v2.autoscaling -o yaml)"})
				continue
			}
			seen[o.Kind] = true
			s.add(o, d.Namespace)
		}
	}
	for _, k := range dumpKinds {
		if !seen[k] {
			s.gap(k, "the dump holds no "+k+" objects")
		}
	}
	if seen["PodMonitor"] {
		delete(s.Gaps, "ServiceMonitor")
	}
	s.sort()
	return s, nil
}

// Object is one decoded object of a dump.
type Object struct {
	Kind  string
	Typed runtime.Object // nil for kinds the client-go scheme lacks
	Raw   *unstructured.Unstructured
	File  string
	Line  int
}

func (s *Snapshot) add(o Object, ns string) {
	keep := func(n string) bool { return inNS(ns, n) }
	switch t := o.Typed.(type) {
	case *corev1.Pod:
		if keep(t.Namespace) {
			s.Pods = append(s.Pods, *t)
		}
	case *appsv1.Deployment:
		if keep(t.Namespace) {
			s.Deployments = append(s.Deployments, *t)
		}
	case *appsv1.StatefulSet:
		if keep(t.Namespace) {
			s.StatefulSets = append(s.StatefulSets, *t)
		}
	case *appsv1.DaemonSet:
		s.DaemonSets = append(s.DaemonSets, *t)
	case *appsv1.ReplicaSet:
		if keep(t.Namespace) {
			s.ReplicaSets = append(s.ReplicaSets, *t)
		}
	case *autoscalingv2.HorizontalPodAutoscaler:
		if keep(t.Namespace) {
			s.HPAs = append(s.HPAs, *t)
		}
	case *policyv1.PodDisruptionBudget:
		if keep(t.Namespace) {
			s.PDBs = append(s.PDBs, *t)
		}
	case *networkingv1.NetworkPolicy:
		if keep(t.Namespace) {
			s.NetworkPolicies = append(s.NetworkPolicies, *t)
		}
	case *networkingv1.Ingress:
		if keep(t.Namespace) {
			s.Ingresses = append(s.Ingresses, *t)
		}
	case *corev1.Service:
		if keep(t.Namespace) {
			s.Services = append(s.Services, *t)
		}
	case *batchv1.Job:
		if keep(t.Namespace) {
			s.Jobs = append(s.Jobs, *t)
		}
	case *batchv1.CronJob:
		if keep(t.Namespace) {
			s.CronJobs = append(s.CronJobs, *t)
		}
	case *corev1.Node:
		s.Nodes = append(s.Nodes, *t)
	case *corev1.ResourceQuota:
		if keep(t.Namespace) {
			s.ResourceQuotas = append(s.ResourceQuotas, *t)
		}
	case *corev1.LimitRange:
		if keep(t.Namespace) {
			s.LimitRanges = append(s.LimitRanges, *t)
		}
	case *corev1.Secret:
		if keep(t.Namespace) {
			s.Secrets = append(s.Secrets, t.ObjectMeta)
		}
	}
	if o.Typed == nil && (o.Kind == "ServiceMonitor" || o.Kind == "PodMonitor") {
		if m, err := monitorFrom(o.Raw); err == nil {
			s.Monitors = append(s.Monitors, m)
		}
	}
}

// doc is one YAML document of a file and the line it starts on.
type doc struct {
	line int
	data []byte
}

// splitDocs cuts a multi-document YAML stream at its "---" lines.
func splitDocs(data []byte) []doc {
	var docs []doc
	var cur bytes.Buffer
	start, n := 1, 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 64*1024*1024)
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.HasPrefix(line, "---") && strings.TrimSpace(strings.TrimLeft(line, "-")) == "" || strings.HasPrefix(line, "--- ") {
			docs = append(docs, doc{start, append([]byte(nil), cur.Bytes()...)})
			cur.Reset()
			start = n + 1
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	return append(docs, doc{start, cur.Bytes()})
}

// ReadDump decodes the objects in one file of a dump. Documents that cannot
// be read are returned as problems naming file:line; the rest are kept.
// Secret data is dropped as soon as a Secret is decoded.
func ReadDump(file string, data []byte) ([]Object, []source.Problem) {
	var objs []Object
	var probs []source.Problem
	bad := func(line int, format string, a ...any) {
		probs = append(probs, source.Problem{Source: "cluster", File: file, Line: line, Message: fmt.Sprintf(format, a...)})
	}
	for _, d := range splitDocs(data) {
		if len(bytes.TrimSpace(d.data)) == 0 {
			continue
		}
		js, err := yaml.YAMLToJSON(d.data)
		if err != nil {
			bad(d.line, "not YAML or JSON: %v", err)
			continue
		}
		var top map[string]any
		if err := json.Unmarshal(js, &top); err != nil {
			if string(bytes.TrimSpace(js)) == "null" {
				continue
			}
			bad(d.line, "not a Kubernetes object (want a mapping with apiVersion and kind)")
			continue
		}
		if top == nil {
			continue
		}
		items := []map[string]any{top}
		if k, _ := top["kind"].(string); strings.HasSuffix(k, "List") {
			raw, ok := top["items"].([]any)
			if !ok && top["items"] != nil {
				bad(d.line, "%s: items is not a list", k)
				continue
			}
			items = items[:0]
			for i, it := range raw {
				m, ok := it.(map[string]any)
				if !ok {
					bad(d.line, "%s item %d is not an object", k, i)
					continue
				}
				items = append(items, m)
			}
		}
		for _, it := range items {
			o, err := decodeItem(it)
			if err != nil {
				bad(d.line, "%v", err)
				continue
			}
			o.File, o.Line = file, d.line
			objs = append(objs, o)
		}
	}
	return objs, probs
}

func decodeItem(it map[string]any) (Object, error) {
	u := &unstructured.Unstructured{Object: it}
	kind, apiVersion := u.GetKind(), u.GetAPIVersion()
	if kind == "" || apiVersion == "" {
		return Object{}, fmt.Errorf("object without apiVersion or kind")
	}
	if kind == "Secret" {
		// Keep the name, never the values.
		delete(it, "data")
		delete(it, "stringData")
		if md, ok := it["metadata"].(map[string]any); ok {
			if an, ok := md["annotations"].(map[string]any); ok {
				delete(an, "kubectl.kubernetes.io/last-applied-configuration")
			}
		}
	}
	o := Object{Kind: kind, Raw: u}
	gvk := u.GroupVersionKind()
	if !scheme.Scheme.Recognizes(gvk) {
		return o, nil
	}
	js, err := json.Marshal(it)
	if err != nil {
		return Object{}, fmt.Errorf("%s %s: %w", kind, u.GetName(), err)
	}
	typed, _, err := scheme.Codecs.UniversalDeserializer().Decode(js, nil, nil)
	if err != nil {
		return Object{}, fmt.Errorf("%s %s/%s: %w", kind, u.GetNamespace(), u.GetName(), err)
	}
	o.Typed = typed
	return o, nil
}

// runtimeConvert turns a decoded map into a typed value.
func runtimeConvert(in map[string]any, out any) error {
	return runtime.DefaultUnstructuredConverter.FromUnstructured(in, out)
}
