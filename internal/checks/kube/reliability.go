package kube

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"golive.dev/golive/internal/check"
	ks "golive.dev/golive/internal/source/kube"
)

// hpaBounds reads min/max replicas of an HPA (any version) or KEDA ScaledObject.
func hpaBounds(o *ks.Object) (min, max int64, minSet bool) {
	if o.Kind == "ScaledObject" {
		min, max = 0, 100 // KEDA defaults
		if v, ok := o.Get("spec.minReplicaCount"); ok {
			min, minSet = toInt(v), true
		}
		if v, ok := o.Get("spec.maxReplicaCount"); ok {
			max = toInt(v)
		}
		return min, max, minSet
	}
	min = 1
	if v, ok := o.Get("spec.minReplicas"); ok {
		min, minSet = toInt(v), true
	}
	if v, ok := o.Get("spec.maxReplicas"); ok {
		max = toInt(v)
	}
	return min, max, minSet
}

func toInt(v any) int64 { n, _ := intOf(v); return n }

// cpuTarget returns the CPU utilisation target of an HPA or ScaledObject.
func cpuTarget(o *ks.Object) (int64, string, bool) {
	if v, ok := o.Get("spec.targetCPUUtilizationPercentage"); ok {
		return toInt(v), "spec.targetCPUUtilizationPercentage", true
	}
	key, list := "spec.metrics", "metrics"
	if o.Kind == "ScaledObject" {
		key, list = "spec.triggers", "triggers"
	}
	ms, _ := o.Get(key)
	l, _ := ms.([]any)
	for i := range l {
		base := fmt.Sprintf("spec.%s[%d]", list, i)
		if o.Kind == "ScaledObject" {
			if o.GetString(base+".type") == "cpu" {
				n, _ := strconv.Atoi(o.GetString(base + ".metadata.value"))
				return int64(n), base, true
			}
			continue
		}
		if o.GetString(base+".resource.name") == "cpu" {
			if v, ok := o.Get(base + ".resource.target.averageUtilization"); ok {
				return toInt(v), base + ".resource.target.averageUtilization", true
			}
			if v, ok := o.Get(base + ".resource.targetAverageUtilization"); ok {
				return toInt(v), base + ".resource.targetAverageUtilization", true
			}
		}
	}
	return 0, "", false
}

// replicasOf is the replica count a workload runs with at least: the HPA's
// minimum when an autoscaler targets it, else spec.replicas (default 1).
func replicasOf(s *ks.Set, w *ks.Workload, useHPA bool) (int64, string) {
	if useHPA {
		for _, h := range s.HPAsFor(w) {
			min, _, _ := hpaBounds(h)
			return min, "minReplicas of " + h.Kind + " " + h.Name
		}
	}
	if w.Replicas == nil {
		return 1, "spec.replicas unset (defaults to 1)"
	}
	return int64(*w.Replicas), "spec.replicas"
}

