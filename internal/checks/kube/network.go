package kube

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"golive.dev/golive/internal/check"
	ks "golive.dev/golive/internal/source/kube"
)

var defaultAuthAnnotations = []any{
	"nginx.ingress.kubernetes.io/auth-url", "nginx.ingress.kubernetes.io/auth-type", "nginx.ingress.kubernetes.io/auth-tls-verify-client",
	"nginx.ingress.kubernetes.io/auth-signin", "alb.ingress.kubernetes.io/auth-type", "haproxy.org/auth-type", "haproxy-ingress.github.io/auth-url",
	"konghq.com/plugins", "traefik.ingress.kubernetes.io/router.middlewares", "ingress.kubernetes.io/auth-type", "appgw.ingress.kubernetes.io/appgw-trusted-root-certificate",
}

var defaultRateAnnotations = []any{
	"nginx.ingress.kubernetes.io/limit-rps", "nginx.ingress.kubernetes.io/limit-rpm", "nginx.ingress.kubernetes.io/limit-connections",
	"nginx.ingress.kubernetes.io/global-rate-limit", "haproxy.org/rate-limit-requests", "haproxy-ingress.github.io/limit-rps",
	"ingress.kubernetes.io/rate-limit", "konghq.com/plugins",
}

// rateLimitKinds are CRDs that attach rate limits to Gateway API routes or meshes.
var rateLimitKinds = []string{"BackendTrafficPolicy", "RateLimitPolicy", "SecurityPolicy", "EnvoyFilter", "RateLimit", "Middleware", "KongPlugin", "BackendConfig"}

func ingressHosts(o *ks.Object) []string {
	var hosts []string
	if in, ok := o.Typed().(*networkingv1.Ingress); ok {
		for _, r := range in.Spec.Rules {
			hosts = append(hosts, r.Host)
		}
	}
	return hosts
}

