// Package cluster holds the checks that look at the running workload in a
// cluster (live through a kubeconfig, or from a dump): rollouts, pod
// readiness and restarts, autoscaling, disruption budgets, network policies,
// monitors, spread, image pinning, limits, log shippers, jobs and more.
package cluster

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	src "golive.dev/golive/internal/source/cluster"
	"golive.dev/golive/internal/verdict"
)

// Register adds the cluster checks.
func Register(r *check.Registry) {
	for _, c := range []check.Check{
		workloadReady(), podsReady(), restarts(), hpa(), pdb(), networkPolicy(), serviceMonitor(),
		spread(), imageDigest(), resourceLimits(), nodeRegion(), logShipper(), jobSucceeded(),
		revisionHistory(), secretsPresent(), loadBalancer(), resourceQuota(),
	} {
		r.Register(c)
	}
}

var needs = []check.Input{check.Cluster}

var selectorParam = check.Param{Name: "selector", Type: check.String, Description: "label selector of the service's pods or objects, e.g. app.kubernetes.io/name=api (empty: all in the namespace)"}
var nameParam = check.Param{Name: "name", Type: check.String, Description: "object name (empty: match by selector)"}

type runFn func(s *src.Snapshot, sel labels.Selector, p check.Params) ([]verdict.Finding, error)

// with loads the snapshot, parses the selector and stamps every finding.
func with(id string, fn runFn) check.RunFunc {
	return func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
		s, err := src.From(ctx, env)
		if err != nil {
			return nil, err
		}
		sel, err := labels.Parse(p.String("selector"))
		if err != nil {
			return nil, fmt.Errorf("selector %q: %w", p.String("selector"), err)
		}
		out, err := fn(s, sel, p)
		if err != nil {
			return nil, err
		}
		for i := range out {
			out[i].Check = id
			if out[i].Endpoint == "" {
				out[i].Endpoint = s.Source
			}
		}
		return out, nil
	}
}

func fnd(st verdict.Status, obj, msg string, ev map[string]any) verdict.Finding {
	return verdict.Finding{Status: st, Object: obj, Message: msg, Evidence: ev}
}

// gapNote explains an absent kind: not in the dump, or not readable.
func gapNote(s *src.Snapshot, kind string) string {
	if g := s.Gap(kind); g != "" {
		return " (" + g + ")"
	}
	return ""
}

// none is the finding for "nothing of kind matches": a failure when the kind
// was read, unverified when it could not be.
func none(s *src.Snapshot, kind, what string) verdict.Finding {
	if g := s.Gap(kind); g != "" && !strings.HasPrefix(g, "the dump holds no") {
		return verdict.Finding{Status: verdict.Unverified, Message: fmt.Sprintf("%s: %s could not be read: %s", what, kind, g)}
	}
	return verdict.Finding{Status: verdict.Fail, Message: what + gapNote(s, kind)}
}

func selText(p check.Params) string {
	parts := []string{}
	if n := p.String("name"); n != "" {
		parts = append(parts, "name "+n)
	}
	if s := p.String("selector"); s != "" {
		parts = append(parts, "selector "+s)
	}
	if len(parts) == 0 {
		return "in the namespace"
	}
	return "with " + strings.Join(parts, " and ")
}

// picks reports whether an object is chosen by the name parameter and the
// selector (against its own labels or its pod template's).
func picks(p check.Params, sel labels.Selector, m metav1.ObjectMeta, tpl map[string]string) bool {
	if n := p.String("name"); n != "" && m.Name != n {
		return false
	}
	return sel.Empty() || sel.Matches(labels.Set(m.Labels)) || (tpl != nil && sel.Matches(labels.Set(tpl)))
}

// runningPods are the pods chosen by sel that are not finished.
func runningPods(s *src.Snapshot, sel labels.Selector) []*corev1.Pod {
	var out []*corev1.Pod
	for i := range s.Pods {
		p := &s.Pods[i]
		if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		if sel.Matches(labels.Set(p.Labels)) {
			out = append(out, p)
		}
	}
	return out
}

func podID(p *corev1.Pod) string { return src.ID("Pod", p.ObjectMeta) }

func noPods(s *src.Snapshot, p check.Params) verdict.Finding {
	return none(s, "Pod", "no running pod "+selText(p))
}

