package kube

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	ks "golive.dev/golive/internal/source/kube"
	"golive.dev/golive/internal/verdict"
)

// runner wraps a whole-set check.
func runner(f func(s *ks.Set, p check.Params, id string) []verdict.Finding, id string) check.RunFunc {
	return func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
		s, err := ks.From(ctx, env)
		if err != nil {
			return nil, err
		}
		return f(s, p, id), nil
	}
}

func runRateLimit(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	return runner(func(s *ks.Set, p check.Params, id string) []verdict.Finding {
		var policies []string
		for _, o := range s.Kind(rateLimitKinds...) {
			if o.Kind == "EnvoyFilter" || o.Kind == "Middleware" || o.Kind == "KongPlugin" || o.Kind == "BackendTrafficPolicy" || o.Kind == "BackendConfig" || o.Kind == "SecurityPolicy" {
				// these kinds do many things; only the ones limiting rates count
				if !strings.Contains(strings.ToLower(fmt.Sprint(field(o, "spec"))), "ratelimit") && !strings.Contains(strings.ToLower(fmt.Sprint(field(o, "spec"))), "rate-limit") && !strings.Contains(strings.ToLower(fmt.Sprint(field(o, "plugin"))), "rate-limit") {
					continue
				}
			}
			policies = append(policies, objectID(s, o))
		}
		targets := s.Kind("Ingress", "HTTPRoute", "GRPCRoute")
		probs := map[*ks.Object][]problem{}
		for _, o := range targets {
			if o.Kind != "Ingress" {
				if len(policies) == 0 {
					probs[o] = []problem{prob("spec", o.Kind+" has no rate-limit policy among the objects", "expected", "e.g. BackendTrafficPolicy with rateLimit")}
				}
				continue
			}
			ok := false
			for _, a := range p.Strings("annotations") {
				if o.Annotations[a] != "" && (a != "konghq.com/plugins" || strings.Contains(o.Annotations[a], "rate")) &&
					(a != "traefik.ingress.kubernetes.io/router.middlewares" || strings.Contains(o.Annotations[a], "rate")) {
					ok = true
				}
			}
			if !ok && len(policies) == 0 {
				probs[o] = []problem{prob("metadata.annotations", "Ingress has no rate-limit annotation", "expected", "e.g. nginx.ingress.kubernetes.io/limit-rps")}
			}
		}
		return verdicts(id, s, targets, probs, "Ingresses or routes")
	}, "k8s/ingress-rate-limit")(ctx, env, p)
}

// namespacesOf lists the namespaces the (optionally filtered) workloads run in.
func namespacesOf(s *ks.Set, p check.Params) (map[string]*ks.Object, error) {
	ws, err := pick(s, p)
	if err != nil {
		return nil, err
	}
	out := map[string]*ks.Object{}
	for _, w := range ws {
		ns := s.Namespace(w.Object)
		if _, ok := out[ns]; !ok {
			out[ns] = w.Object
		}
	}
	return out, nil
}

// perNamespace judges each namespace that runs workloads.
func perNamespace(id string, params []check.Param, judge func(s *ks.Set, ns string, p check.Params) (*ks.Object, []problem)) check.RunFunc {
	return func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
		s, err := ks.From(ctx, env)
		if err != nil {
			return nil, err
		}
		nss, err := namespacesOf(s, p)
		if err != nil {
			return nil, err
		}
		if len(nss) == 0 {
			return []verdict.Finding{{Check: id, Status: verdict.NA, Message: "no workload found, so no namespace to judge"}}, nil
		}
		var out []verdict.Finding
		var passed []string
		for _, ns := range sortedKeys(nss) {
			obj, probs := judge(s, ns, p)
			if obj == nil {
				obj = nss[ns]
			}
			for _, pr := range probs {
				f := finding(id, verdict.Fail, s, obj, pr)
				if pr.path == "-" {
					f.Line = obj.Line
				}
				out = append(out, f)
			}
			if len(probs) == 0 {
				passed = append(passed, nsName(ns))
			}
		}
		if len(out) == 0 {
			out = append(out, verdict.Finding{Check: id, Status: verdict.Pass, Message: "namespaces " + strings.Join(passed, ", ") + " pass", Evidence: map[string]any{"namespaces": passed}})
		}
		return out, nil
	}
}