func reliabilityChecks() []check.Check {
	return []check.Check{
		workloadCheck("k8s/replicas", "Workloads run at least the minimum number of replicas",
			"spec.replicas, or the minReplicas of an HPA/ScaledObject targeting the workload, is at least min.",
			replicated, []check.Param{
				{Name: "min", Type: check.Int, Default: 2, Description: "minimum replicas"},
				{Name: "countHPA", Type: check.Bool, Default: true, Description: "an autoscaler's minReplicas counts"},
			}, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				n, from := replicasOf(s, w, p.Bool("countHPA"))
				if n < int64(p.Int("min")) {
					return []problem{prob("spec.replicas", fmt.Sprintf("runs %d replica(s) (%s), want at least %d", n, from, p.Int("min")), "found", n, "expected", fmt.Sprintf(">= %d", p.Int("min")))}
				}
				return nil
			}),
		workloadCheck("k8s/hpa", "An autoscaler targets the workload with sound bounds",
			"A HorizontalPodAutoscaler (or KEDA ScaledObject) targets the workload with minReplicas >= minReplicas, maxReplicas >= maxReplicas and above the minimum, and, when targetCPUPercent is set, a CPU utilisation target at or below it.",
			replicated, []check.Param{
				{Name: "minReplicas", Type: check.Int, Default: 2},
				{Name: "maxReplicas", Type: check.Int, Default: 0, Description: "lowest acceptable maxReplicas (0: any above minReplicas)"},
				{Name: "targetCPUPercent", Type: check.Int, Default: 0, Description: "highest acceptable CPU utilisation target; 0: no CPU target required"},
				{Name: "acceptKEDA", Type: check.Bool, Default: true},
			}, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				var hs []*ks.Object
				for _, h := range s.HPAsFor(w) {
					if h.Kind == "ScaledObject" && !p.Bool("acceptKEDA") {
						continue
					}
					hs = append(hs, h)
				}
				if len(hs) == 0 {
					return []problem{prob("spec.replicas", "no HorizontalPodAutoscaler targets this workload", "expected", "an HPA with scaleTargetRef "+w.Kind+"/"+w.Name)}
				}
				h := hs[0]
				var out []problem
				min, max, _ := hpaBounds(h)
				minKey, maxKey := "minReplicas", "maxReplicas"
				if h.Kind == "ScaledObject" {
					minKey, maxKey = "minReplicaCount", "maxReplicaCount"
				}
				ref := h.Kind + " " + h.Name
				add := func(field, msg string, kv ...any) {
					pr := prob("spec."+field, ref+": "+msg, kv...)
					pr.at = h
					out = append(out, pr)
				}
				if min < int64(p.Int("minReplicas")) {
					add(minKey, fmt.Sprintf("minReplicas %d below %d", min, p.Int("minReplicas")), "found", min, "expected", fmt.Sprintf(">= %d", p.Int("minReplicas")))
				}
				if max <= min {
					add(maxKey, fmt.Sprintf("maxReplicas %d does not exceed minReplicas %d: it cannot scale", max, min), "found", max, "expected", fmt.Sprintf("> %d", min))
				}
				if m := p.Int("maxReplicas"); m > 0 && max < int64(m) {
					add(maxKey, fmt.Sprintf("maxReplicas %d below %d", max, m), "found", max, "expected", fmt.Sprintf(">= %d", m))
				}
				if t := p.Int("targetCPUPercent"); t > 0 {
					v, _, ok := cpuTarget(h)
					switch {
					case !ok:
						add("metrics", "no CPU utilisation target", "expected", fmt.Sprintf("cpu averageUtilization <= %d%%", t))
					case v > int64(t) || v <= 0:
						add("metrics", fmt.Sprintf("CPU target %d%% above %d%%", v, t), "found", v, "expected", fmt.Sprintf("<= %d", t))
					}
				}
				// Findings point at the workload; say where the HPA is.
				return out
			}),
		workloadCheck("k8s/pdb", "A PodDisruptionBudget protects the workload's pods",
			"A PodDisruptionBudget selects the pods with minAvailable >= minAvailable or maxUnavailable <= maxUnavailable, and does not block voluntary evictions (maxUnavailable 0 or minAvailable >= replicas).",
			replicated, []check.Param{
				{Name: "minAvailable", Type: check.Int, Default: 1, Description: "lowest acceptable minAvailable"},
				{Name: "maxUnavailable", Type: check.Int, Default: 1, Description: "highest acceptable maxUnavailable"},
				{Name: "requireV1", Type: check.Bool, Default: true, Description: "the PDB must be policy/v1"},
				{Name: "allowBlocking", Type: check.Bool, Default: false, Description: "accept PDBs that block node drains"},
				{Name: "requireUnhealthyPodEvictionPolicy", Type: check.Bool, Default: false},
			}, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				pdbs := s.PDBsFor(w)
				if len(pdbs) == 0 {
					return []problem{prob(w.TemplatePath+".metadata.labels", "no PodDisruptionBudget selects this workload's pods", "expected", "a policy/v1 PodDisruptionBudget")}
				}
				var out []problem
				pdb := pdbs[0]
				at := func(field, msg string, kv ...any) {
					pr := prob(field, "PodDisruptionBudget "+pdb.Name+": "+msg, kv...)
					pr.at = pdb
					out = append(out, pr)
				}
				if p.Bool("requireV1") && pdb.APIVersion != "policy/v1" {
					at("apiVersion", "uses "+pdb.APIVersion, "found", pdb.APIVersion, "expected", "policy/v1")
				}
				reps, _ := replicasOf(s, w, true)
				minV, hasMin := pdb.Get("spec.minAvailable")
				maxV, hasMax := pdb.Get("spec.maxUnavailable")
				switch {
				case hasMin:
					n, pct := intOrPercent(minV, reps, true)
					if n < int64(p.Int("minAvailable")) {
						at("spec.minAvailable", fmt.Sprintf("minAvailable %v is below %d", minV, p.Int("minAvailable")), "found", minV, "expected", fmt.Sprintf(">= %d", p.Int("minAvailable")))
					} else if !p.Bool("allowBlocking") && n >= reps && !pct {
						at("spec.minAvailable", fmt.Sprintf("minAvailable %v with %d replica(s) blocks every voluntary eviction", minV, reps), "found", minV, "expected", fmt.Sprintf("< %d", reps))
					}
				case hasMax:
					n, _ := intOrPercent(maxV, reps, false)
					if !p.Bool("allowBlocking") && n == 0 {
						at("spec.maxUnavailable", "maxUnavailable 0 blocks every voluntary eviction", "found", maxV, "expected", "> 0")
					} else if n > int64(p.Int("maxUnavailable")) {
						at("spec.maxUnavailable", fmt.Sprintf("maxUnavailable %v is above %d", maxV, p.Int("maxUnavailable")), "found", maxV, "expected", fmt.Sprintf("<= %d", p.Int("maxUnavailable")))
					}
				default:
					at("spec", "sets neither minAvailable nor maxUnavailable", "expected", "minAvailable or maxUnavailable")
				}
				if p.Bool("requireUnhealthyPodEvictionPolicy") && pdb.GetString("spec.unhealthyPodEvictionPolicy") == "" {
					at("spec", "unhealthyPodEvictionPolicy not set", "expected", "AlwaysAllow")
				}
				return out
			}),
		workloadCheck("k8s/pdb-vs-hpa", "PodDisruptionBudget minimum stays below the replica floor",
			"A PDB's minAvailable must be lower than the HPA's minReplicas (or spec.replicas), otherwise no pod can ever be evicted.",
			replicated, nil, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				var out []problem
				reps, from := replicasOf(s, w, true)
				for _, pdb := range s.PDBsFor(w) {
					v, ok := pdb.Get("spec.minAvailable")
					if !ok {
						continue
					}
					n, pct := intOrPercent(v, reps, true)
					if !pct && n >= reps {
						pr := prob("spec.minAvailable", fmt.Sprintf("PodDisruptionBudget %s minAvailable %v is not below the replica floor %d (%s)", pdb.Name, v, reps, from), "found", v, "expected", fmt.Sprintf("< %d", reps))
						pr.at = pdb
						out = append(out, pr)
					}
				}
				return out
			}),
		workloadCheck("k8s/rolling-update", "Rolling updates with the expected surge and unavailability",
			"strategy.type is RollingUpdate (explicitly when requireExplicit) and rollingUpdate.maxSurge / maxUnavailable equal the given values (when given) or are at least set explicitly.",
			[]string{"Deployment"}, []check.Param{
				{Name: "maxSurge", Type: check.String, Description: "expected maxSurge, e.g. 1 or 25%"},
				{Name: "maxUnavailable", Type: check.String, Description: "expected maxUnavailable, e.g. 0"},
				{Name: "requireExplicit", Type: check.Bool, Default: true, Description: "type, maxSurge and maxUnavailable must be written, not defaulted"},
			}, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				var out []problem
				typ := w.GetString("spec.strategy.type")
				if typ == "Recreate" {
					return []problem{prob("spec.strategy.type", "strategy is Recreate: every pod stops before new ones start", "found", typ, "expected", "RollingUpdate")}
				}
				if typ == "" && p.Bool("requireExplicit") {
					out = append(out, prob("spec.strategy", "strategy.type not set (defaults to RollingUpdate with 25%/25%)", "expected", "RollingUpdate"))
				}
				for _, f := range []string{"maxSurge", "maxUnavailable"} {
					v, ok := w.Get("spec.strategy.rollingUpdate." + f)
					want := p.String(f)
					got := fmt.Sprint(v)
					switch {
					case !ok && (want != "" || p.Bool("requireExplicit")):
						exp := "explicit value"
						if want != "" {
							exp = want
						}
						out = append(out, prob("spec.strategy.rollingUpdate."+f, f+" not set (defaults to 25%)", "expected", exp))
					case ok && want != "" && got != want:
						out = append(out, prob("spec.strategy.rollingUpdate."+f, fmt.Sprintf("%s is %s, want %s", f, got, want), "found", got, "expected", want))
					}
				}
				return out
			}),
		workloadCheck("k8s/probes", "Containers define the required probes",
			"Every container defines the probes asked for (readiness, liveness, startup), optionally with explicit timing fields and a minimum failureThreshold.",
			longRunning, []check.Param{
				{Name: "readiness", Type: check.Bool, Default: true},
				{Name: "liveness", Type: check.Bool, Default: true},
				{Name: "startup", Type: check.Bool, Default: false},
				{Name: "requireFields", Type: check.Strings, Default: []any{}, Description: "probe fields that must be written, e.g. timeoutSeconds, periodSeconds, failureThreshold, initialDelaySeconds"},
				{Name: "minFailureThreshold", Type: check.Int, Default: 0},
				{Name: "startupCoversDelay", Type: check.Bool, Default: true, Description: "with requireFields initialDelaySeconds, a startupProbe counts instead"},
			}, checkProbes),
		workloadCheck("k8s/probe-spec", "A probe matches the expected handler and timings",
			"The named probe (readiness, liveness or startup) of every container uses the given httpGet path/port and timing values; unset parameters are not compared.",
			longRunning, []check.Param{
				{Name: "probe", Type: check.String, Default: "readiness", Description: "readiness, liveness or startup"},
				{Name: "path", Type: check.String}, {Name: "port", Type: check.String},
				{Name: "initialDelaySeconds", Type: check.Int}, {Name: "periodSeconds", Type: check.Int},
				{Name: "timeoutSeconds", Type: check.Int}, {Name: "failureThreshold", Type: check.Int},
				{Name: "successThreshold", Type: check.Int},
			}, checkProbeSpec),
		workloadCheck("k8s/probe-ports", "Probes target ports and paths the container has",
			"httpGet/tcpSocket/grpc probes name a port the container declares (named ports must exist; numeric ports must be declared when the container lists ports) and httpGet paths are absolute.",
			longRunning, nil, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				var out []problem
				for _, c := range containersOf(w, false) {
					probes := probesOf(c.c)
					for _, name := range []string{"readinessProbe", "livenessProbe", "startupProbe"} {
						pr := probes[name]
						if pr == nil {
							continue
						}
						port, path, ok := probeTarget(pr)
						if !ok {
							continue
						}
						fp := c.path + "." + name
						if msg := portMissing(c.c, port); msg != "" {
							out = append(out, prob(fp, fmt.Sprintf("container %s %s: %s", c.c.Name, name, msg), "found", port.String(), "expected", declaredPorts(c.c)))
						}
						if pr.HTTPGet != nil && path != "" && !strings.HasPrefix(path, "/") {
							out = append(out, prob(fp+".httpGet.path", fmt.Sprintf("container %s %s path %q is not absolute", c.c.Name, name, path), "found", path))
						}
					}
				}
				return out
			}),
		workloadCheck("k8s/probes-distinct", "Liveness and readiness probes differ",
			"A liveness probe identical to the readiness probe restarts pods that are merely busy; they should differ (kube-score pod-probes-identical).",
			longRunning, nil, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				var out []problem
				for _, c := range containersOf(w, false) {
					if c.c.LivenessProbe != nil && c.c.ReadinessProbe != nil && c.c.LivenessProbe.String() == c.c.ReadinessProbe.String() {
						out = append(out, prob(c.path+".livenessProbe", fmt.Sprintf("container %s: liveness and readiness probes are identical", c.c.Name)))
					}
				}
				return out
			}),
		workloadCheck("k8s/liveness-tuning", "Liveness probes are no more aggressive than readiness",
			"The time before a liveness probe restarts a container (initialDelaySeconds + periodSeconds x failureThreshold) is at least the readiness probe's, so slow pods are taken out of traffic before being killed.",
			longRunning, nil, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				var out []problem
				for _, c := range containersOf(w, false) {
					l, r := c.c.LivenessProbe, c.c.ReadinessProbe
					if l == nil || r == nil {
						continue
					}
					lw, rw := probeWindow(l), probeWindow(r)
					if lw < rw {
						out = append(out, prob(c.path+".livenessProbe", fmt.Sprintf("container %s: liveness gives up after %ds, readiness after %ds", c.c.Name, lw, rw), "found", lw, "expected", fmt.Sprintf(">= %d", rw)))
					}
				}
				return out
			}),
		workloadCheck("k8s/termination-grace", "Pods get enough time to shut down",
			"terminationGracePeriodSeconds is set (when explicit), at least min, and longer than any preStop sleep.",
			longRunning, []check.Param{
				{Name: "min", Type: check.Int, Default: 0, Description: "lowest acceptable grace period in seconds"},
				{Name: "explicit", Type: check.Bool, Default: true, Description: "must be written (default is 30)"},
			}, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				path := w.PodPath() + ".terminationGracePeriodSeconds"
				g := w.Template.Spec.TerminationGracePeriodSeconds
				if g == nil {
					if p.Bool("explicit") {
						return []problem{prob(w.PodPath(), "terminationGracePeriodSeconds not set (defaults to 30)", "expected", fmt.Sprintf(">= %d, explicit", p.Int("min")))}
					}
					v := int64(30)
					g = &v
				}
				var out []problem
				if *g < int64(p.Int("min")) {
					out = append(out, prob(path, fmt.Sprintf("terminationGracePeriodSeconds %d below %d", *g, p.Int("min")), "found", *g, "expected", fmt.Sprintf(">= %d", p.Int("min"))))
				}
				for _, c := range containersOf(w, false) {
					if sl, ok := preStopSleep(c.c); ok && sl >= *g {
						out = append(out, prob(path, fmt.Sprintf("terminationGracePeriodSeconds %d does not exceed container %s preStop sleep %ds", *g, c.c.Name, sl), "found", *g, "expected", fmt.Sprintf("> %d", sl)))
					}
				}
				return out
			}),
		workloadCheck("k8s/prestop-hook", "Containers drain before SIGTERM with a preStop hook",
			"Every container defines lifecycle.preStop; with requireSleep it must pause (exec sleep N or the sleep action) for minSleepSeconds..maxSleepSeconds.",
			longRunning, []check.Param{
				{Name: "requireSleep", Type: check.Bool, Default: false},
				{Name: "minSleepSeconds", Type: check.Int, Default: 0},
				{Name: "maxSleepSeconds", Type: check.Int, Default: 0, Description: "0: no upper bound"},
			}, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				var out []problem
				for _, c := range containersOf(w, false) {
					if c.c.Lifecycle == nil || c.c.Lifecycle.PreStop == nil {
						out = append(out, prob(c.path, fmt.Sprintf("container %s has no lifecycle.preStop hook", c.c.Name), "expected", "lifecycle.preStop"))
						continue
					}
					if !p.Bool("requireSleep") && p.Int("minSleepSeconds") == 0 {
						continue
					}
					sl, ok := preStopSleep(c.c)
					hp := c.path + ".lifecycle.preStop"
					switch {
					case !ok:
						out = append(out, prob(hp, fmt.Sprintf("container %s preStop does not sleep", c.c.Name), "expected", "sleep before shutdown"))
					case sl < int64(p.Int("minSleepSeconds")):
						out = append(out, prob(hp, fmt.Sprintf("container %s preStop sleeps %ds, want at least %d", c.c.Name, sl, p.Int("minSleepSeconds")), "found", sl, "expected", fmt.Sprintf(">= %d", p.Int("minSleepSeconds"))))
					case p.Int("maxSleepSeconds") > 0 && sl > int64(p.Int("maxSleepSeconds")):
						out = append(out, prob(hp, fmt.Sprintf("container %s preStop sleeps %ds, more than %d", c.c.Name, sl, p.Int("maxSleepSeconds")), "found", sl, "expected", fmt.Sprintf("<= %d", p.Int("maxSleepSeconds"))))
					}
				}
				return out
			}),
		workloadCheck("k8s/anti-affinity", "Replicas are spread across nodes or zones",
			"The pod spec has a podAntiAffinity term or a topologySpreadConstraint on one of topologyKeys that selects the workload's own pods. Workloads pinned to one replica are skipped.",
			replicated, []check.Param{
				{Name: "topologyKeys", Type: check.Strings, Default: []any{"kubernetes.io/hostname", "topology.kubernetes.io/zone"}},
				{Name: "acceptSpread", Type: check.Bool, Default: true, Description: "topologySpreadConstraints count"},
				{Name: "acceptAntiAffinity", Type: check.Bool, Default: true, Description: "podAntiAffinity counts"},
			}, checkSpread),
		workloadCheck("k8s/priority-class", "Pods have a priority class",
			"The pod spec sets priorityClassName; with requireExisting it must name a PriorityClass among the objects or a system class.",
			longRunning, []check.Param{
				{Name: "requireExisting", Type: check.Bool, Default: false},
			}, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				pc := w.Template.Spec.PriorityClassName
				if pc == "" {
					return []problem{prob(w.PodPath(), "priorityClassName not set", "expected", "a PriorityClass")}
				}
				if p.Bool("requireExisting") && !strings.HasPrefix(pc, "system-") {
					if namesOf(s, "PriorityClass")[pc] {
						return nil
					}
					return []problem{prob(w.PodPath()+".priorityClassName", "PriorityClass "+pc+" is not defined among the objects", "found", pc)}
				}
				return nil
			}),
		workloadCheck("k8s/config-checksum", "Config changes roll the pods",
			"Workloads that use a ConfigMap or Secret carry a pod-template annotation starting with prefix (e.g. checksum/config), or use content-hashed names (Kustomize generators), so a config change triggers a rollout.",
			longRunning, []check.Param{
				{Name: "prefix", Type: check.String, Default: "checksum/"},
				{Name: "onlyIfConfigUsed", Type: check.Bool, Default: true},
			}, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				for k := range w.Template.Annotations {
					if strings.HasPrefix(k, p.String("prefix")) {
						return nil
					}
				}
				refs := configRefs(w)
				if len(refs) == 0 && p.Bool("onlyIfConfigUsed") {
					return nil
				}
				hashed := len(refs) > 0
				for _, r := range refs {
					if !hashedName.MatchString(r) {
						hashed = false
					}
				}
				if hashed {
					return nil
				}
				return []problem{prob(w.TemplatePath+".metadata.annotations", "pod template has no "+p.String("prefix")+"* annotation: config changes will not restart pods", "found", refs, "expected", p.String("prefix")+"config: <sha256>")}
			}),
		workloadCheck("k8s/progressive-delivery", "A canary or blue-green rollout is in place",
			"The workload is an Argo Rollout, is referenced by a Rollout's workloadRef, or is the target of a Flagger Canary.",
			deploymentLike, nil, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				if w.Kind == "Rollout" {
					return nil
				}
				managed := s.Memo("kube/progressive-targets", func() any {
					m := map[string]bool{}
					for _, r := range s.Kind("Rollout") {
						m[s.Namespace(r)+"/"+r.GetString("spec.workloadRef.name")] = true
					}
					for _, c := range s.Kind("Canary") {
						m[s.Namespace(c)+"/"+c.GetString("spec.targetRef.name")] = true
					}
					return m
				}).(map[string]bool)
				if managed[s.Namespace(w.Object)+"/"+w.Name] {
					return nil
				}
				return []problem{prob("kind", "no Argo Rollout or Flagger Canary manages this workload", "expected", "Rollout or Canary")}
			}),
		workloadCheck("k8s/selector-matches-template", "The selector matches the pod template labels",
			"spec.selector selects the pod template's labels (kube-score and kube-linter mismatching-selector).",
			[]string{"Deployment", "StatefulSet", "DaemonSet", "Rollout"}, nil, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				if w.Selector == nil {
					return []problem{prob("spec", "spec.selector not set", "expected", "a selector matching the template labels")}
				}
				if !ks.SelectorMatches(w.Selector, w.Template.Labels) {
					return []problem{prob("spec.selector", "spec.selector does not match the pod template labels", "found", w.Template.Labels)}
				}
				return nil
			}),
		workloadCheck("k8s/statefulset-service-name", "StatefulSets name an existing headless Service",
			"spec.serviceName names a Service with clusterIP None that selects the StatefulSet's pods.",
			[]string{"StatefulSet"}, nil, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				name := w.GetString("spec.serviceName")
				if name == "" {
					return []problem{prob("spec", "spec.serviceName not set", "expected", "a headless Service name")}
				}
				for _, svc := range s.ServicesFor(w) {
					if svc.Name == name && svc.GetString("spec.clusterIP") == "None" {
						return nil
					}
				}
				return []problem{prob("spec.serviceName", "no headless Service "+name+" selects the pods", "found", name)}
			}),
		workloadCheck("k8s/hpa-replicas-conflict", "Autoscaled workloads leave replicas to the autoscaler",
			"A workload targeted by an HPA should not set spec.replicas: every apply resets the autoscaler's count.",
			replicated, nil, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				if len(s.HPAsFor(w)) > 0 && w.Replicas != nil {
					return []problem{prob("spec.replicas", "spec.replicas is set while an autoscaler targets the workload", "found", *w.Replicas, "expected", "unset")}
				}
				return nil
			}),
		workloadCheck("k8s/cronjob-deadline", "CronJobs set a starting deadline",
			"spec.startingDeadlineSeconds is set so missed runs do not pile up (kube-score cronjob-has-deadline).",
			[]string{"CronJob"}, nil, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				if _, ok := w.Get("spec.startingDeadlineSeconds"); !ok {
					return []problem{prob("spec", "startingDeadlineSeconds not set", "expected", "a deadline in seconds")}
				}
				return nil
			}),
		workloadCheck("k8s/job-ttl", "Finished Jobs are cleaned up",
			"Jobs set ttlSecondsAfterFinished (kube-linter job-ttl-seconds-after-finished).",
			[]string{"Job", "CronJob"}, nil, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				path := "spec.ttlSecondsAfterFinished"
				if w.Kind == "CronJob" {
					path = "spec.jobTemplate.spec.ttlSecondsAfterFinished"
					// CronJobs have their own history limits.
					return nil
				}
				if _, ok := w.Get(path); !ok {
					return []problem{prob("spec", "ttlSecondsAfterFinished not set: finished pods stay forever", "expected", "ttlSecondsAfterFinished")}
				}
				return nil
			}),
	}
}