func workloadReady() check.Check {
	id := "cluster/workload-ready"
	return check.Check{
		ID:    id,
		Title: "Ready pods equal desired replicas and the rollout is complete",
		Description: "For each Deployment and StatefulSet chosen by name or selector: the controller has observed the latest spec, every replica is updated, ready and available, no progress deadline was exceeded, " +
			"the pods it selects that are Running and Ready number at least the desired replicas, and desired replicas are at least minReplicas.",
		Needs:  needs,
		Params: []check.Param{nameParam, selectorParam, {Name: "minReplicas", Type: check.Int, Default: 1, Description: "fewest desired replicas"}},
		Run: with(id, func(s *src.Snapshot, sel labels.Selector, p check.Params) ([]verdict.Finding, error) {
			var out []verdict.Finding
			readyPods := func(ns string, ls *metav1.LabelSelector) int {
				ps, err := metav1.LabelSelectorAsSelector(ls)
				if err != nil || ps.Empty() {
					return -1
				}
				n := 0
				for _, pod := range s.PodsSelectedBy(ns, ps) {
					if src.PodReady(pod) && pod.DeletionTimestamp == nil {
						n++
					}
				}
				return n
			}
			judge := func(kind string, m metav1.ObjectMeta, desired int32, problems []string, ready int, ev map[string]any) {
				obj := src.ID(kind, m)
				if min := p.Int("minReplicas"); int(desired) < min {
					problems = append(problems, fmt.Sprintf("%d desired replicas, want at least %d", desired, min))
				}
				if ready >= 0 && ready < int(desired) {
					problems = append(problems, fmt.Sprintf("%d of %d pods Running and Ready", ready, desired))
				}
				ev["desired"], ev["readyPods"] = desired, ready
				if len(problems) > 0 {
					out = append(out, fnd(verdict.Fail, obj, obj+": "+strings.Join(problems, "; "), ev))
				} else {
					out = append(out, fnd(verdict.Pass, obj, fmt.Sprintf("%s: %d/%d replicas ready and rolled out", obj, ready, desired), ev))
				}
			}
			for i := range s.Deployments {
				d := &s.Deployments[i]
				if !picks(p, sel, d.ObjectMeta, d.Spec.Template.Labels) {
					continue
				}
				desired := int32(1)
				if d.Spec.Replicas != nil {
					desired = *d.Spec.Replicas
				}
				st := d.Status
				var pr []string
				if st.ObservedGeneration < d.Generation {
					pr = append(pr, fmt.Sprintf("controller has not observed generation %d (at %d)", d.Generation, st.ObservedGeneration))
				}
				if st.UpdatedReplicas < desired {
					pr = append(pr, fmt.Sprintf("%d of %d replicas updated", st.UpdatedReplicas, desired))
				}
				if st.Replicas > st.UpdatedReplicas {
					pr = append(pr, fmt.Sprintf("%d old replicas still present", st.Replicas-st.UpdatedReplicas))
				}
				if st.AvailableReplicas < desired {
					pr = append(pr, fmt.Sprintf("%d of %d replicas available", st.AvailableReplicas, desired))
				}
				for _, c := range st.Conditions {
					if c.Type == "Progressing" && c.Reason == "ProgressDeadlineExceeded" {
						pr = append(pr, "progress deadline exceeded: "+c.Message)
					}
				}
				judge("Deployment", d.ObjectMeta, desired, pr, readyPods(d.Namespace, d.Spec.Selector),
					map[string]any{"updated": st.UpdatedReplicas, "available": st.AvailableReplicas, "readyReplicas": st.ReadyReplicas})
			}
			for i := range s.StatefulSets {
				d := &s.StatefulSets[i]
				if !picks(p, sel, d.ObjectMeta, d.Spec.Template.Labels) {
					continue
				}
				desired := int32(1)
				if d.Spec.Replicas != nil {
					desired = *d.Spec.Replicas
				}
				st := d.Status
				var pr []string
				if st.ObservedGeneration < d.Generation {
					pr = append(pr, fmt.Sprintf("controller has not observed generation %d", d.Generation))
				}
				if st.UpdateRevision != "" && st.CurrentRevision != st.UpdateRevision {
					pr = append(pr, fmt.Sprintf("rolling from revision %s to %s", st.CurrentRevision, st.UpdateRevision))
				}
				if st.ReadyReplicas < desired {
					pr = append(pr, fmt.Sprintf("%d of %d replicas ready", st.ReadyReplicas, desired))
				}
				judge("StatefulSet", d.ObjectMeta, desired, pr, readyPods(d.Namespace, d.Spec.Selector),
					map[string]any{"readyReplicas": st.ReadyReplicas, "currentRevision": st.CurrentRevision, "updateRevision": st.UpdateRevision})
			}
			if len(out) == 0 {
				out = append(out, none(s, "Deployment", "no Deployment or StatefulSet "+selText(p)))
			}
			return out, nil
		}),
	}
}

func waiting(pod *corev1.Pod) []string {
	var out []string
	for _, cs := range append(append([]corev1.ContainerStatus{}, pod.Status.InitContainerStatuses...), pod.Status.ContainerStatuses...) {
		if w := cs.State.Waiting; w != nil && w.Reason != "" {
			out = append(out, cs.Name+": "+w.Reason)
		}
	}
	return out
}

func podsReady() check.Check {
	id := "cluster/pods-ready"
	return check.Check{
		ID:          id,
		Title:       "The service's pods are Running and Ready",
		Description: "Every pod chosen by the selector (finished Job pods aside) must be in phase Running with every container ready; there must be at least minPods of them.",
		Needs:       needs,
		Params:      []check.Param{selectorParam, {Name: "minPods", Type: check.Int, Default: 1, Description: "fewest pods expected"}},
		Run: with(id, func(s *src.Snapshot, sel labels.Selector, p check.Params) ([]verdict.Finding, error) {
			pods := runningPods(s, sel)
			var out []verdict.Finding
			ready := 0
			for _, pod := range pods {
				ev := map[string]any{"phase": string(pod.Status.Phase), "node": pod.Spec.NodeName}
				if src.PodReady(pod) {
					ready++
					out = append(out, fnd(verdict.Pass, podID(pod), podID(pod)+" is Running and Ready", ev))
					continue
				}
				msg := fmt.Sprintf("%s is %s and not ready", podID(pod), pod.Status.Phase)
				if w := waiting(pod); len(w) > 0 {
					msg += " (" + strings.Join(w, ", ") + ")"
					ev["waiting"] = w
				}
				out = append(out, fnd(verdict.Fail, podID(pod), msg, ev))
			}
			if len(pods) < p.Int("minPods") {
				f := noPods(s, p)
				if len(pods) > 0 {
					f = fnd(verdict.Fail, "", fmt.Sprintf("%d pod(s) %s, want at least %d", len(pods), selText(p), p.Int("minPods")), nil)
				}
				out = append(out, f)
			}
			return out, nil
		}),
	}
}

func restarts() check.Check {
	id := "cluster/restarts"
	return check.Check{
		ID:          id,
		Title:       "Containers are not restarting",
		Description: "Every container of the chosen pods has restarted at most maxRestarts times and none is in CrashLoopBackOff.",
		Needs:       needs,
		Params:      []check.Param{selectorParam, {Name: "maxRestarts", Type: check.Int, Default: 3, Description: "most restarts per container"}},
		Run: with(id, func(s *src.Snapshot, sel labels.Selector, p check.Params) ([]verdict.Finding, error) {
			pods := runningPods(s, sel)
			if len(pods) == 0 {
				return []verdict.Finding{noPods(s, p)}, nil
			}
			var out []verdict.Finding
			for _, pod := range pods {
				if len(pod.Status.ContainerStatuses) == 0 {
					// No container has started (or the status was not read): zero restarts is not shown.
					out = append(out, verdict.Finding{Status: verdict.Unverified, Object: podID(pod),
						Message: podID(pod) + ": no container status, so its restarts are unknown"})
					continue
				}
				var bad []string
				max := int32(0)
				for _, cs := range pod.Status.ContainerStatuses {
					if cs.RestartCount > max {
						max = cs.RestartCount
					}
					if cs.RestartCount > int32(p.Int("maxRestarts")) {
						r := ""
						if t := cs.LastTerminationState.Terminated; t != nil {
							r = fmt.Sprintf(", last exit %d %s", t.ExitCode, t.Reason)
						}
						bad = append(bad, fmt.Sprintf("%s restarted %d times%s", cs.Name, cs.RestartCount, r))
					}
					if w := cs.State.Waiting; w != nil && w.Reason == "CrashLoopBackOff" {
						bad = append(bad, cs.Name+" is in CrashLoopBackOff")
					}
				}
				ev := map[string]any{"maxRestarts": max}
				if len(bad) > 0 {
					out = append(out, fnd(verdict.Fail, podID(pod), podID(pod)+": "+strings.Join(bad, "; "), ev))
				} else {
					out = append(out, fnd(verdict.Pass, podID(pod), fmt.Sprintf("%s: at most %d restart(s) per container", podID(pod), max), ev))
				}
			}
			return out, nil
		}),
	}
}