func nsName(ns string) string {
	if ns == "" {
		return "(unset)"
	}
	return ns
}

func runDefaultDeny(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	return perNamespace("k8s/default-deny-network-policy", nil, func(s *ks.Set, ns string, p check.Params) (*ks.Object, []problem) {
		var in, eg bool
		for _, o := range s.Kind("NetworkPolicy") {
			if s.Namespace(o) != ns {
				continue
			}
			sel, ok := ks.LabelSelectorAt(o, "spec.podSelector")
			if ok && (len(sel.MatchLabels) > 0 || len(sel.MatchExpressions) > 0) {
				continue
			}
			i, e := policyTypes(o)
			ing, _ := o.Get("spec.ingress")
			egr, _ := o.Get("spec.egress")
			if l, _ := ing.([]any); i && len(l) == 0 {
				in = true
			}
			if l, _ := egr.([]any); e && len(l) == 0 {
				eg = true
			}
		}
		var out []problem
		if !in {
			out = append(out, prob("-", "namespace "+nsName(ns)+" has no default-deny ingress NetworkPolicy", "expected", "podSelector: {} with policyTypes [Ingress] and no rules"))
		}
		if p.Bool("requireEgress") && !eg {
			out = append(out, prob("-", "namespace "+nsName(ns)+" has no default-deny egress NetworkPolicy", "expected", "podSelector: {} with policyTypes [Egress] and no rules"))
		}
		return nil, out
	})(ctx, env, p)
}

var quantityKeys = regexp.MustCompile(`^(default|defaultRequest|max|min|maxLimitRequestRatio)\.(cpu|memory|ephemeral-storage)$`)

func limitRangeCheck() check.Check {
	params := append(append([]check.Param{}, selectorParams...), kindsParam(allWorkloads...),
		check.Param{Name: "require", Type: check.Strings, Default: []any{"default", "defaultRequest", "max"}, Description: "sections of the Container limit that must be set"},
		check.Param{Name: "values", Type: check.Map, Description: "expected values, e.g. {default.memory: 512Mi, max.cpu: 2000m}"})
	id := "k8s/limit-range"
	return check.Check{ID: id, Title: "Namespaces have a LimitRange with container defaults and maximums",
		Description: "Every namespace that runs workloads has a LimitRange with a Container limit setting the required sections (default, defaultRequest, max) with the expected values when given.",
		Needs:       []check.Input{check.K8s}, Params: params,
		Run: perNamespace(id, params, func(s *ks.Set, ns string, p check.Params) (*ks.Object, []problem) {
			for _, o := range s.Kind("LimitRange") {
				if s.Namespace(o) != ns {
					continue
				}
				lr, _ := o.Typed().(*corev1.LimitRange)
				if lr == nil {
					continue
				}
				for i, l := range lr.Spec.Limits {
					if l.Type != corev1.LimitTypeContainer {
						continue
					}
					base := fmt.Sprintf("spec.limits[%d]", i)
					sections := map[string]corev1.ResourceList{"default": l.Default, "defaultRequest": l.DefaultRequest, "max": l.Max, "min": l.Min, "maxLimitRequestRatio": l.MaxLimitRequestRatio}
					var out []problem
					for _, r := range p.Strings("require") {
						if len(sections[r]) == 0 {
							out = append(out, prob(base, "LimitRange "+o.Name+" Container limit has no "+r, "expected", r))
						}
					}
					for _, k := range sortedKeys(p.Map("values")) {
						out = append(out, compareQuantity(o, base, k, sections, p.Map("values")[k])...)
					}
					return o, out
				}
			}
			return nil, []problem{prob("-", "namespace "+nsName(ns)+" has no LimitRange of type Container", "expected", "a LimitRange")}
		})}
}