func networkChecks() []check.Check {
	return []check.Check{
		objectCheck("k8s/ingress-tls", "Ingress traffic is TLS-terminated",
			"Every Ingress has spec.tls covering each rule host (with a secretName when requireSecretName); Gateways (Gateway API and Istio) have an HTTPS/TLS listener with certificates; LoadBalancer Services (with checkLoadBalancers) carry a TLS certificate annotation.",
			[]string{"Ingress", "Gateway", "Service"}, "Ingresses, Gateways or LoadBalancer Services", []check.Param{
				{Name: "requireSecretName", Type: check.Bool, Default: true},
				{Name: "checkLoadBalancers", Type: check.Bool, Default: false},
			}, func(s *ks.Set, o *ks.Object, p check.Params) []problem {
				switch o.Kind {
				case "Ingress":
					in, ok := o.Typed().(*networkingv1.Ingress)
					if !ok {
						return []problem{prob("apiVersion", "Ingress "+o.APIVersion+" is not networking.k8s.io/v1", "found", o.APIVersion)}
					}
					if len(in.Spec.TLS) == 0 {
						return []problem{prob("spec", "Ingress has no tls section: traffic is plain HTTP", "expected", "spec.tls with hosts and secretName")}
					}
					var out []problem
					covered := map[string]bool{}
					for i, t := range in.Spec.TLS {
						if len(t.Hosts) == 0 {
							covered[""] = true
						}
						for _, h := range t.Hosts {
							covered[h] = true
						}
						if p.Bool("requireSecretName") && t.SecretName == "" {
							out = append(out, prob(fmt.Sprintf("spec.tls[%d]", i), "tls entry has no secretName", "expected", "secretName"))
						}
					}
					for i, h := range ingressHosts(o) {
						if !covered[h] && !covered[wildcardOf(h)] && !(h == "" && len(covered) > 0) {
							out = append(out, prob(fmt.Sprintf("spec.rules[%d].host", i), "host "+h+" is not covered by spec.tls", "found", h))
						}
					}
					return out
				case "Gateway":
					if strings.HasPrefix(o.APIVersion, "networking.istio.io/") {
						servers, _ := o.Get("spec.servers")
						l, _ := servers.([]any)
						for i := range l {
							if v, ok := o.Get(fmt.Sprintf("spec.servers[%d].tls.mode", i)); ok && v != "" {
								return nil
							}
						}
						return []problem{prob("spec.servers", "Istio Gateway has no server with tls", "expected", "servers[].tls")}
					}
					ls, _ := o.Get("spec.listeners")
					l, _ := ls.([]any)
					for i := range l {
						base := fmt.Sprintf("spec.listeners[%d]", i)
						proto := o.GetString(base + ".protocol")
						if proto == "HTTPS" || proto == "TLS" {
							if o.GetString(base+".tls.mode") == "Passthrough" {
								return nil
							}
							if refs, ok := o.Get(base + ".tls.certificateRefs"); ok {
								if rl, _ := refs.([]any); len(rl) > 0 || !p.Bool("requireSecretName") {
									return nil
								}
							}
						}
					}
					return []problem{prob("spec.listeners", "Gateway has no HTTPS/TLS listener with a certificate", "expected", "listener protocol HTTPS with tls.certificateRefs")}
				case "Service":
					svc, ok := o.Typed().(*corev1.Service)
					if !ok || svc.Spec.Type != corev1.ServiceTypeLoadBalancer || !p.Bool("checkLoadBalancers") {
						return nil
					}
					for k := range o.Annotations {
						if strings.Contains(k, "ssl-cert") || strings.Contains(k, "tls-cert") || strings.Contains(k, "ssl-certificate") || strings.Contains(k, "pre-shared-cert") {
							return nil
						}
					}
					return []problem{prob("metadata.annotations", "LoadBalancer Service has no TLS certificate annotation", "expected", "e.g. service.beta.kubernetes.io/aws-load-balancer-ssl-cert")}
				}
				return nil
			}),
		objectCheck("k8s/ingress-auth", "Ingresses require authentication",
			"Each Ingress carries an authentication annotation (external auth URL, basic auth, client-certificate verification, ALB/OIDC) or routes to an oauth2-proxy.",
			[]string{"Ingress"}, "Ingresses", []check.Param{{Name: "annotations", Type: check.Strings, Default: defaultAuthAnnotations}},
			func(s *ks.Set, o *ks.Object, p check.Params) []problem {
				for _, a := range p.Strings("annotations") {
					if o.Annotations[a] != "" {
						return nil
					}
				}
				for _, b := range ingressBackends(o) {
					if strings.Contains(b, "oauth2-proxy") || strings.Contains(b, "oauth-proxy") {
						return nil
					}
				}
				return []problem{prob("metadata.annotations", "Ingress has no authentication annotation and does not route through an OAuth2 proxy", "expected", "an auth annotation (e.g. nginx.ingress.kubernetes.io/auth-url)")}
			}),
		check.Check{ID: "k8s/ingress-rate-limit", Title: "Ingress traffic is rate-limited",
			Description: "Each Ingress carries a rate-limit annotation; Gateway API routes count when a rate-limit policy object (Envoy Gateway BackendTrafficPolicy, Kuadrant RateLimitPolicy, Istio EnvoyFilter, Traefik Middleware, ...) is among the objects.",
			Needs:       []check.Input{check.K8s}, Params: []check.Param{{Name: "annotations", Type: check.Strings, Default: defaultRateAnnotations}},
			Run: runRateLimit},
		objectCheck("k8s/ingress-targets-service", "Ingress backends exist",
			"Every Ingress backend names a Service among the objects (kube-score ingress-targets-service).",
			[]string{"Ingress"}, "Ingresses", nil, func(s *ks.Set, o *ks.Object, p check.Params) []problem {
				var out []problem
				for _, b := range ingressBackends(o) {
					if s.Lookup("Service", s.Namespace(o), b) == nil {
						out = append(out, prob("spec.rules", "backend Service "+b+" is not among the objects", "found", b))
					}
				}
				return out
			}),
		objectCheck("k8s/service-targets-pods", "Services select running pods",
			"A Service with a selector selects the pods of some workload. Services without a selector (backed by Endpoints or EndpointSlices) and ExternalName Services are not judged.",
			[]string{"Service"}, "Services", nil, func(s *ks.Set, o *ks.Object, p check.Params) []problem {
				svc, ok := o.Typed().(*corev1.Service)
				if !ok || len(svc.Spec.Selector) == 0 || svc.Spec.Type == corev1.ServiceTypeExternalName {
					return nil
				}
				for _, w := range s.PodsSelectedBy(o, &metav1.LabelSelector{MatchLabels: svc.Spec.Selector}) {
					return checkTargetPorts(svc, w)
				}
				return []problem{prob("spec.selector", "Service selects no pod of any workload", "found", svc.Spec.Selector)}
			}),
		objectCheck("k8s/service-type", "Services are not exposed as NodePort",
			"Service type is not one of forbidden (kube-score service-type).",
			[]string{"Service"}, "Services", []check.Param{{Name: "forbidden", Type: check.Strings, Default: []any{"NodePort"}}},
			func(s *ks.Set, o *ks.Object, p check.Params) []problem {
				t := o.GetString("spec.type")
				for _, f := range p.Strings("forbidden") {
					if t == f {
						return []problem{prob("spec.type", "Service type "+t, "found", t)}
					}
				}
				return nil
			}),
		workloadCheck("k8s/network-policy", "A NetworkPolicy restricts the workload's traffic",
			"At least one NetworkPolicy selects the pods (an empty podSelector selects the whole namespace; Cilium and Calico policies count with acceptCRD); with requireIngress/requireEgress the policies cover those directions; with forbidAllowAll no rule admits every peer (a rule without from/to, or 0.0.0.0/0).",
			longRunning, []check.Param{
				{Name: "requireIngress", Type: check.Bool, Default: true},
				{Name: "requireEgress", Type: check.Bool, Default: false},
				{Name: "forbidAllowAll", Type: check.Bool, Default: false},
				{Name: "acceptCRD", Type: check.Bool, Default: true},
			}, checkNetworkPolicy),
		check.Check{ID: "k8s/default-deny-network-policy", Title: "Namespaces deny traffic by default",
			Description: "Every namespace with workloads has a NetworkPolicy with an empty podSelector and no rules for Ingress (and Egress with requireEgress): all traffic is denied unless another policy allows it.",
			Needs:       []check.Input{check.K8s}, Params: []check.Param{{Name: "requireEgress", Type: check.Bool, Default: false}},
			Run: runDefaultDeny},
		objectCheck("k8s/networkpolicy-targets-pods", "NetworkPolicies select pods",
			"A NetworkPolicy with a non-empty podSelector selects some workload's pods (an empty one is a namespace-wide policy and always applies).",
			[]string{"NetworkPolicy"}, "NetworkPolicies", nil, func(s *ks.Set, o *ks.Object, p check.Params) []problem {
				sel, ok := ks.LabelSelectorAt(o, "spec.podSelector")
				if !ok || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0) {
					return nil
				}
				if len(s.PodsSelectedBy(o, sel)) == 0 {
					return []problem{prob("spec.podSelector", "podSelector selects no workload's pods", "found", sel.String())}
				}
				return nil
			}),
		objectCheck("k8s/hpa-targets", "Autoscalers target existing workloads",
			"Each HorizontalPodAutoscaler's scaleTargetRef names a workload among the objects (kube-linter dangling-horizontalpodautoscaler).",
			[]string{"HorizontalPodAutoscaler"}, "HorizontalPodAutoscalers", nil, func(s *ks.Set, o *ks.Object, p check.Params) []problem {
				kind, name := o.GetString("spec.scaleTargetRef.kind"), o.GetString("spec.scaleTargetRef.name")
				if s.Lookup(kind, s.Namespace(o), name) != nil {
					return nil
				}
				return []problem{prob("spec.scaleTargetRef", "scale target "+kind+"/"+name+" is not among the objects", "found", kind+"/"+name)}
			}),
		objectCheck("k8s/pdb-targets", "PodDisruptionBudgets select pods",
			"Each PodDisruptionBudget selects some workload's pods.",
			[]string{"PodDisruptionBudget"}, "PodDisruptionBudgets", nil, func(s *ks.Set, o *ks.Object, p check.Params) []problem {
				sel, ok := ks.LabelSelectorAt(o, "spec.selector")
				if !ok || len(s.PodsSelectedBy(o, sel)) == 0 {
					return []problem{prob("spec.selector", "selector matches no workload's pods")}
				}
				return nil
			}),
		objectCheck("k8s/servicemonitor-targets", "ServiceMonitors select Services",
			"Each ServiceMonitor selects a Service among the objects, and each endpoint port names one of its ports (kube-linter dangling-servicemonitor).",
			[]string{"ServiceMonitor"}, "ServiceMonitors", nil, func(s *ks.Set, o *ks.Object, p check.Params) []problem {
				sel := s.Selector(o)
				if sel == nil {
					return []problem{prob("spec", "ServiceMonitor has no valid selector")}
				}
				for _, svc := range servicesWithLabels(s, o) {
					if sel.Matches(labels.Set(svc.Labels)) {
						return nil
					}
				}
				return []problem{prob("spec.selector", "selects no Service among the objects", "found", sel.String())}
			}),
		workloadCheck("k8s/service-monitor", "Prometheus Operator scrapes the workload's metrics port",
			"A ServiceMonitor (through a Service selecting the pods) or a PodMonitor selects the workload and names its metrics port; port, when given, must be that port's name or number.",
			longRunning, []check.Param{{Name: "port", Type: check.String, Description: "metrics port name or number, e.g. metrics or 9100"}},
			checkServiceMonitor),
	}
}