func hpa() check.Check {
	id := "cluster/hpa"
	return check.Check{
		ID:    id,
		Title: "An HPA scales the workload and reads its metrics",
		Description: "An HorizontalPodAutoscaler chosen by name (its own or its target's) or selector (its labels or its target workload's) exists with minReplicas at least minReplicas and maxReplicas above it, " +
			"reports a current value for every metric (not <unknown>) and has ScalingActive and AbleToScale true.",
		Needs:  needs,
		Params: []check.Param{nameParam, selectorParam, {Name: "minReplicas", Type: check.Int, Default: 2, Description: "lowest acceptable spec.minReplicas"}},
		Run: with(id, func(s *src.Snapshot, sel labels.Selector, p check.Params) ([]verdict.Finding, error) {
			targets := map[string]bool{}
			for _, d := range s.Deployments {
				if !sel.Empty() && (sel.Matches(labels.Set(d.Labels)) || sel.Matches(labels.Set(d.Spec.Template.Labels))) {
					targets["Deployment/"+d.Name] = true
				}
			}
			for _, d := range s.StatefulSets {
				if !sel.Empty() && (sel.Matches(labels.Set(d.Labels)) || sel.Matches(labels.Set(d.Spec.Template.Labels))) {
					targets["StatefulSet/"+d.Name] = true
				}
			}
			var out []verdict.Finding
			for i := range s.HPAs {
				h := &s.HPAs[i]
				tgt := h.Spec.ScaleTargetRef.Kind + "/" + h.Spec.ScaleTargetRef.Name
				if n := p.String("name"); n != "" && h.Name != n && h.Spec.ScaleTargetRef.Name != n {
					continue
				}
				if !sel.Empty() && !sel.Matches(labels.Set(h.Labels)) && !targets[tgt] {
					continue
				}
				obj := src.ID("HorizontalPodAutoscaler", h.ObjectMeta)
				min := int32(1)
				if h.Spec.MinReplicas != nil {
					min = *h.Spec.MinReplicas
				}
				ev := map[string]any{"target": tgt, "minReplicas": min, "maxReplicas": h.Spec.MaxReplicas,
					"currentReplicas": h.Status.CurrentReplicas, "metrics": len(h.Spec.Metrics), "currentMetrics": len(h.Status.CurrentMetrics)}
				var pr []string
				if int(min) < p.Int("minReplicas") {
					pr = append(pr, fmt.Sprintf("minReplicas %d, want at least %d", min, p.Int("minReplicas")))
				}
				if h.Spec.MaxReplicas <= min {
					pr = append(pr, fmt.Sprintf("maxReplicas %d does not exceed minReplicas %d", h.Spec.MaxReplicas, min))
				}
				if len(h.Status.CurrentMetrics) == 0 || unknownMetrics(h.Status.CurrentMetrics) > 0 || len(h.Status.CurrentMetrics) < len(h.Spec.Metrics) {
					pr = append(pr, fmt.Sprintf("%d of %d metrics have a current value (<unknown>)", len(h.Status.CurrentMetrics)-unknownMetrics(h.Status.CurrentMetrics), max(len(h.Spec.Metrics), 1)))
				}
				conds := map[string]string{}
				for _, c := range h.Status.Conditions {
					conds[string(c.Type)] = string(c.Status)
					if (c.Type == "ScalingActive" || c.Type == "AbleToScale") && c.Status != "True" {
						pr = append(pr, fmt.Sprintf("%s is %s: %s %s", c.Type, c.Status, c.Reason, c.Message))
					}
				}
				if conds["ScalingActive"] == "" {
					pr = append(pr, "no ScalingActive condition reported")
				}
				ev["conditions"] = conds
				if len(pr) > 0 {
					out = append(out, fnd(verdict.Fail, obj, obj+": "+strings.Join(pr, "; "), ev))
				} else {
					out = append(out, fnd(verdict.Pass, obj, fmt.Sprintf("%s scales %s between %d and %d replicas and reads its metrics", obj, tgt, min, h.Spec.MaxReplicas), ev))
				}
			}
			if len(out) == 0 {
				out = append(out, none(s, "HorizontalPodAutoscaler", "no HorizontalPodAutoscaler "+selText(p)))
			}
			return out, nil
		}),
	}
}

// unknownMetrics counts current metric entries without any value, which
// kubectl shows as <unknown>.
func unknownMetrics(ms []autoscalingMetric) int {
	n := 0
	for _, m := range ms {
		if !metricHasValue(m) {
			n++
		}
	}
	return n
}

func pdb() check.Check {
	id := "cluster/pdb"
	return check.Check{
		ID:          id,
		Title:       "A PodDisruptionBudget protects the pods and allows a disruption",
		Description: "A PodDisruptionBudget chosen by name, or whose selector matches the pods chosen by selector, exists and currently allows at least minDisruptions voluntary disruptions (0 means drains would block).",
		Needs:       needs,
		Params:      []check.Param{nameParam, selectorParam, {Name: "minDisruptions", Type: check.Int, Default: 1, Description: "fewest disruptions allowed"}},
		Run: with(id, func(s *src.Snapshot, sel labels.Selector, p check.Params) ([]verdict.Finding, error) {
			pods := runningPods(s, sel)
			var out []verdict.Finding
			for i := range s.PDBs {
				b := &s.PDBs[i]
				if n := p.String("name"); n != "" {
					if b.Name != n {
						continue
					}
				} else if !sel.Empty() {
					bs, err := metav1.LabelSelectorAsSelector(b.Spec.Selector)
					covers := sel.Matches(labels.Set(b.Labels))
					for _, pod := range pods {
						if err == nil && pod.Namespace == b.Namespace && bs.Matches(labels.Set(pod.Labels)) {
							covers = true
						}
					}
					if !covers {
						continue
					}
				}
				obj := src.ID("PodDisruptionBudget", b.ObjectMeta)
				st := b.Status
				ev := map[string]any{"disruptionsAllowed": st.DisruptionsAllowed, "currentHealthy": st.CurrentHealthy, "desiredHealthy": st.DesiredHealthy, "expectedPods": st.ExpectedPods}
				if int(st.DisruptionsAllowed) < p.Int("minDisruptions") {
					out = append(out, fnd(verdict.Fail, obj, fmt.Sprintf("%s allows %d disruption(s) (%d/%d healthy, %d needed): node drains would block", obj, st.DisruptionsAllowed, st.CurrentHealthy, st.ExpectedPods, st.DesiredHealthy), ev))
				} else {
					out = append(out, fnd(verdict.Pass, obj, fmt.Sprintf("%s allows %d disruption(s)", obj, st.DisruptionsAllowed), ev))
				}
			}
			if len(out) == 0 {
				out = append(out, none(s, "PodDisruptionBudget", "no PodDisruptionBudget "+selText(p)))
			}
			return out, nil
		}),
	}
}