func compareQuantity(o *ks.Object, base, key string, sections map[string]corev1.ResourceList, want any) []problem {
	if !quantityKeys.MatchString(key) {
		return []problem{prob(base, "unknown values key "+key+" (want section.resource, e.g. max.cpu)")}
	}
	sec, res, _ := strings.Cut(key, ".")
	w, err := resource.ParseQuantity(fmt.Sprint(want))
	if err != nil {
		return []problem{prob(base, fmt.Sprintf("values %s: %v", key, err))}
	}
	got, ok := sections[sec][corev1.ResourceName(res)]
	if !ok {
		return []problem{prob(base+"."+sec, o.Kind+" "+o.Name+" does not set "+key, "expected", w.String())}
	}
	if got.Cmp(w) != 0 {
		return []problem{prob(base+"."+sec+"."+res, fmt.Sprintf("%s %s %s is %s, want %s", o.Kind, o.Name, key, got.String(), w.String()), "found", got.String(), "expected", w.String())}
	}
	return nil
}

func resourceQuotaCheck() check.Check {
	params := append(append([]check.Param{}, selectorParams...), kindsParam(allWorkloads...),
		check.Param{Name: "hard", Type: check.Strings, Default: []any{"requests.cpu", "requests.memory", "limits.cpu", "limits.memory"}, Description: "resources the quota must bound"},
		check.Param{Name: "values", Type: check.Map, Description: "expected hard values, e.g. {requests.cpu: 4, persistentvolumeclaims: 4}"})
	id := "k8s/resource-quota"
	return check.Check{ID: id, Title: "Namespaces have a ResourceQuota",
		Description: "Every namespace that runs workloads has a ResourceQuota whose hard limits include the listed resources, with the expected values when given.",
		Needs:       []check.Input{check.K8s}, Params: params,
		Run: perNamespace(id, params, func(s *ks.Set, ns string, p check.Params) (*ks.Object, []problem) {
			hard := corev1.ResourceList{}
			var first *ks.Object
			for _, o := range s.Kind("ResourceQuota") {
				if rq, ok := o.Typed().(*corev1.ResourceQuota); ok && s.Namespace(o) == ns {
					if first == nil {
						first = o
					}
					for k, v := range rq.Spec.Hard {
						hard[k] = v
					}
				}
			}
			if first == nil {
				return nil, []problem{prob("-", "namespace "+nsName(ns)+" has no ResourceQuota", "expected", "a ResourceQuota")}
			}
			var out []problem
			for _, h := range p.Strings("hard") {
				if _, ok := hard[corev1.ResourceName(h)]; !ok {
					out = append(out, prob("spec.hard", "ResourceQuota does not bound "+h, "expected", h))
				}
			}
			for _, k := range sortedKeys(p.Map("values")) {
				w, err := resource.ParseQuantity(fmt.Sprint(p.Map("values")[k]))
				if err != nil {
					out = append(out, prob("spec.hard", fmt.Sprintf("values %s: %v", k, err)))
					continue
				}
				got, ok := hard[corev1.ResourceName(k)]
				if !ok || got.Cmp(w) != 0 {
					out = append(out, prob(`spec.hard["`+k+`"]`, fmt.Sprintf("ResourceQuota %s is %s, want %s", k, got.String(), w.String()), "found", got.String(), "expected", w.String()))
				}
			}
			return first, out
		})}
}

var (
	backupPattern = `(?i)backup|dump|snapshot|barman|pgbackrest|velero|restic|wal-g`
	verifyPattern = `(?i)restore|verify|validat|check-backup|backup-check`
	retentionRe   = regexp.MustCompile(`(?i)retention|retain|keep[-_]?(last|daily|days|n)|ttl|--days|max[-_]?age|expire|prune`)
)