func wildcardOf(h string) string {
	if i := strings.Index(h, "."); i > 0 {
		return "*" + h[i:]
	}
	return h
}

func ingressBackends(o *ks.Object) []string {
	in, ok := o.Typed().(*networkingv1.Ingress)
	if !ok {
		return nil
	}
	var out []string
	if b := in.Spec.DefaultBackend; b != nil && b.Service != nil {
		out = append(out, b.Service.Name)
	}
	for _, r := range in.Spec.Rules {
		if r.HTTP == nil {
			continue
		}
		for _, pth := range r.HTTP.Paths {
			if pth.Backend.Service != nil {
				out = append(out, pth.Backend.Service.Name)
			}
		}
	}
	return out
}

// checkTargetPorts: named targetPorts must exist on the selected pods
// (kube-linter invalid-target-ports).
func checkTargetPorts(svc *corev1.Service, w *ks.Workload) []problem {
	var out []problem
	for i, sp := range svc.Spec.Ports {
		if sp.TargetPort.StrVal == "" {
			continue
		}
		found := false
		for _, c := range w.Template.Spec.Containers {
			for _, cp := range c.Ports {
				if cp.Name == sp.TargetPort.StrVal {
					found = true
				}
			}
		}
		if !found {
			out = append(out, prob(fmt.Sprintf("spec.ports[%d].targetPort", i), "targetPort "+sp.TargetPort.StrVal+" is not a port name of "+w.Kind+" "+w.Name, "found", sp.TargetPort.StrVal))
		}
	}
	return out
}