var hashedName = regexp.MustCompile(`-[a-z0-9]{10}$`)

// configRefs lists the ConfigMaps and Secrets a pod template uses.
func configRefs(w *ks.Workload) []string {
	var out []string
	spec := &w.Template.Spec
	for _, v := range spec.Volumes {
		if v.ConfigMap != nil {
			out = append(out, v.ConfigMap.Name)
		}
		if v.Secret != nil {
			out = append(out, v.Secret.SecretName)
		}
		if v.Projected != nil {
			for _, src := range v.Projected.Sources {
				if src.ConfigMap != nil {
					out = append(out, src.ConfigMap.Name)
				}
				if src.Secret != nil {
					out = append(out, src.Secret.Name)
				}
			}
		}
	}
	for _, c := range containersOf(w, true) {
		for _, e := range c.c.EnvFrom {
			if e.ConfigMapRef != nil {
				out = append(out, e.ConfigMapRef.Name)
			}
			if e.SecretRef != nil {
				out = append(out, e.SecretRef.Name)
			}
		}
		for _, e := range c.c.Env {
			if e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil {
				out = append(out, e.ValueFrom.ConfigMapKeyRef.Name)
			}
		}
	}
	return out
}

// intOrPercent resolves a PDB value against a replica count; pct reports a
// percentage (which scales with replicas, so never blocks by itself).
func intOrPercent(v any, replicas int64, roundUp bool) (int64, bool) {
	if s, ok := v.(string); ok && strings.HasSuffix(s, "%") {
		f, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if err != nil {
			return 0, true
		}
		x := f / 100 * float64(replicas)
		if roundUp {
			return int64(math.Ceil(x)), true
		}
		return int64(math.Floor(x)), true
	}
	if s, ok := v.(string); ok {
		n, _ := strconv.ParseInt(s, 10, 64)
		return n, false
	}
	return toInt(v), false
}