func backupCheck() check.Check {
	id := "k8s/backup-schedule"
	return check.Check{ID: id, Title: "Backups are scheduled (with retention and verification when asked)",
		Description: "A backup schedule exists among the objects: a Velero Schedule, a CloudNativePG ScheduledBackup, a K8up/Stash schedule, or a CronJob whose name, image or command matches pattern. With requireRetention the schedule sets a retention (Velero ttl, CNPG retentionPolicy, or retention flags/env in the job); with requireVerification a scheduled job restores or verifies backups.",
		Needs:       []check.Input{check.K8s},
		Params: []check.Param{
			{Name: "pattern", Type: check.String, Default: backupPattern},
			{Name: "requireRetention", Type: check.Bool, Default: false},
			{Name: "requireVerification", Type: check.Bool, Default: false},
			{Name: "verifyPattern", Type: check.String, Default: verifyPattern},
		},
		Run: runner(func(s *ks.Set, p check.Params, id string) []verdict.Finding {
			re, err := compileRe(s, p.String("pattern"))
			vre, err2 := compileRe(s, p.String("verifyPattern"))
			if err != nil || err2 != nil {
				return []verdict.Finding{{Check: id, Status: verdict.Error, Message: "bad pattern parameter"}}
			}
			type sched struct {
				o         *ks.Object
				retention bool
			}
			var scheds []sched
			for _, o := range s.Kind("Schedule", "ScheduledBackup", "BackupConfiguration", "BackupSchedule") {
				ret := false
				switch o.Kind {
				case "Schedule":
					if !strings.HasPrefix(o.APIVersion, "velero.io/") && !strings.Contains(o.APIVersion, "k8up") {
						continue
					}
					_, ret = o.Get("spec.template.ttl")
					if !ret {
						_, ret = o.Get("spec.keepJobs")
						_, r2 := o.Get("spec.prune.retention")
						ret = ret || r2
					}
				case "ScheduledBackup":
					cluster := o.GetString("spec.cluster.name")
					for _, c := range s.Kind("Cluster") {
						if c.Name == cluster && c.GetString("spec.backup.retentionPolicy") != "" {
							ret = true
						}
					}
				default:
					_, ret = o.Get("spec.retentionPolicy")
				}
				scheds = append(scheds, sched{o, ret})
			}
			var verifiers []*ks.Object
			for _, w := range s.Workloads() {
				if w.Kind != "CronJob" {
					continue
				}
				text := jobText(w)
				if vre.MatchString(text) {
					verifiers = append(verifiers, w.Object)
				}
				if re.MatchString(text) {
					scheds = append(scheds, sched{w.Object, retentionRe.MatchString(text)})
				}
			}
			if len(scheds) == 0 {
				return []verdict.Finding{{Check: id, Status: verdict.Fail, Message: "no backup schedule (Velero Schedule, CNPG ScheduledBackup or backup CronJob) among the objects", Evidence: map[string]any{"expected": "a scheduled backup", "kinds": s.Kinds()}}}
			}
			var out []verdict.Finding
			best := scheds[0]
			for _, sc := range scheds {
				if sc.retention {
					best = sc
				}
			}
			if p.Bool("requireRetention") && !best.retention {
				out = append(out, finding(id, verdict.Fail, s, best.o, prob("spec", "backup schedule sets no retention", "expected", "ttl / retentionPolicy / retention flag")))
			}
			if p.Bool("requireVerification") && len(verifiers) == 0 {
				out = append(out, finding(id, verdict.Fail, s, best.o, prob("spec", "no scheduled job restores or verifies the backups", "expected", "a CronJob matching "+p.String("verifyPattern"))))
			}
			if len(out) == 0 {
				f := finding(id, verdict.Pass, s, best.o, prob("spec", objectID(s, best.o)+" schedules backups"))
				if v, ok := best.o.Get("spec.schedule"); ok {
					f.Evidence = map[string]any{"schedule": v}
				}
				out = append(out, f)
			}
			return out
		}, id)}
}

// jobText is what a CronJob is about: its name, images, commands, args, env.
func jobText(w *ks.Workload) string {
	var b strings.Builder
	b.WriteString(w.Name)
	for _, c := range containersOf(w, true) {
		b.WriteString(" " + c.c.Name + " " + c.c.Image + " " + strings.Join(c.c.Command, " ") + " " + strings.Join(c.c.Args, " "))
		for _, e := range c.c.Env {
			b.WriteString(" " + e.Name + "=" + e.Value)
		}
	}
	return b.String()
}