func policyTypes(o *ks.Object) (ingress, egress bool) {
	np, ok := o.Typed().(*networkingv1.NetworkPolicy)
	if !ok {
		return false, false
	}
	if len(np.Spec.PolicyTypes) == 0 {
		return true, len(np.Spec.Egress) > 0
	}
	for _, t := range np.Spec.PolicyTypes {
		ingress = ingress || t == networkingv1.PolicyTypeIngress
		egress = egress || t == networkingv1.PolicyTypeEgress
	}
	return
}

func allowAll(o *ks.Object) (string, bool) {
	np, ok := o.Typed().(*networkingv1.NetworkPolicy)
	if !ok {
		return "", false
	}
	open := func(peers []networkingv1.NetworkPolicyPeer) bool {
		if len(peers) == 0 {
			return true
		}
		for _, p := range peers {
			if p.IPBlock != nil && (p.IPBlock.CIDR == "0.0.0.0/0" || p.IPBlock.CIDR == "::/0") && len(p.IPBlock.Except) == 0 {
				return true
			}
		}
		return false
	}
	for i, r := range np.Spec.Ingress {
		if open(r.From) {
			return fmt.Sprintf("spec.ingress[%d]", i), true
		}
	}
	for i, r := range np.Spec.Egress {
		if open(r.To) {
			return fmt.Sprintf("spec.egress[%d]", i), true
		}
	}
	return "", false
}