func probesOf(c *corev1.Container) map[string]*corev1.Probe {
	m := map[string]*corev1.Probe{}
	if c.ReadinessProbe != nil {
		m["readinessProbe"] = c.ReadinessProbe
	}
	if c.LivenessProbe != nil {
		m["livenessProbe"] = c.LivenessProbe
	}
	if c.StartupProbe != nil {
		m["startupProbe"] = c.StartupProbe
	}
	return m
}

func checkProbes(s *ks.Set, w *ks.Workload, p check.Params) []problem {
	var out []problem
	for _, c := range containersOf(w, false) {
		want := map[string]*corev1.Probe{}
		if p.Bool("readiness") {
			want["readinessProbe"] = c.c.ReadinessProbe
		}
		if p.Bool("liveness") {
			want["livenessProbe"] = c.c.LivenessProbe
		}
		if p.Bool("startup") {
			want["startupProbe"] = c.c.StartupProbe
		}
		for _, name := range sortedKeys(want) {
			if want[name] == nil {
				out = append(out, prob(c.path, fmt.Sprintf("container %s has no %s", c.c.Name, name), "expected", name))
			}
		}
		for _, name := range sortedKeys(probesOf(c.c)) {
			pr := probesOf(c.c)[name]
			if _, asked := want[name]; !asked && len(want) > 0 {
				continue
			}
			raw := c.path + "." + name
			for _, f := range p.Strings("requireFields") {
				if _, ok := w.Get(raw + "." + f); ok {
					continue
				}
				if f == "initialDelaySeconds" && p.Bool("startupCoversDelay") && c.c.StartupProbe != nil {
					continue
				}
				out = append(out, prob(raw, fmt.Sprintf("container %s %s does not set %s", c.c.Name, name, f), "expected", f))
			}
			if m := p.Int("minFailureThreshold"); m > 0 {
				ft := pr.FailureThreshold
				if ft == 0 {
					ft = 3
				}
				if int(ft) < m {
					out = append(out, prob(raw+".failureThreshold", fmt.Sprintf("container %s %s failureThreshold %d below %d", c.c.Name, name, ft, m), "found", ft, "expected", fmt.Sprintf(">= %d", m)))
				}
			}
		}
	}
	return out
}