func networkPolicy() check.Check {
	id := "cluster/network-policy"
	return check.Check{
		ID:    id,
		Title: "NetworkPolicies restrict the service's pods",
		Description: "Every running pod chosen by selector must be selected by a NetworkPolicy of its namespace covering each of the policyTypes; a rule with no peers (allowing everyone) fails. " +
			"With policyLabels, at least one policy carrying those labels must exist.",
		Needs: needs,
		Params: []check.Param{selectorParam,
			{Name: "policyTypes", Type: check.Strings, Default: []any{"Ingress"}, Description: "directions that must be restricted: Ingress, Egress"},
			{Name: "policyLabels", Type: check.String, Description: "label selector a NetworkPolicy itself must match"},
			{Name: "allowOpenRules", Type: check.Bool, Default: false, Description: "rules without peers are allowed"},
		},
		Run: with(id, func(s *src.Snapshot, sel labels.Selector, p check.Params) ([]verdict.Finding, error) {
			var out []verdict.Finding
			if pl := p.String("policyLabels"); pl != "" {
				ps, err := labels.Parse(pl)
				if err != nil {
					return nil, fmt.Errorf("policyLabels %q: %w", pl, err)
				}
				var names []string
				for _, np := range s.NetworkPolicies {
					if ps.Matches(labels.Set(np.Labels)) {
						names = append(names, src.ID("NetworkPolicy", np.ObjectMeta))
					}
				}
				if len(names) == 0 {
					out = append(out, none(s, "NetworkPolicy", "no NetworkPolicy labelled "+pl))
				} else {
					out = append(out, fnd(verdict.Pass, names[0], fmt.Sprintf("NetworkPolicy labelled %s: %s", pl, strings.Join(names, ", ")), nil))
				}
			}
			pods := runningPods(s, sel)
			if len(pods) == 0 {
				if len(out) > 0 {
					return out, nil
				}
				return []verdict.Finding{noPods(s, p)}, nil
			}
			want := p.Strings("policyTypes")
			for _, pod := range pods {
				covered := map[string][]string{}
				var open []string
				for _, np := range s.NetworkPolicies {
					if np.Namespace != pod.Namespace {
						continue
					}
					ps, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
					if err != nil || !ps.Matches(labels.Set(pod.Labels)) {
						continue
					}
					types := np.Spec.PolicyTypes
					if len(types) == 0 {
						types = append(types, "Ingress")
						if len(np.Spec.Egress) > 0 {
							types = append(types, "Egress")
						}
					}
					for _, t := range types {
						covered[string(t)] = append(covered[string(t)], np.Name)
					}
					for _, r := range np.Spec.Ingress {
						if len(r.From) == 0 {
							open = append(open, np.Name+" ingress")
						}
					}
					for _, r := range np.Spec.Egress {
						if len(r.To) == 0 {
							open = append(open, np.Name+" egress")
						}
					}
				}
				var pr []string
				for _, t := range want {
					if len(covered[t]) == 0 {
						pr = append(pr, "no NetworkPolicy restricts "+t)
					}
				}
				if len(open) > 0 && !p.Bool("allowOpenRules") {
					pr = append(pr, "rules without peers allow everyone: "+strings.Join(open, ", "))
				}
				ev := map[string]any{"policies": covered}
				if len(pr) > 0 {
					out = append(out, fnd(verdict.Fail, podID(pod), podID(pod)+": "+strings.Join(pr, "; ")+gapNote(s, "NetworkPolicy"), ev))
				} else {
					out = append(out, fnd(verdict.Pass, podID(pod), fmt.Sprintf("%s is restricted for %s", podID(pod), strings.Join(want, ", ")), ev))
				}
			}
			return out, nil
		}),
	}
}

func serviceMonitor() check.Check {
	id := "cluster/service-monitor"
	return check.Check{
		ID:          id,
		Title:       "A ServiceMonitor or PodMonitor scrapes the service",
		Description: "A ServiceMonitor or PodMonitor exists with the given name (and namespace), or whose selector matches the Services (or pods) chosen by selector.",
		Needs:       needs,
		Params: []check.Param{nameParam, selectorParam,
			{Name: "namespace", Type: check.String, Description: "namespace of the monitor (empty: any)"}},
		Run: with(id, func(s *src.Snapshot, sel labels.Selector, p check.Params) ([]verdict.Finding, error) {
			var out []verdict.Finding
			for _, m := range s.Monitors {
				if ns := p.String("namespace"); ns != "" && m.Namespace != ns {
					continue
				}
				if n := p.String("name"); n != "" && m.Name != n {
					continue
				}
				ms, err := metav1.LabelSelectorAsSelector(&m.Selector)
				if err != nil {
					continue
				}
				hit := p.String("name") != "" && sel.Empty()
				if !sel.Empty() {
					hit = sel.Matches(labels.Set(m.Labels))
					var sets []map[string]string
					if m.Kind == "PodMonitor" {
						for _, pod := range runningPods(s, sel) {
							sets = append(sets, pod.Labels)
						}
					} else {
						for _, svc := range s.Services {
							if sel.Matches(labels.Set(svc.Labels)) || sel.Matches(labels.Set(svc.Spec.Selector)) {
								sets = append(sets, svc.Labels)
							}
						}
					}
					for _, l := range sets {
						if !ms.Empty() && ms.Matches(labels.Set(l)) {
							hit = true
						}
					}
				}
				if p.String("name") == "" && sel.Empty() {
					hit = true
				}
				if hit {
					obj := m.Kind + "/" + m.Namespace + "/" + m.Name
					out = append(out, fnd(verdict.Pass, obj, fmt.Sprintf("%s selects %s (ports %s)", obj, ms.String(), strings.Join(m.Ports, ", ")), map[string]any{"selector": ms.String(), "ports": m.Ports}))
				}
			}
			if len(out) == 0 {
				out = append(out, none(s, "ServiceMonitor", "no ServiceMonitor or PodMonitor "+selText(p)))
			}
			return out, nil
		}),
	}
}