func scheduledJobCheck() check.Check {
	id := "k8s/scheduled-job"
	return check.Check{ID: id, Title: "A scheduled job does the named task",
		Description: "A CronJob whose name, image, command, args or env match pattern exists (e.g. a log purge, a certificate rotation).",
		Needs:       []check.Input{check.K8s}, Params: []check.Param{{Name: "pattern", Type: check.String, Required: true}},
		Run: runner(func(s *ks.Set, p check.Params, id string) []verdict.Finding {
			re, err := compileRe(s, p.String("pattern"))
			if err != nil {
				return []verdict.Finding{{Check: id, Status: verdict.Error, Message: "pattern: " + err.Error()}}
			}
			for _, w := range s.Workloads() {
				if w.Kind == "CronJob" && re.MatchString(jobText(w)) {
					f := finding(id, verdict.Pass, s, w.Object, prob("spec.schedule", "CronJob "+w.Name+" matches "+p.String("pattern")))
					f.Evidence = map[string]any{"schedule": w.GetString("spec.schedule")}
					return []verdict.Finding{f}
				}
			}
			return []verdict.Finding{{Check: id, Status: verdict.Fail, Message: "no CronJob matches " + p.String("pattern")}}
		}, id)}
}

func imagePolicyCheck() check.Check {
	id := "k8s/image-policy"
	return check.Check{ID: id, Title: "An admission policy verifies image signatures",
		Description: "A Kyverno (Cluster)Policy with verifyImages rules, a Sigstore ClusterImagePolicy, a Connaisseur or Ratify policy, or a Gatekeeper constraint about image signatures is among the objects.",
		Needs:       []check.Input{check.K8s},
		Run: runner(func(s *ks.Set, p check.Params, id string) []verdict.Finding {
			for _, o := range s.Kind("ClusterPolicy", "Policy") {
				if strings.Contains(o.APIVersion, "kyverno.io") && strings.Contains(fmt.Sprint(field(o, "spec")), "verifyImages") {
					return []verdict.Finding{finding(id, verdict.Pass, s, o, prob("spec", "Kyverno "+o.Kind+" "+o.Name+" verifies images"))}
				}
			}
			for _, o := range s.Kind("ClusterImagePolicy", "ImagePolicy", "ImageVerificationPolicy", "Verifier") {
				return []verdict.Finding{finding(id, verdict.Pass, s, o, prob("spec", o.Kind+" "+o.Name+" verifies images"))}
			}
			return []verdict.Finding{{Check: id, Status: verdict.Fail, Message: "no image-verification admission policy among the objects", Evidence: map[string]any{"expected": "Kyverno verifyImages or Sigstore ClusterImagePolicy"}}}
		}, id)}
}