func checkProbeSpec(s *ks.Set, w *ks.Workload, p check.Params) []problem {
	name := strings.TrimSuffix(p.String("probe"), "Probe") + "Probe"
	var out []problem
	for _, c := range containersOf(w, false) {
		pr := probesOf(c.c)[name]
		fp := c.path + "." + name
		if pr == nil {
			out = append(out, prob(c.path, fmt.Sprintf("container %s has no %s", c.c.Name, name), "expected", name))
			continue
		}
		port, path, _ := probeTarget(pr)
		if want := p.String("path"); want != "" && path != want {
			out = append(out, prob(fp+".httpGet.path", fmt.Sprintf("container %s %s path %q, want %q", c.c.Name, name, path, want), "found", path, "expected", want))
		}
		if want := p.String("port"); want != "" && port.String() != want && resolvePort(c.c, port) != want {
			out = append(out, prob(fp+".httpGet.port", fmt.Sprintf("container %s %s port %s, want %s", c.c.Name, name, port.String(), want), "found", port.String(), "expected", want))
		}
		defaults := map[string]int32{"initialDelaySeconds": 0, "periodSeconds": 10, "timeoutSeconds": 1, "failureThreshold": 3, "successThreshold": 1}
		got := map[string]int32{"initialDelaySeconds": pr.InitialDelaySeconds, "periodSeconds": pr.PeriodSeconds, "timeoutSeconds": pr.TimeoutSeconds, "failureThreshold": pr.FailureThreshold, "successThreshold": pr.SuccessThreshold}
		for _, f := range sortedKeys(defaults) {
			if !p.Has(f) {
				continue
			}
			v := got[f]
			if v == 0 {
				v = defaults[f]
			}
			if int(v) != p.Int(f) {
				out = append(out, prob(fp+"."+f, fmt.Sprintf("container %s %s %s is %d, want %d", c.c.Name, name, f, v, p.Int(f)), "found", v, "expected", p.Int(f)))
			}
		}
	}
	return out
}