func checkNetworkPolicy(s *ks.Set, w *ks.Workload, p check.Params) []problem {
	nps := s.NetworkPoliciesFor(w)
	crd := 0
	if p.Bool("acceptCRD") {
		idx := crdPolicies(s)
		ns := s.Namespace(w.Object)
		for _, cp := range append(idx.cilium[ns], idx.cilium[clusterwide]...) {
			if cp.sel.Matches(labels.Set(w.Template.Labels)) {
				crd++
			}
		}
		crd += idx.calico[ns] // Calico selectors are expressions; any policy in the namespace counts
	}
	if len(nps) == 0 && crd == 0 {
		return []problem{prob(w.TemplatePath+".metadata.labels", "no NetworkPolicy selects this workload's pods: all traffic is allowed", "expected", "a NetworkPolicy selecting the pods")}
	}
	if crd > 0 && len(nps) == 0 {
		return nil
	}
	var in, eg bool
	var out []problem
	for _, np := range nps {
		i, e := policyTypes(np)
		in, eg = in || i, eg || e
		if p.Bool("forbidAllowAll") {
			if path, open := allowAll(np); open {
				pr := prob(path, "NetworkPolicy "+np.Name+" has a rule that admits every peer", "found", "a rule without peers or 0.0.0.0/0")
				pr.at = np
				out = append(out, pr)
			}
		}
	}
	if p.Bool("requireIngress") && !in {
		out = append(out, prob(w.TemplatePath+".metadata.labels", "no NetworkPolicy restricts ingress to these pods", "expected", "policyTypes: [Ingress]"))
	}
	if p.Bool("requireEgress") && !eg {
		out = append(out, prob(w.TemplatePath+".metadata.labels", "no NetworkPolicy restricts egress from these pods", "expected", "policyTypes: [Egress]"))
	}
	return out
}

func checkServiceMonitor(s *ks.Set, w *ks.Workload, p check.Params) []problem {
	mons := s.MonitorsFor(w)
	if len(mons) == 0 {
		return []problem{prob(w.TemplatePath+".metadata.labels", "no ServiceMonitor or PodMonitor selects this workload", "expected", "a ServiceMonitor selecting its Service")}
	}
	want := p.String("port")
	var seen []string
	for _, m := range mons {
		list := "spec.endpoints"
		if m.Kind == "PodMonitor" {
			list = "spec.podMetricsEndpoints"
		}
		eps, _ := m.Get(list)
		l, _ := eps.([]any)
		for i := range l {
			port := m.GetString(fmt.Sprintf("%s[%d].port", list, i))
			if port == "" {
				if v, ok := m.Get(fmt.Sprintf("%s[%d].targetPort", list, i)); ok {
					port = fmt.Sprint(v)
				}
			}
			seen = append(seen, port)
			if port == "" {
				continue
			}
			if m.Kind == "ServiceMonitor" && !servicePortExists(s, w, port) {
				continue
			}
			if want == "" || port == want || portNumber(s, w, port) == want {
				return nil
			}
		}
	}
	m := mons[0]
	pr := prob("spec.endpoints", fmt.Sprintf("%s %s does not scrape the metrics port %s", m.Kind, m.Name, want), "found", seen, "expected", want)
	pr.at = m
	return []problem{pr}
}