func spread() check.Check {
	id := "cluster/spread"
	return check.Check{
		ID:          id,
		Title:       "Running pods are spread over nodes and zones",
		Description: "The running pods chosen by selector run on at least minNodes distinct nodes and, reading the nodes' zone label, at least minZones zones. Without Node objects the zone part is unverified.",
		Needs:       needs,
		Params: []check.Param{selectorParam,
			{Name: "minNodes", Type: check.Int, Default: 2, Description: "fewest distinct nodes"},
			{Name: "minZones", Type: check.Int, Default: 2, Description: "fewest distinct zones (0 skips)"},
			{Name: "zoneLabel", Type: check.String, Default: "topology.kubernetes.io/zone", Description: "node label holding the zone"},
		},
		Run: with(id, func(s *src.Snapshot, sel labels.Selector, p check.Params) ([]verdict.Finding, error) {
			pods := runningPods(s, sel)
			var run []*corev1.Pod
			for _, pod := range pods {
				if pod.Status.Phase == corev1.PodRunning && pod.Spec.NodeName != "" {
					run = append(run, pod)
				}
			}
			if len(run) == 0 {
				return []verdict.Finding{noPods(s, p)}, nil
			}
			nodes := map[string]bool{}
			zones := map[string]bool{}
			byName := s.NodeByName()
			unknown := 0
			for _, pod := range run {
				nodes[pod.Spec.NodeName] = true
				if n := byName[pod.Spec.NodeName]; n != nil && n.Labels[p.String("zoneLabel")] != "" {
					zones[n.Labels[p.String("zoneLabel")]] = true
				} else {
					unknown++
				}
			}
			var out []verdict.Finding
			ev := map[string]any{"nodes": keys(nodes), "pods": len(run)}
			if len(nodes) < p.Int("minNodes") {
				out = append(out, fnd(verdict.Fail, "", fmt.Sprintf("%d running pod(s) on %d node(s), want at least %d", len(run), len(nodes), p.Int("minNodes")), ev))
			} else {
				out = append(out, fnd(verdict.Pass, "", fmt.Sprintf("%d running pods on %d nodes", len(run), len(nodes)), ev))
			}
			if min := p.Int("minZones"); min > 0 {
				zev := map[string]any{"zones": keys(zones), "podsWithoutZone": unknown}
				switch {
				case len(zones) >= min:
					out = append(out, fnd(verdict.Pass, "", fmt.Sprintf("pods run in %d zones: %s", len(zones), strings.Join(keys(zones), ", ")), zev))
				case unknown > 0 && len(s.Nodes) == 0:
					out = append(out, verdict.Finding{Status: verdict.Unverified, Message: "the zones of the pods' nodes are unknown: no Node objects" + gapNote(s, "Node"), Evidence: zev,
						Hint: "include `kubectl get nodes -o yaml` in the dump, or allow listing nodes"})
				default:
					out = append(out, fnd(verdict.Fail, "", fmt.Sprintf("pods run in %d zone(s), want at least %d", len(zones), min), zev))
				}
			}
			return out, nil
		}),
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func allContainers(pod *corev1.Pod) []corev1.Container {
	return append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...)
}

func imageDigest() check.Check {
	id := "cluster/image-digest"
	return check.Check{
		ID:          id,
		Title:       "Running images are pinned by digest",
		Description: "Every container (init containers included) of the running pods chosen by selector names its image by @sha256: digest, so what runs is exactly what was scanned and approved.",
		Needs:       needs,
		Params:      []check.Param{selectorParam},
		Run: with(id, func(s *src.Snapshot, sel labels.Selector, p check.Params) ([]verdict.Finding, error) {
			pods := runningPods(s, sel)
			if len(pods) == 0 {
				return []verdict.Finding{noPods(s, p)}, nil
			}
			var out []verdict.Finding
			for _, pod := range pods {
				var bad []string
				for _, c := range allContainers(pod) {
					if !strings.Contains(c.Image, "@sha256:") {
						bad = append(bad, c.Name+"="+c.Image)
					}
				}
				if len(bad) > 0 {
					out = append(out, fnd(verdict.Fail, podID(pod), podID(pod)+": image not pinned by digest: "+strings.Join(bad, ", "), map[string]any{"images": bad}))
				} else {
					out = append(out, fnd(verdict.Pass, podID(pod), podID(pod)+": every image is pinned by digest", nil))
				}
			}
			return out, nil
		}),
	}
}

func resourceLimits() check.Check {
	id := "cluster/resource-limits"
	return check.Check{
		ID:          id,
		Title:       "Running pods have resource limits",
		Description: "Every container of the running pods chosen by selector sets a limit for each resource in resources (cpu and memory by default); init containers count when includeInit is set.",
		Needs:       needs,
		Params: []check.Param{selectorParam,
			{Name: "resources", Type: check.Strings, Default: []any{"cpu", "memory"}, Description: "resources that need a limit"},
			{Name: "includeInit", Type: check.Bool, Default: false, Description: "judge init containers too"}},
		Run: with(id, func(s *src.Snapshot, sel labels.Selector, p check.Params) ([]verdict.Finding, error) {
			pods := runningPods(s, sel)
			if len(pods) == 0 {
				return []verdict.Finding{noPods(s, p)}, nil
			}
			var out []verdict.Finding
			for _, pod := range pods {
				cs := pod.Spec.Containers
				if p.Bool("includeInit") {
					cs = allContainers(pod)
				}
				var bad []string
				lim := map[string]map[string]string{}
				for _, c := range cs {
					lim[c.Name] = map[string]string{}
					for _, r := range p.Strings("resources") {
						q, ok := c.Resources.Limits[corev1.ResourceName(r)]
						if !ok || q.IsZero() {
							bad = append(bad, c.Name+" has no "+r+" limit")
						} else {
							lim[c.Name][r] = q.String()
						}
					}
				}
				ev := map[string]any{"limits": lim}
				if len(bad) > 0 {
					out = append(out, fnd(verdict.Fail, podID(pod), podID(pod)+": "+strings.Join(bad, ", "), ev))
				} else {
					out = append(out, fnd(verdict.Pass, podID(pod), podID(pod)+": every container has "+strings.Join(p.Strings("resources"), " and ")+" limits", ev))
				}
			}
			return out, nil
		}),
	}
}

func nodeRegion() check.Check {
	id := "cluster/node-region"
	return check.Check{
		ID:          id,
		Title:       "The service runs only in approved regions",
		Description: "Reads the region label of the nodes running the chosen pods. With regions given, a node outside them (or without the label) fails, a pod on a node not read is unverified; without, the regions found are listed for a person to confirm (manual).",
		Needs:       needs,
		Params: []check.Param{selectorParam,
			{Name: "regions", Type: check.Strings, Description: "approved regions"},
			{Name: "regionLabel", Type: check.String, Default: "topology.kubernetes.io/region", Description: "node label holding the region"}},
		Run: with(id, func(s *src.Snapshot, sel labels.Selector, p check.Params) ([]verdict.Finding, error) {
			pods := runningPods(s, sel)
			if len(pods) == 0 {
				return []verdict.Finding{noPods(s, p)}, nil
			}
			byName := s.NodeByName()
			if len(byName) == 0 {
				return []verdict.Finding{{Status: verdict.Unverified, Message: "node regions are unknown: no Node objects" + gapNote(s, "Node"), Hint: "include `kubectl get nodes -o yaml` in the dump, or allow listing nodes"}}, nil
			}
			allowed := map[string]bool{}
			for _, r := range p.Strings("regions") {
				allowed[r] = true
			}
			found := map[string]bool{}
			var out []verdict.Finding
			var unknown []string
			for _, pod := range pods {
				n := byName[pod.Spec.NodeName]
				if n == nil {
					// A scheduled pod on a node not read may run anywhere:
					// the approved-only claim cannot cover it.
					if pod.Spec.NodeName != "" {
						unknown = append(unknown, podID(pod)+" on "+pod.Spec.NodeName)
					}
					continue
				}
				r := n.Labels[p.String("regionLabel")]
				found[r] = true
				if len(allowed) > 0 && !allowed[r] {
					out = append(out, fnd(verdict.Fail, podID(pod), fmt.Sprintf("%s runs on node %s in region %q, not an approved region", podID(pod), n.Name, r), map[string]any{"node": n.Name, "region": r}))
				}
			}
			ev := map[string]any{"regions": keys(found)}
			if len(unknown) > 0 && len(found) > 0 {
				out = append(out, verdict.Finding{Status: verdict.Unverified, Evidence: map[string]any{"pods": unknown},
					Message: fmt.Sprintf("the region of %d pod(s) is unknown: their nodes are not among the Node objects read", len(unknown))})
			}
			switch {
			case len(found) == 0:
				out = append(out, verdict.Finding{Status: verdict.Unverified, Message: "none of the pods' nodes is among the Node objects read"})
			case len(allowed) == 0:
				out = append(out, fnd(verdict.Manual, "", "pods run in region(s) "+strings.Join(keys(found), ", ")+": a person must confirm they are approved", ev))
			case len(out) == 0:
				out = append(out, fnd(verdict.Pass, "", "pods run only in approved region(s) "+strings.Join(keys(found), ", "), ev))
			}
			return out, nil
		}),
	}
}

var shipperRE = `fluent-?bit|fluentd|promtail|vector|otel-?collector|opentelemetry-collector|grafana-agent|alloy|filebeat|logstash|datadog|splunk|cloudwatch-agent|aws-for-fluent-bit|loki-canary|logging-agent|stackdriver|google-fluentbit|ama-logs|omsagent|sumologic|newrelic-logging|elastic-agent`

func logShipper() check.Check {
	id := "cluster/log-shipper"
	return check.Check{
		ID:          id,
		Title:       "A log shipper runs on the nodes",
		Description: "Looks in every namespace for a DaemonSet whose name or container images match pattern (Fluent Bit, Fluentd, Promtail, Vector, OpenTelemetry Collector, Grafana Alloy, Filebeat, Datadog, ...). It passes when one has all its scheduled pods ready and, with a selector, runs on every node of the chosen pods.",
		Needs:       needs,
		Params: []check.Param{selectorParam,
			{Name: "pattern", Type: check.String, Default: shipperRE, Description: "regex matched against DaemonSet names and images"}},
		Run: with(id, func(s *src.Snapshot, sel labels.Selector, p check.Params) ([]verdict.Finding, error) {
			re, err := regexp.Compile("(?i)" + p.String("pattern"))
			if err != nil {
				return nil, fmt.Errorf("pattern: %w", err)
			}
			var out []verdict.Finding
			for i := range s.DaemonSets {
				ds := &s.DaemonSets[i]
				hit := re.MatchString(ds.Name)
				for _, c := range ds.Spec.Template.Spec.Containers {
					hit = hit || re.MatchString(c.Image)
				}
				if !hit {
					continue
				}
				obj := src.ID("DaemonSet", ds.ObjectMeta)
				st := ds.Status
				ev := map[string]any{"desired": st.DesiredNumberScheduled, "ready": st.NumberReady}
				if st.DesiredNumberScheduled == 0 || st.NumberReady < st.DesiredNumberScheduled {
					out = append(out, fnd(verdict.Fail, obj, fmt.Sprintf("%s has %d of %d pods ready", obj, st.NumberReady, st.DesiredNumberScheduled), ev))
					continue
				}
				if !sel.Empty() {
					shipNodes := map[string]bool{}
					dsel, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
					if err == nil {
						for _, pod := range s.PodsSelectedBy(ds.Namespace, dsel) {
							shipNodes[pod.Spec.NodeName] = true
						}
					}
					var missing []string
					for _, pod := range runningPods(s, sel) {
						if len(shipNodes) > 0 && pod.Spec.NodeName != "" && !shipNodes[pod.Spec.NodeName] {
							missing = append(missing, pod.Spec.NodeName)
						}
					}
					if len(missing) > 0 {
						out = append(out, fnd(verdict.Fail, obj, fmt.Sprintf("%s does not run on node(s) %s where the service runs", obj, strings.Join(missing, ", ")), ev))
						continue
					}
				}
				out = append(out, fnd(verdict.Pass, obj, fmt.Sprintf("log shipper %s runs with %d/%d pods ready", obj, st.NumberReady, st.DesiredNumberScheduled), ev))
			}
			if len(out) == 0 {
				out = append(out, none(s, "DaemonSet", "no log shipper DaemonSet found"))
			}
			return out, nil
		}),
	}
}

func jobSucceeded() check.Check {
	id := "cluster/job-succeeded"
	return check.Check{
		ID:          id,
		Title:       "A Job (e.g. backup or its verification) succeeded recently",
		Description: "Among Jobs and CronJobs whose name matches pattern (and labels match selector), one must have succeeded within maxAge: a Job by its completion time, a CronJob by its last successful time.",
		Needs:       needs,
		Params: []check.Param{selectorParam,
			{Name: "pattern", Type: check.String, Default: "backup", Description: "regex on the Job or CronJob name"},
			{Name: "maxAge", Type: check.Duration, Default: "168h", Description: "the success must be this recent"}},
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			now := env.Inputs.Now
			return with(id, func(s *src.Snapshot, sel labels.Selector, p check.Params) ([]verdict.Finding, error) {
				re, err := regexp.Compile("(?i)" + p.String("pattern"))
				if err != nil {
					return nil, fmt.Errorf("pattern: %w", err)
				}
				var latest time.Time
				var latestObj string
				seen := 0
				var failed []string
				consider := func(obj string, t *metav1.Time) {
					if t != nil && t.Time.After(latest) {
						latest, latestObj = t.Time, obj
					}
				}
				for _, j := range s.Jobs {
					if !re.MatchString(j.Name) || !sel.Matches(labels.Set(j.Labels)) {
						continue
					}
					seen++
					if j.Status.Succeeded > 0 {
						consider(src.ID("Job", j.ObjectMeta), j.Status.CompletionTime)
					} else if j.Status.Failed > 0 {
						failed = append(failed, j.Name)
					}
				}
				for _, c := range s.CronJobs {
					if !re.MatchString(c.Name) || !sel.Matches(labels.Set(c.Labels)) {
						continue
					}
					seen++
					consider(src.ID("CronJob", c.ObjectMeta), c.Status.LastSuccessfulTime)
				}
				ev := map[string]any{"matched": seen, "failedJobs": failed}
				switch {
				case seen == 0:
					return []verdict.Finding{none(s, "Job", "no Job or CronJob matches "+p.String("pattern"))}, nil
				case latest.IsZero():
					return []verdict.Finding{fnd(verdict.Fail, "", fmt.Sprintf("%d Job/CronJob(s) match %s and none has succeeded", seen, p.String("pattern")), ev)}, nil
				case now.Sub(latest) > p.Duration("maxAge"):
					ev["lastSuccess"] = latest.UTC().Format(time.RFC3339)
					return []verdict.Finding{fnd(verdict.Fail, latestObj, fmt.Sprintf("last success %s was %s ago, more than %s", latestObj, now.Sub(latest).Round(time.Minute), p.Duration("maxAge")), ev)}, nil
				}
				ev["lastSuccess"] = latest.UTC().Format(time.RFC3339)
				return []verdict.Finding{fnd(verdict.Pass, latestObj, fmt.Sprintf("%s succeeded %s ago", latestObj, now.Sub(latest).Round(time.Minute)), ev)}, nil
			})(ctx, env, p)
		},
	}
}