func probeTarget(pr *corev1.Probe) (intstr.IntOrString, string, bool) {
	switch {
	case pr.HTTPGet != nil:
		return pr.HTTPGet.Port, pr.HTTPGet.Path, true
	case pr.TCPSocket != nil:
		return pr.TCPSocket.Port, "", true
	case pr.GRPC != nil:
		return intstr.FromInt32(pr.GRPC.Port), "", true
	}
	return intstr.IntOrString{}, "", false
}

func resolvePort(c *corev1.Container, port intstr.IntOrString) string {
	if port.Type == intstr.String {
		for _, p := range c.Ports {
			if p.Name == port.StrVal {
				return strconv.Itoa(int(p.ContainerPort))
			}
		}
	}
	return port.String()
}

func portMissing(c *corev1.Container, port intstr.IntOrString) string {
	if port.Type == intstr.String {
		if _, err := strconv.Atoi(port.StrVal); err != nil {
			for _, p := range c.Ports {
				if p.Name == port.StrVal {
					return ""
				}
			}
			return "named port " + port.StrVal + " is not declared by the container"
		}
	}
	if len(c.Ports) == 0 {
		return ""
	}
	n := port.IntValue()
	for _, p := range c.Ports {
		if int(p.ContainerPort) == n {
			return ""
		}
	}
	return fmt.Sprintf("port %d is not among the container's ports", n)
}