func rbacChecks() []check.Check {
	return []check.Check{
		objectCheck("k8s/rbac-cluster-admin", "Nothing is bound to cluster-admin",
			"No RoleBinding or ClusterRoleBinding grants the cluster-admin ClusterRole (Polaris clusterrolebindingClusterAdmin, kube-linter cluster-admin-role-binding).",
			[]string{"ClusterRoleBinding", "RoleBinding"}, "role bindings", nil, func(s *ks.Set, o *ks.Object, p check.Params) []problem {
				if o.GetString("roleRef.name") == "cluster-admin" {
					return []problem{prob("roleRef.name", o.Kind+" "+o.Name+" grants cluster-admin", "found", "cluster-admin", "subjects", subjects(o))}
				}
				return nil
			}),
		objectCheck("k8s/rbac-least-privilege", "Roles grant least privilege",
			"Roles and ClusterRoles (system: roles and aggregated roles aside) grant no wildcard verbs, resources or API groups, no pods/exec or pods/attach, no escalate/bind/impersonate; optionally no access to secrets and no pod creation (forbid lists which of: wildcard, exec, escalate, secrets, create-pods).",
			[]string{"ClusterRole", "Role"}, "roles", []check.Param{{Name: "forbid", Type: check.Strings, Default: []any{"wildcard", "exec", "escalate"}}},
			func(s *ks.Set, o *ks.Object, p check.Params) []problem {
				if strings.HasPrefix(o.Name, "system:") {
					return nil
				}
				var rules []rbacv1.PolicyRule
				switch t := o.Typed().(type) {
				case *rbacv1.ClusterRole:
					if t.AggregationRule != nil {
						return nil
					}
					rules = t.Rules
				case *rbacv1.Role:
					rules = t.Rules
				default:
					return nil
				}
				forbid := map[string]bool{}
				for _, f := range p.Strings("forbid") {
					forbid[f] = true
				}
				var out []problem
				for i, r := range rules {
					path := fmt.Sprintf("rules[%d]", i)
					has := func(list []string, vals ...string) bool {
						for _, x := range list {
							for _, v := range vals {
								if x == v {
									return true
								}
							}
						}
						return false
					}
					switch {
					case forbid["wildcard"] && (has(r.Verbs, "*") || has(r.Resources, "*") || has(r.APIGroups, "*")):
						out = append(out, prob(path, fmt.Sprintf("%s %s rule %d uses a wildcard", o.Kind, o.Name, i), "found", fmt.Sprintf("apiGroups=%v resources=%v verbs=%v", r.APIGroups, r.Resources, r.Verbs)))
					case forbid["exec"] && has(r.Resources, "pods/exec", "pods/attach") && has(r.Verbs, "create", "get", "*"):
						out = append(out, prob(path, fmt.Sprintf("%s %s allows exec/attach into pods", o.Kind, o.Name), "found", r.Resources))
					case forbid["escalate"] && has(r.Verbs, "escalate", "bind", "impersonate"):
						out = append(out, prob(path, fmt.Sprintf("%s %s allows escalate/bind/impersonate", o.Kind, o.Name), "found", r.Verbs))
					case forbid["secrets"] && has(r.Resources, "secrets") && has(r.Verbs, "get", "list", "watch", "*"):
						out = append(out, prob(path, fmt.Sprintf("%s %s reads secrets", o.Kind, o.Name), "found", r.Verbs))
					case forbid["create-pods"] && has(r.Resources, "pods", "deployments", "daemonsets", "statefulsets", "jobs", "cronjobs", "replicasets") && has(r.Verbs, "create", "*"):
						out = append(out, prob(path, fmt.Sprintf("%s %s can create workloads", o.Kind, o.Name), "found", r.Resources))
					}
				}
				return out
			}),
	}
}

func subjects(o *ks.Object) []string {
	var out []string
	switch t := o.Typed().(type) {
	case *rbacv1.ClusterRoleBinding:
		for _, s := range t.Subjects {
			out = append(out, s.Kind+"/"+s.Name)
		}
	case *rbacv1.RoleBinding:
		for _, s := range t.Subjects {
			out = append(out, s.Kind+"/"+s.Name)
		}
	}
	return out
}

// deprecatedAPIs: group/version -> kinds -> (removed in 1.x, replacement).
type removal struct {
	removed     int // minor version where it stops being served
	replacement string
}

