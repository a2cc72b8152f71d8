// Package cluster is the live-cluster evidence source. Two inputs feed it —
// a kubeconfig (client-go) or a dump (`kubectl get ... -o yaml` output) — and
// both produce the same Snapshot, so checks never know which one they read.
package cluster

import (
	"context"
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"golive.dev/golive/internal/source"
)

// Flag names the inputs that provide this source.
const Flag = "--kubeconfig or --cluster-dump"

// Reader produces a Snapshot of the cluster: Live talks to an API server,
// Dump reads files.
type Reader interface {
	// Describe says where the objects come from, for findings.
	Describe() string
	Snapshot(ctx context.Context) (*Snapshot, error)
}

// Monitor is a Prometheus Operator ServiceMonitor or PodMonitor.
type Monitor struct {
	Kind, Namespace, Name string
	Labels                map[string]string
	// Selector selects the Services (ServiceMonitor) or Pods (PodMonitor).
	Selector metav1.LabelSelector
	// Namespaces from spec.namespaceSelector.matchNames; Any from .any.
	Namespaces []string
	Any        bool
	Ports      []string
}

// Snapshot is every object the cluster checks look at. Secrets carry only
// their metadata: their data is never read.
type Snapshot struct {
	Source    string
	Namespace string // the namespace looked at; "" for all

	Pods            []corev1.Pod
	Deployments     []appsv1.Deployment
	StatefulSets    []appsv1.StatefulSet
	DaemonSets      []appsv1.DaemonSet // every namespace: log shippers live elsewhere
	ReplicaSets     []appsv1.ReplicaSet
	HPAs            []autoscalingv2.HorizontalPodAutoscaler
	PDBs            []policyv1.PodDisruptionBudget
	NetworkPolicies []networkingv1.NetworkPolicy
	Services        []corev1.Service
	Ingresses       []networkingv1.Ingress
	Jobs            []batchv1.Job
	CronJobs        []batchv1.CronJob
	Nodes           []corev1.Node
	ResourceQuotas  []corev1.ResourceQuota
	LimitRanges     []corev1.LimitRange
	Secrets         []metav1.ObjectMeta
	Monitors        []Monitor // every namespace

	// Gaps names kinds that could not be read and why (forbidden, not in
	// the dump). A check that needs a kind listed here cannot decide.
	Gaps map[string]string
}

// Gap reports why kind could not be read, or "".
func (s *Snapshot) Gap(kind string) string { return s.Gaps[kind] }

func (s *Snapshot) gap(kind, why string) {
	if s.Gaps == nil {
		s.Gaps = map[string]string{}
	}
	s.Gaps[kind] = why
}

// From returns the run's cluster snapshot, read once.
func From(ctx context.Context, env *source.Env) (*Snapshot, error) {
	return source.Load(ctx, env, "cluster", func(ctx context.Context, in *source.Inputs) (*Snapshot, error) {
		var r Reader
		switch {
		case in.ClusterDump != "":
			r = &Dump{Path: in.ClusterDump, Namespace: in.KubeNS, Problem: env.AddProblem}
		case in.Kubeconfig != "" || in.KubeContext != "":
			l, err := FromKubeconfig(in.Kubeconfig, in.KubeContext, in.KubeNS)
			if err != nil {
				return nil, source.Unreachable(Flag, err)
			}
			r = l
		default:
			return nil, source.NotGiven(Flag, "cluster (kubeconfig or dump)")
		}
		s, err := r.Snapshot(ctx)
		if err != nil {
			if _, ok := source.AsMissing(err); ok {
				return nil, err
			}
			return nil, fmt.Errorf("read cluster from %s: %w", r.Describe(), err)
		}
		return s, nil
	})
}

// ID names an object as findings do: Kind/namespace/name.
func ID(kind string, m metav1.ObjectMeta) string { return kind + "/" + m.Namespace + "/" + m.Name }

// PodReady reports whether a pod is Running with every container ready.
func PodReady(p *corev1.Pod) bool {
	if p.Status.Phase != corev1.PodRunning {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	if len(p.Status.ContainerStatuses) == 0 {
		return false
	}
	for _, c := range p.Status.ContainerStatuses {
		if !c.Ready {
			return false
		}
	}
	return true
}

// PodsSelectedBy returns the pods in ns matched by sel.
func (s *Snapshot) PodsSelectedBy(ns string, sel labels.Selector) []*corev1.Pod {
	var out []*corev1.Pod
	for i := range s.Pods {
		p := &s.Pods[i]
		if p.Namespace == ns && sel.Matches(labels.Set(p.Labels)) {
			out = append(out, p)
		}
	}
	return out
}

// NodeByName indexes the nodes.
func (s *Snapshot) NodeByName() map[string]*corev1.Node {
	m := make(map[string]*corev1.Node, len(s.Nodes))
	for i := range s.Nodes {
		m[s.Nodes[i].Name] = &s.Nodes[i]
	}
	return m
}

// SecretExists reports whether a Secret ns/name is known.
func (s *Snapshot) SecretExists(ns, name string) bool {
	for _, m := range s.Secrets {
		if m.Namespace == ns && m.Name == name {
			return true
		}
	}
	return false
}

func (s *Snapshot) sort() {
	sort.Slice(s.Pods, func(i, j int) bool { return key(s.Pods[i].ObjectMeta) < key(s.Pods[j].ObjectMeta) })
	sort.Slice(s.Deployments, func(i, j int) bool { return key(s.Deployments[i].ObjectMeta) < key(s.Deployments[j].ObjectMeta) })
	sort.Slice(s.StatefulSets, func(i, j int) bool { return key(s.StatefulSets[i].ObjectMeta) < key(s.StatefulSets[j].ObjectMeta) })
	sort.Slice(s.Nodes, func(i, j int) bool { return s.Nodes[i].Name < s.Nodes[j].Name })
}

func key(m metav1.ObjectMeta) string { return m.Namespace + "/" + m.Name }

// inNS reports whether an object of namespace ns is kept when the user
// asked for want ("" keeps all).
func inNS(want, ns string) bool { return want == "" || strings.EqualFold(want, ns) }

// Use makes r the run's cluster reader in place of the inputs, for callers
// that build their own client (tests with a fake clientset, embedders). It
// must be called before any check reads the cluster.
func Use(ctx context.Context, env *source.Env, r Reader) (*Snapshot, error) {
	return source.Load(ctx, env, "cluster", func(ctx context.Context, _ *source.Inputs) (*Snapshot, error) {
		return r.Snapshot(ctx)
	})
}