func revisionHistory() check.Check {
	id := "cluster/revision-history"
	return check.Check{
		ID:          id,
		Title:       "A previous revision exists to roll back to",
		Description: "Each chosen Deployment keeps revision history (revisionHistoryLimit above 0) and owns at least minRevisions ReplicaSets, so `kubectl rollout undo` has a previous revision.",
		Needs:       needs,
		Params:      []check.Param{nameParam, selectorParam, {Name: "minRevisions", Type: check.Int, Default: 2, Description: "fewest ReplicaSets (revisions) kept"}},
		Run: with(id, func(s *src.Snapshot, sel labels.Selector, p check.Params) ([]verdict.Finding, error) {
			var out []verdict.Finding
			for i := range s.Deployments {
				d := &s.Deployments[i]
				if !picks(p, sel, d.ObjectMeta, d.Spec.Template.Labels) {
					continue
				}
				obj := src.ID("Deployment", d.ObjectMeta)
				limit := int32(10)
				if d.Spec.RevisionHistoryLimit != nil {
					limit = *d.Spec.RevisionHistoryLimit
				}
				var revs []string
				for _, rs := range s.ReplicaSets {
					for _, o := range rs.OwnerReferences {
						if o.Kind == "Deployment" && o.Name == d.Name && rs.Namespace == d.Namespace {
							revs = append(revs, rs.Annotations["deployment.kubernetes.io/revision"])
						}
					}
				}
				sort.Strings(revs)
				ev := map[string]any{"revisionHistoryLimit": limit, "revisions": revs}
				switch {
				case limit == 0:
					out = append(out, fnd(verdict.Fail, obj, obj+": revisionHistoryLimit is 0, no previous revision is kept", ev))
				case len(revs) < p.Int("minRevisions"):
					out = append(out, fnd(verdict.Fail, obj, fmt.Sprintf("%s: %d revision(s) kept, want at least %d to roll back%s", obj, len(revs), p.Int("minRevisions"), gapNote(s, "ReplicaSet")), ev))
				default:
					out = append(out, fnd(verdict.Pass, obj, fmt.Sprintf("%s keeps %d revisions (limit %d)", obj, len(revs), limit), ev))
				}
			}
			if len(out) == 0 {
				out = append(out, none(s, "Deployment", "no Deployment "+selText(p)))
			}
			return out, nil
		}),
	}
}