var deprecatedAPIs = map[string]map[string]removal{
	"extensions/v1beta1":                   {"Deployment": {16, "apps/v1"}, "DaemonSet": {16, "apps/v1"}, "ReplicaSet": {16, "apps/v1"}, "NetworkPolicy": {16, "networking.k8s.io/v1"}, "PodSecurityPolicy": {16, "policy/v1beta1"}, "Ingress": {22, "networking.k8s.io/v1"}},
	"apps/v1beta1":                         {"Deployment": {16, "apps/v1"}, "StatefulSet": {16, "apps/v1"}, "ReplicaSet": {16, "apps/v1"}},
	"apps/v1beta2":                         {"Deployment": {16, "apps/v1"}, "StatefulSet": {16, "apps/v1"}, "DaemonSet": {16, "apps/v1"}, "ReplicaSet": {16, "apps/v1"}},
	"networking.k8s.io/v1beta1":            {"Ingress": {22, "networking.k8s.io/v1"}, "IngressClass": {22, "networking.k8s.io/v1"}},
	"policy/v1beta1":                       {"PodDisruptionBudget": {25, "policy/v1"}, "PodSecurityPolicy": {25, "Pod Security Admission"}},
	"batch/v1beta1":                        {"CronJob": {25, "batch/v1"}},
	"batch/v2alpha1":                       {"CronJob": {21, "batch/v1"}},
	"autoscaling/v2beta1":                  {"HorizontalPodAutoscaler": {25, "autoscaling/v2"}},
	"autoscaling/v2beta2":                  {"HorizontalPodAutoscaler": {26, "autoscaling/v2"}},
	"rbac.authorization.k8s.io/v1beta1":    {"*": {22, "rbac.authorization.k8s.io/v1"}},
	"rbac.authorization.k8s.io/v1alpha1":   {"*": {22, "rbac.authorization.k8s.io/v1"}},
	"scheduling.k8s.io/v1beta1":            {"PriorityClass": {17, "scheduling.k8s.io/v1"}},
	"scheduling.k8s.io/v1alpha1":           {"PriorityClass": {17, "scheduling.k8s.io/v1"}},
	"storage.k8s.io/v1beta1":               {"*": {22, "storage.k8s.io/v1"}},
	"admissionregistration.k8s.io/v1beta1": {"*": {22, "admissionregistration.k8s.io/v1"}},
	"apiextensions.k8s.io/v1beta1":         {"*": {22, "apiextensions.k8s.io/v1"}},
	"certificates.k8s.io/v1beta1":          {"*": {22, "certificates.k8s.io/v1"}},
	"coordination.k8s.io/v1beta1":          {"*": {22, "coordination.k8s.io/v1"}},
	"discovery.k8s.io/v1beta1":             {"EndpointSlice": {25, "discovery.k8s.io/v1"}},
	"events.k8s.io/v1beta1":                {"Event": {25, "events.k8s.io/v1"}},
	"node.k8s.io/v1beta1":                  {"RuntimeClass": {25, "node.k8s.io/v1"}},
	"flowcontrol.apiserver.k8s.io/v1beta1": {"*": {26, "flowcontrol.apiserver.k8s.io/v1"}},
	"flowcontrol.apiserver.k8s.io/v1beta2": {"*": {29, "flowcontrol.apiserver.k8s.io/v1"}},
	"flowcontrol.apiserver.k8s.io/v1beta3": {"*": {32, "flowcontrol.apiserver.k8s.io/v1"}},
	"storage.k8s.io/v1alpha1":              {"*": {24, "storage.k8s.io/v1"}},
}

func checkDeprecated(s *ks.Set, o *ks.Object, p check.Params) []problem {
	kinds, ok := deprecatedAPIs[o.APIVersion]
	if !ok {
		return nil
	}
	r, ok := kinds[o.Kind]
	if !ok {
		if r, ok = kinds["*"]; !ok {
			return nil
		}
	}
	if v := p.String("kubeVersion"); v != "" {
		minor := 0
		parts := strings.Split(strings.TrimPrefix(v, "v"), ".")
		if len(parts) >= 2 {
			minor, _ = strconv.Atoi(parts[1])
		}
		if minor > 0 && minor < r.removed {
			return nil
		}
	}
	return []problem{prob("apiVersion", fmt.Sprintf("%s %s is removed in Kubernetes 1.%d; use %s", o.APIVersion, o.Kind, r.removed, r.replacement), "found", o.APIVersion, "expected", r.replacement)}
}

func clusterChecks() []check.Check {
	cs := []check.Check{limitRangeCheck(), resourceQuotaCheck(), backupCheck(), scheduledJobCheck(), imagePolicyCheck()}
	cs = append(cs, rbacChecks()...)
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
	return cs
}

// field is the value at path, nil when absent (printed as <nil>).
func field(o *ks.Object, path string) any {
	v, _ := o.Get(path)
	return v
}
