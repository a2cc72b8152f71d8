package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/tools/clientcmd"

	"golive.dev/golive/internal/source"
)

// Live reads a cluster through its API server.
type Live struct {
	Client    kubernetes.Interface
	Dynamic   dynamic.Interface  // for ServiceMonitors; nil skips them
	Metadata  metadata.Interface // for Secret names; nil skips them
	Namespace string
	Context   string
}

// FromKubeconfig builds a Live reader from a kubeconfig path (empty: the
// usual loading rules) and context. The namespace defaults to the context's.
func FromKubeconfig(path, kubeContext, ns string) (*Live, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if path != "" {
		rules.ExplicitPath = path
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubeContext})
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	if ns == "" {
		if n, _, err := cc.Namespace(); err == nil {
			ns = n
		}
	}
	if ns == "" {
		ns = "default"
	}
	cfg.Timeout = 30 * time.Second
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("dynamic client: %w", err)
	}
	md, err := metadata.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("metadata client: %w", err)
	}
	name := kubeContext
	if name == "" {
		if raw, err := cc.RawConfig(); err == nil {
			name = raw.CurrentContext
		}
	}
	return &Live{Client: cs, Dynamic: dyn, Metadata: md, Namespace: ns, Context: name}, nil
}

// Describe names the context and namespace.
func (l *Live) Describe() string {
	return fmt.Sprintf("cluster context %q namespace %s", l.Context, l.Namespace)
}

var (
	serviceMonitors = schema.GroupVersionResource{Group: "monitoring.coreos.com", Version: "v1", Resource: "servicemonitors"}
	podMonitors     = schema.GroupVersionResource{Group: "monitoring.coreos.com", Version: "v1", Resource: "podmonitors"}
	secretsGVR      = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
)

// unreachable tells a cluster that cannot be reached from one that refuses a
// single list: the first makes the whole source unverified.
func unreachable(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne) || apierrors.IsUnauthorized(err)
}