func declaredPorts(c *corev1.Container) []string {
	var out []string
	for _, p := range c.Ports {
		s := strconv.Itoa(int(p.ContainerPort))
		if p.Name != "" {
			s = p.Name + "=" + s
		}
		out = append(out, s)
	}
	return out
}

func probeWindow(p *corev1.Probe) int32 {
	period, ft := p.PeriodSeconds, p.FailureThreshold
	if period == 0 {
		period = 10
	}
	if ft == 0 {
		ft = 3
	}
	return p.InitialDelaySeconds + period*ft
}

var sleepCmd = regexp.MustCompile(`\bsleep\s+(\d+)`)

// preStopSleep returns how long a preStop hook pauses, when it does.
func preStopSleep(c *corev1.Container) (int64, bool) {
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil {
		return 0, false
	}
	h := c.Lifecycle.PreStop
	if h.Sleep != nil {
		return h.Sleep.Seconds, true
	}
	if h.Exec != nil {
		if m := sleepCmd.FindStringSubmatch(strings.Join(h.Exec.Command, " ")); m != nil {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			return n, true
		}
		if len(h.Exec.Command) == 2 && h.Exec.Command[0] == "sleep" {
			n, err := strconv.ParseInt(h.Exec.Command[1], 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

func checkSpread(s *ks.Set, w *ks.Workload, p check.Params) []problem {
	if w.Replicas != nil && *w.Replicas < 2 && len(s.HPAsFor(w)) == 0 {
		return nil
	}
	keys := p.Strings("topologyKeys")
	spec := &w.Template.Spec
	has := func(k string) bool {
		for _, x := range keys {
			if x == k {
				return true
			}
		}
		return false
	}
	if p.Bool("acceptSpread") {
		for _, t := range spec.TopologySpreadConstraints {
			if has(t.TopologyKey) && (t.LabelSelector == nil || ks.SelectorMatches(t.LabelSelector, w.Template.Labels)) {
				return nil
			}
		}
	}
	if p.Bool("acceptAntiAffinity") && spec.Affinity != nil && spec.Affinity.PodAntiAffinity != nil {
		a := spec.Affinity.PodAntiAffinity
		for _, t := range a.RequiredDuringSchedulingIgnoredDuringExecution {
			if has(t.TopologyKey) && ks.SelectorMatches(t.LabelSelector, w.Template.Labels) {
				return nil
			}
		}
		for _, t := range a.PreferredDuringSchedulingIgnoredDuringExecution {
			if has(t.PodAffinityTerm.TopologyKey) && ks.SelectorMatches(t.PodAffinityTerm.LabelSelector, w.Template.Labels) {
				return nil
			}
		}
	}
	var what []string
	if p.Bool("acceptAntiAffinity") {
		what = append(what, "podAntiAffinity")
	}
	if p.Bool("acceptSpread") {
		what = append(what, "topologySpreadConstraints")
	}
	return []problem{prob(w.PodPath(), "no "+strings.Join(what, " or ")+" on "+strings.Join(keys, " or ")+" selecting the workload's pods", "expected", strings.Join(what, " or ")+" on "+strings.Join(keys, ", "))}
}

// namesOf is the set of names of a kind's objects, built once per run.
func namesOf(s *ks.Set, kind string) map[string]bool {
	return s.Memo("kube/names:"+kind, func() any {
		m := map[string]bool{}
		for _, o := range s.Kind(kind) {
			m[o.Name] = true
		}
		return m
	}).(map[string]bool)
}