// secretRefs lists the Secrets a pod needs, leaving out optional ones.
func secretRefs(pod *corev1.Pod) []string {
	set := map[string]bool{}
	opt := func(b *bool) bool { return b != nil && *b }
	for _, c := range allContainers(pod) {
		for _, e := range c.EnvFrom {
			if e.SecretRef != nil && !opt(e.SecretRef.Optional) {
				set[e.SecretRef.Name] = true
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && !opt(e.ValueFrom.SecretKeyRef.Optional) {
				set[e.ValueFrom.SecretKeyRef.Name] = true
			}
		}
	}
	for _, v := range pod.Spec.Volumes {
		if v.Secret != nil && !opt(v.Secret.Optional) {
			set[v.Secret.SecretName] = true
		}
		if v.Projected != nil {
			for _, s := range v.Projected.Sources {
				if s.Secret != nil && !opt(s.Secret.Optional) {
					set[s.Secret.Name] = true
				}
			}
		}
	}
	for _, s := range pod.Spec.ImagePullSecrets {
		set[s.Name] = true
	}
	return keys(set)
}

func secretsPresent() check.Check {
	id := "cluster/secrets-present"
	return check.Check{
		ID:          id,
		Title:       "Every Secret the pods reference exists and is mounted",
		Description: "For the pods chosen by selector: every non-optional Secret referenced by env, envFrom, volumes or imagePullSecrets exists (only names are read, never values), and no container waits in CreateContainerConfigError or ContainerCreating because of it.",
		Needs:       needs,
		Params:      []check.Param{selectorParam},
		Run: with(id, func(s *src.Snapshot, sel labels.Selector, p check.Params) ([]verdict.Finding, error) {
			pods := runningPods(s, sel)
			if len(pods) == 0 {
				return []verdict.Finding{noPods(s, p)}, nil
			}
			known := s.Gap("Secret") == ""
			var out []verdict.Finding
			for _, pod := range pods {
				refs := secretRefs(pod)
				var pr []string
				if known {
					for _, r := range refs {
						if !s.SecretExists(pod.Namespace, r) {
							pr = append(pr, "Secret "+r+" does not exist")
						}
					}
				}
				for _, w := range waiting(pod) {
					if strings.Contains(w, "CreateContainerConfigError") || strings.Contains(w, "ContainerCreating") {
						pr = append(pr, w)
					}
				}
				ev := map[string]any{"secrets": refs}
				switch {
				case len(pr) > 0:
					out = append(out, fnd(verdict.Fail, podID(pod), podID(pod)+": "+strings.Join(pr, "; "), ev))
				case !known && len(refs) > 0 && !src.PodReady(pod):
					out = append(out, verdict.Finding{Status: verdict.Unverified, Object: podID(pod), Evidence: ev, Message: podID(pod) + ": Secrets could not be listed" + gapNote(s, "Secret")})
				default:
					out = append(out, fnd(verdict.Pass, podID(pod), fmt.Sprintf("%s: %d referenced Secret(s) present", podID(pod), len(refs)), ev))
				}
			}
			return out, nil
		}),
	}
}

func loadBalancer() check.Check {
	id := "cluster/load-balancer"
	return check.Check{
		ID:          id,
		Title:       "The load balancer has an external address",
		Description: "Each LoadBalancer Service and each Ingress chosen by name or selector has an address in status.loadBalancer.ingress.",
		Needs:       needs,
		Params:      []check.Param{nameParam, selectorParam},
		Run: with(id, func(s *src.Snapshot, sel labels.Selector, p check.Params) ([]verdict.Finding, error) {
			var out []verdict.Finding
			judge := func(obj string, n int, addrs []string) {
				if n == 0 {
					out = append(out, fnd(verdict.Fail, obj, obj+" has no external address yet (pending)", nil))
				} else {
					out = append(out, fnd(verdict.Pass, obj, obj+" is reachable at "+strings.Join(addrs, ", "), map[string]any{"addresses": addrs}))
				}
			}
			for _, svc := range s.Services {
				if svc.Spec.Type != corev1.ServiceTypeLoadBalancer || !picks(p, sel, svc.ObjectMeta, svc.Spec.Selector) {
					continue
				}
				var a []string
				for _, in := range svc.Status.LoadBalancer.Ingress {
					a = append(a, in.IP+in.Hostname)
				}
				judge(src.ID("Service", svc.ObjectMeta), len(a), a)
			}
			for _, ing := range s.Ingresses {
				if !picks(p, sel, ing.ObjectMeta, nil) {
					continue
				}
				var a []string
				for _, in := range ing.Status.LoadBalancer.Ingress {
					a = append(a, in.IP+in.Hostname)
				}
				judge(src.ID("Ingress", ing.ObjectMeta), len(a), a)
			}
			if len(out) == 0 {
				out = append(out, none(s, "Service", "no LoadBalancer Service or Ingress "+selText(p)))
			}
			return out, nil
		}),
	}
}

func resourceQuota() check.Check {
	id := "cluster/resource-quota"
	return check.Check{
		ID:          id,
		Title:       "The namespace has a ResourceQuota and a LimitRange",
		Description: "The application namespace (the one read, or namespace) has at least one ResourceQuota and, unless limitRange is false, a LimitRange.",
		Needs:       needs,
		Params: []check.Param{
			{Name: "namespace", Type: check.String, Description: "namespace to judge (empty: the one read; with a dump, every namespace holding pods)"},
			{Name: "limitRange", Type: check.Bool, Default: true, Description: "a LimitRange is required too"}},
		Run: with(id, func(s *src.Snapshot, _ labels.Selector, p check.Params) ([]verdict.Finding, error) {
			nss := map[string]bool{}
			switch {
			case p.String("namespace") != "":
				nss[p.String("namespace")] = true
			case s.Namespace != "":
				nss[s.Namespace] = true
			default:
				for _, pod := range s.Pods {
					nss[pod.Namespace] = true
				}
			}
			if len(nss) == 0 {
				return []verdict.Finding{noPods(s, p)}, nil
			}
			var out []verdict.Finding
			for _, ns := range keys(nss) {
				var q, l []string
				for _, r := range s.ResourceQuotas {
					if r.Namespace == ns {
						q = append(q, r.Name)
					}
				}
				for _, r := range s.LimitRanges {
					if r.Namespace == ns {
						l = append(l, r.Name)
					}
				}
				obj := "Namespace//" + ns
				ev := map[string]any{"resourceQuotas": q, "limitRanges": l}
				var pr []string
				if len(q) == 0 {
					pr = append(pr, "no ResourceQuota"+gapNote(s, "ResourceQuota"))
				}
				if len(l) == 0 && p.Bool("limitRange") {
					pr = append(pr, "no LimitRange"+gapNote(s, "LimitRange"))
				}
				if len(pr) > 0 {
					out = append(out, fnd(verdict.Fail, obj, "namespace "+ns+": "+strings.Join(pr, ", "), ev))
				} else {
					out = append(out, fnd(verdict.Pass, obj, "namespace "+ns+" has ResourceQuota "+strings.Join(q, ", ")+" and LimitRange "+strings.Join(l, ", "), ev))
				}
			}
			return out, nil
		}),
	}
}