// Snapshot lists every kind the checks need. Pods must list; any other kind
// that is forbidden or absent becomes a gap.
func (l *Live) Snapshot(ctx context.Context) (*Snapshot, error) {
	s := &Snapshot{Source: l.Describe(), Namespace: l.Namespace}
	ns := l.Namespace
	o := metav1.ListOptions{}
	core, apps := l.Client.CoreV1(), l.Client.AppsV1()
	pods, err := core.Pods(ns).List(ctx, o)
	if err != nil {
		if unreachable(err) {
			return nil, source.Unreachable(Flag, fmt.Errorf("%s: %w", l.Describe(), err))
		}
		return nil, fmt.Errorf("list pods in %s: %w", ns, err)
	}
	s.Pods = pods.Items
	soft := func(kind string, err error) bool {
		if err != nil {
			s.gap(kind, err.Error())
			return false
		}
		return true
	}
	if r, err := apps.Deployments(ns).List(ctx, o); soft("Deployment", err) {
		s.Deployments = r.Items
	}
	if r, err := apps.StatefulSets(ns).List(ctx, o); soft("StatefulSet", err) {
		s.StatefulSets = r.Items
	}
	if r, err := apps.ReplicaSets(ns).List(ctx, o); soft("ReplicaSet", err) {
		s.ReplicaSets = r.Items
	}
	// Log shippers run in their own namespaces; fall back to ours when the
	// role may not list cluster-wide.
	if r, err := apps.DaemonSets(metav1.NamespaceAll).List(ctx, o); err == nil {
		s.DaemonSets = r.Items
	} else if r, err := apps.DaemonSets(ns).List(ctx, o); soft("DaemonSet", err) {
		s.DaemonSets = r.Items
	}
	if r, err := l.Client.AutoscalingV2().HorizontalPodAutoscalers(ns).List(ctx, o); soft("HorizontalPodAutoscaler", err) {
		s.HPAs = r.Items
	}
	if r, err := l.Client.PolicyV1().PodDisruptionBudgets(ns).List(ctx, o); soft("PodDisruptionBudget", err) {
		s.PDBs = r.Items
	}
	if r, err := l.Client.NetworkingV1().NetworkPolicies(ns).List(ctx, o); soft("NetworkPolicy", err) {
		s.NetworkPolicies = r.Items
	}
	if r, err := l.Client.NetworkingV1().Ingresses(ns).List(ctx, o); soft("Ingress", err) {
		s.Ingresses = r.Items
	}
	if r, err := core.Services(ns).List(ctx, o); soft("Service", err) {
		s.Services = r.Items
	}
	if r, err := l.Client.BatchV1().Jobs(ns).List(ctx, o); soft("Job", err) {
		s.Jobs = r.Items
	}
	if r, err := l.Client.BatchV1().CronJobs(ns).List(ctx, o); soft("CronJob", err) {
		s.CronJobs = r.Items
	}
	if r, err := core.Nodes().List(ctx, o); soft("Node", err) {
		s.Nodes = r.Items
	}
	if r, err := core.ResourceQuotas(ns).List(ctx, o); soft("ResourceQuota", err) {
		s.ResourceQuotas = r.Items
	}
	if r, err := core.LimitRanges(ns).List(ctx, o); soft("LimitRange", err) {
		s.LimitRanges = r.Items
	}
	if l.Metadata != nil {
		if r, err := l.Metadata.Resource(secretsGVR).Namespace(ns).List(ctx, o); soft("Secret", err) {
			for _, m := range r.Items {
				s.Secrets = append(s.Secrets, m.ObjectMeta)
			}
		}
	} else {
		s.gap("Secret", "no metadata client")
	}
	if l.Dynamic != nil {
		for _, g := range []struct {
			gvr  schema.GroupVersionResource
			kind string
		}{{serviceMonitors, "ServiceMonitor"}, {podMonitors, "PodMonitor"}} {
			r, err := l.Dynamic.Resource(g.gvr).Namespace(metav1.NamespaceAll).List(ctx, o)
			if err != nil {
				r, err = l.Dynamic.Resource(g.gvr).Namespace(ns).List(ctx, o)
			}
			if err != nil {
				if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
					continue // the CRD is not installed: there are none
				}
				s.gap(g.kind, err.Error())
				continue
			}
			for i := range r.Items {
				if m, err := monitorFrom(&r.Items[i]); err == nil {
					s.Monitors = append(s.Monitors, m)
				}
			}
		}
	} else {
		s.gap("ServiceMonitor", "no dynamic client")
	}
	s.sort()
	return s, nil
}

// monitorFrom reads the fields of a ServiceMonitor or PodMonitor the checks use.
func monitorFrom(u *unstructured.Unstructured) (Monitor, error) {
	m := Monitor{Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName(), Labels: u.GetLabels()}
	if sel, ok, _ := unstructured.NestedMap(u.Object, "spec", "selector"); ok {
		if err := runtimeConvert(sel, &m.Selector); err != nil {
			return m, fmt.Errorf("%s %s/%s spec.selector: %w", m.Kind, m.Namespace, m.Name, err)
		}
	}
	m.Namespaces, _, _ = unstructured.NestedStringSlice(u.Object, "spec", "namespaceSelector", "matchNames")
	m.Any, _, _ = unstructured.NestedBool(u.Object, "spec", "namespaceSelector", "any")
	for _, field := range []string{"endpoints", "podMetricsEndpoints"} {
		eps, _, _ := unstructured.NestedSlice(u.Object, "spec", field)
		for _, e := range eps {
			if em, ok := e.(map[string]any); ok {
				if p, ok := em["port"].(string); ok {
					m.Ports = append(m.Ports, p)
				} else if p, ok := em["targetPort"]; ok {
					m.Ports = append(m.Ports, fmt.Sprint(p))
				}
			}
		}
	}
	return m, nil
}