func servicePortExists(s *ks.Set, w *ks.Workload, port string) bool {
	for _, svc := range s.ServicesFor(w) {
		if t, ok := svc.Typed().(*corev1.Service); ok {
			for _, sp := range t.Spec.Ports {
				if sp.Name == port || fmt.Sprint(sp.Port) == port || sp.TargetPort.String() == port {
					return true
				}
			}
		}
	}
	return false
}

// portNumber resolves a port name to the container port number.
func portNumber(s *ks.Set, w *ks.Workload, port string) string {
	for _, svc := range s.ServicesFor(w) {
		if t, ok := svc.Typed().(*corev1.Service); ok {
			for _, sp := range t.Spec.Ports {
				if sp.Name == port {
					if sp.TargetPort.IntVal != 0 {
						return fmt.Sprint(sp.TargetPort.IntVal)
					}
					port = sp.TargetPort.StrVal
				}
			}
		}
	}
	for _, c := range w.Template.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == port {
				return fmt.Sprint(cp.ContainerPort)
			}
		}
	}
	return port
}

// servicesWithLabels narrows the Services a monitor's selector can match to
// those carrying one of its matchLabels pairs (all Services when it has
// none), so that many monitors over many Services stay linear.
func servicesWithLabels(s *ks.Set, monitor *ks.Object) []*ks.Object {
	ls, ok := ks.LabelSelectorAt(monitor, "spec.selector")
	if !ok || len(ls.MatchLabels) == 0 {
		return s.Kind("Service")
	}
	byPair := s.Memo("kube/services-by-label", func() any {
		m := map[string][]*ks.Object{}
		for _, svc := range s.Kind("Service") {
			for k, v := range svc.Labels {
				m[k+"="+v] = append(m[k+"="+v], svc)
			}
		}
		return m
	}).(map[string][]*ks.Object)
	for k, v := range ls.MatchLabels {
		return byPair[k+"="+v] // any pair will do: a match must carry them all
	}
	return nil
}

// clusterwide is the crdPolicies key of CiliumClusterwideNetworkPolicies.
const clusterwide = "\x00clusterwide"

type ciliumPolicy struct{ sel labels.Selector }

type crdPolicyIndex struct {
	cilium map[string][]ciliumPolicy // namespace (or clusterwide) -> endpoint selectors
	calico map[string]int            // namespace -> Calico NetworkPolicies
}

// crdPolicies groups the CRD-based network policies once per run.
func crdPolicies(s *ks.Set) *crdPolicyIndex {
	return s.Memo("kube/crd-network-policies", func() any {
		idx := &crdPolicyIndex{cilium: map[string][]ciliumPolicy{}, calico: map[string]int{}}
		for _, o := range s.Kind("CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy") {
			ls, ok := ks.LabelSelectorAt(o, "spec.endpointSelector")
			if !ok {
				continue
			}
			sel, err := metav1.LabelSelectorAsSelector(ls)
			if err != nil || ls == nil {
				continue
			}
			key := s.Namespace(o)
			if o.Kind != "CiliumNetworkPolicy" {
				key = clusterwide
			}
			idx.cilium[key] = append(idx.cilium[key], ciliumPolicy{sel})
		}
		for _, o := range s.Kind("NetworkPolicy") {
			if strings.Contains(o.APIVersion, "projectcalico.org") {
				idx.calico[s.Namespace(o)]++
			}
		}
		return idx
	}).(*crdPolicyIndex)
}
