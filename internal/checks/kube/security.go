package kube

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"golive.dev/golive/internal/check"
	ks "golive.dev/golive/internal/source/kube"
)

func resourceChecks() []check.Check {
	return []check.Check{
		workloadCheck("k8s/resources", "Containers set resource requests and limits",
			"Every container (init containers too) sets the listed requests and limits; with memoryLimitAboveRequest the memory limit must be strictly above the request.",
			allWorkloads, []check.Param{
				{Name: "requests", Type: check.Strings, Default: []any{"cpu", "memory"}},
				{Name: "limits", Type: check.Strings, Default: []any{"cpu", "memory"}},
				{Name: "memoryLimitAboveRequest", Type: check.Bool, Default: false},
				{Name: "initContainers", Type: check.Bool, Default: true},
			}, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				var out []problem
				for _, c := range containersOf(w, p.Bool("initContainers")) {
					r := c.c.Resources
					for _, n := range p.Strings("requests") {
						if _, ok := r.Requests[corev1.ResourceName(n)]; !ok {
							out = append(out, prob(c.path+".resources.requests", fmt.Sprintf("container %s has no %s request", c.c.Name, n), "expected", "resources.requests."+n))
						}
					}
					for _, n := range p.Strings("limits") {
						if _, ok := r.Limits[corev1.ResourceName(n)]; !ok {
							out = append(out, prob(c.path+".resources.limits", fmt.Sprintf("container %s has no %s limit", c.c.Name, n), "expected", "resources.limits."+n))
						}
					}
					if p.Bool("memoryLimitAboveRequest") {
						l, lok := r.Limits[corev1.ResourceMemory]
						q, qok := r.Requests[corev1.ResourceMemory]
						if lok && qok && l.Cmp(q) <= 0 {
							out = append(out, prob(c.path+".resources.limits.memory", fmt.Sprintf("container %s memory limit %s leaves no headroom over the request %s", c.c.Name, l.String(), q.String()), "found", l.String(), "expected", "> "+q.String()))
						}
					}
				}
				return out
			}),
		workloadCheck("k8s/resource-minimums", "Containers get at least the minimum CPU and memory",
			"The main containers' requests (and limits, with field both) are at least cpu and memory (e.g. 500m, 1Gi).",
			allWorkloads, []check.Param{
				{Name: "cpu", Type: check.String, Description: "minimum CPU, e.g. 500m or 0.5"},
				{Name: "memory", Type: check.String, Description: "minimum memory, e.g. 1Gi"},
				{Name: "field", Type: check.String, Default: "requests", Description: "requests, limits or both"},
			}, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				var out []problem
				fields := []string{p.String("field")}
				if fields[0] == "both" {
					fields = []string{"requests", "limits"}
				}
				for _, c := range containersOf(w, false) {
					for _, f := range fields {
						list := c.c.Resources.Requests
						if f == "limits" {
							list = c.c.Resources.Limits
						}
						for _, n := range []string{"cpu", "memory"} {
							want := p.String(n)
							if want == "" {
								continue
							}
							min, err := parseQuantity(want)
							if err != nil {
								return []problem{prob("", fmt.Sprintf("parameter %s %q: %v", n, want, err))}
							}
							got, ok := list[corev1.ResourceName(n)]
							if !ok {
								out = append(out, prob(c.path+".resources."+f, fmt.Sprintf("container %s sets no %s %s (want >= %s)", c.c.Name, n, f, want), "expected", ">= "+want))
							} else if got.Cmp(min) < 0 {
								out = append(out, prob(c.path+".resources."+f+"."+n, fmt.Sprintf("container %s %s %s %s below %s", c.c.Name, n, f, got.String(), want), "found", got.String(), "expected", ">= "+want))
							}
						}
					}
				}
				return out
			}),
		workloadCheck("k8s/ephemeral-storage", "Containers bound their ephemeral storage",
			"Every container sets an ephemeral-storage request and limit (kube-score container-ephemeral-storage-request-and-limit).",
			allWorkloads, nil, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				var out []problem
				for _, c := range containersOf(w, false) {
					if _, ok := c.c.Resources.Limits[corev1.ResourceEphemeralStorage]; !ok {
						out = append(out, prob(c.path+".resources", fmt.Sprintf("container %s has no ephemeral-storage limit", c.c.Name), "expected", "resources.limits.ephemeral-storage"))
					}
				}
				return out
			}),
		workloadCheck("k8s/requests-equal-limits", "Requests equal limits (Guaranteed QoS)",
			"For the listed resources the request equals the limit (kube-score optional container-resource-requests-equal-limits).",
			allWorkloads, []check.Param{{Name: "resources", Type: check.Strings, Default: []any{"memory"}}},
			func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				var out []problem
				for _, c := range containersOf(w, false) {
					for _, n := range p.Strings("resources") {
						l, lok := c.c.Resources.Limits[corev1.ResourceName(n)]
						r, rok := c.c.Resources.Requests[corev1.ResourceName(n)]
						if !lok || !rok || l.Cmp(r) != 0 {
							out = append(out, prob(c.path+".resources", fmt.Sprintf("container %s %s request %s differs from limit %s", c.c.Name, n, r.String(), l.String()), "found", r.String(), "expected", l.String()))
						}
					}
				}
				return out
			}),
	}
}

// parseQuantity also accepts "1GB" style sizes that checklists use.
func parseQuantity(s string) (resource.Quantity, error) {
	s = strings.TrimSpace(s)
	for _, suf := range []string{"GB", "MB", "KB", "TB"} {
		if strings.HasSuffix(s, suf) {
			s = strings.TrimSuffix(s, "B")
		}
	}
	return resource.ParseQuantity(s)
}

// effective security settings: the container's value wins over the pod's.
func runAsNonRoot(pod *corev1.PodSpec, c *corev1.Container) (bool, string) {
	sc, psc := c.SecurityContext, pod.SecurityContext
	if sc != nil && sc.RunAsUser != nil {
		return *sc.RunAsUser > 0, fmt.Sprintf("runAsUser %d", *sc.RunAsUser)
	}
	if sc != nil && sc.RunAsNonRoot != nil {
		return *sc.RunAsNonRoot, fmt.Sprintf("runAsNonRoot %v", *sc.RunAsNonRoot)
	}
	if psc != nil && psc.RunAsUser != nil {
		return *psc.RunAsUser > 0, fmt.Sprintf("pod runAsUser %d", *psc.RunAsUser)
	}
	if psc != nil && psc.RunAsNonRoot != nil {
		return *psc.RunAsNonRoot, fmt.Sprintf("pod runAsNonRoot %v", *psc.RunAsNonRoot)
	}
	return false, "not set"
}

type ctrRule func(w *ks.Workload, c ctr, p check.Params) *problem

func ctrCheck(id, title, desc string, params []check.Param, withInit bool, rule ctrRule) check.Check {
	return workloadCheck(id, title, desc, allWorkloads, params, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
		var out []problem
		for _, c := range containersOf(w, withInit) {
			if pr := rule(w, c, p); pr != nil {
				out = append(out, *pr)
			}
		}
		return out
	})
}

func podRule(id, title, desc string, params []check.Param, rule func(w *ks.Workload, p check.Params) []problem) check.Check {
	return workloadCheck(id, title, desc, allWorkloads, params, func(s *ks.Set, w *ks.Workload, p check.Params) []problem { return rule(w, p) })
}

func pp(path, msg string, kv ...any) *problem { x := prob(path, msg, kv...); return &x }

func ruleNonRoot(w *ks.Workload, c ctr, p check.Params) *problem {
	if ok, how := runAsNonRoot(&w.Template.Spec, c.c); !ok {
		return pp(c.path+".securityContext", fmt.Sprintf("container %s may run as root (%s)", c.c.Name, how), "found", how, "expected", "runAsNonRoot: true or runAsUser > 0")
	}
	return nil
}

func ruleReadOnlyFS(w *ks.Workload, c ctr, p check.Params) *problem {
	sc := c.c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		return pp(c.path+".securityContext.readOnlyRootFilesystem", fmt.Sprintf("container %s root filesystem is writable", c.c.Name), "expected", "readOnlyRootFilesystem: true")
	}
	return nil
}

func ruleNoPrivEsc(w *ks.Workload, c ctr, p check.Params) *problem {
	sc := c.c.SecurityContext
	if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		return pp(c.path+".securityContext.allowPrivilegeEscalation", fmt.Sprintf("container %s allows privilege escalation", c.c.Name), "expected", "allowPrivilegeEscalation: false")
	}
	return nil
}

func ruleDropAll(w *ks.Workload, c ctr, p check.Params) *problem {
	sc := c.c.SecurityContext
	if sc != nil && sc.Capabilities != nil {
		for _, d := range sc.Capabilities.Drop {
			if strings.EqualFold(string(d), "ALL") {
				return nil
			}
		}
	}
	return pp(c.path+".securityContext.capabilities.drop", fmt.Sprintf("container %s does not drop ALL capabilities", c.c.Name), "expected", "capabilities.drop: [ALL]")
}

func securityChecks() []check.Check {
	return []check.Check{
		ctrCheck("k8s/run-as-non-root", "Containers run as a non-root user", "runAsNonRoot: true or a non-zero runAsUser on the container or the pod.", nil, true, ruleNonRoot),
		ctrCheck("k8s/read-only-root-fs", "Containers have a read-only root filesystem", "securityContext.readOnlyRootFilesystem: true.", nil, true, ruleReadOnlyFS),
		ctrCheck("k8s/privilege-escalation", "Containers cannot escalate privileges", "securityContext.allowPrivilegeEscalation: false, written explicitly.", nil, true, ruleNoPrivEsc),
		ctrCheck("k8s/drop-capabilities", "Containers drop all capabilities", "securityContext.capabilities.drop includes ALL (which also covers NET_RAW).", nil, true, ruleDropAll),
		workloadCheck("k8s/pod-security", "Pods are hardened: non-root, read-only, no escalation, no capabilities",
			"Every container runs as non-root, has a read-only root filesystem, disallows privilege escalation and drops ALL capabilities; each part can be turned off.",
			allWorkloads, []check.Param{
				{Name: "runAsNonRoot", Type: check.Bool, Default: true}, {Name: "readOnlyRootFilesystem", Type: check.Bool, Default: true},
				{Name: "noPrivilegeEscalation", Type: check.Bool, Default: true}, {Name: "dropAll", Type: check.Bool, Default: true},
			}, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				var out []problem
				rules := []struct {
					on string
					r  ctrRule
				}{{"runAsNonRoot", ruleNonRoot}, {"readOnlyRootFilesystem", ruleReadOnlyFS}, {"noPrivilegeEscalation", ruleNoPrivEsc}, {"dropAll", ruleDropAll}}
				for _, c := range containersOf(w, true) {
					for _, r := range rules {
						if p.Bool(r.on) {
							if pr := r.r(w, c, p); pr != nil {
								out = append(out, *pr)
							}
						}
					}
				}
				return out
			}),
		ctrCheck("k8s/privileged", "No privileged containers", "securityContext.privileged is not true.", nil, true, func(w *ks.Workload, c ctr, p check.Params) *problem {
			if sc := c.c.SecurityContext; sc != nil && sc.Privileged != nil && *sc.Privileged {
				return pp(c.path+".securityContext.privileged", fmt.Sprintf("container %s is privileged", c.c.Name), "found", true, "expected", false)
			}
			return nil
		}),
		ctrCheck("k8s/dangerous-capabilities", "No dangerous capabilities are added", "capabilities.add contains none of the forbidden capabilities.",
			[]check.Param{{Name: "forbidden", Type: check.Strings, Default: []any{"ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "NET_RAW", "DAC_READ_SEARCH", "BPF"}}}, true,
			func(w *ks.Workload, c ctr, p check.Params) *problem {
				sc := c.c.SecurityContext
				if sc == nil || sc.Capabilities == nil {
					return nil
				}
				for _, a := range sc.Capabilities.Add {
					for _, f := range p.Strings("forbidden") {
						if strings.EqualFold(strings.TrimPrefix(string(a), "CAP_"), f) {
							return pp(c.path+".securityContext.capabilities.add", fmt.Sprintf("container %s adds capability %s", c.c.Name, a), "found", string(a))
						}
					}
				}
				return nil
			}),
		podRule("k8s/host-namespaces", "Pods do not share the host's network, PID or IPC namespace", "hostNetwork, hostPID and hostIPC are not true.", nil, func(w *ks.Workload, p check.Params) []problem {
			var out []problem
			sp := &w.Template.Spec
			for name, v := range map[string]bool{"hostNetwork": sp.HostNetwork, "hostPID": sp.HostPID, "hostIPC": sp.HostIPC} {
				if v {
					out = append(out, prob(w.PodPath()+"."+name, name+" is true", "found", true, "expected", false))
				}
			}
			return out
		}),
		podRule("k8s/host-path", "Pods do not mount host paths", "No hostPath volumes, except the allowed paths.",
			[]check.Param{{Name: "allowPaths", Type: check.Strings, Default: []any{}}}, func(w *ks.Workload, p check.Params) []problem {
				var out []problem
			vols:
				for i, v := range w.Template.Spec.Volumes {
					if v.HostPath == nil {
						continue
					}
					for _, a := range p.Strings("allowPaths") {
						if v.HostPath.Path == a {
							continue vols
						}
					}
					out = append(out, prob(fmt.Sprintf("%s.volumes[%d].hostPath", w.PodPath(), i), "volume "+v.Name+" mounts host path "+v.HostPath.Path, "found", v.HostPath.Path))
				}
				return out
			}),
		podRule("k8s/docker-sock", "Pods do not mount the container runtime socket", "No hostPath volume mounts docker.sock, containerd.sock or crio.sock (kube-linter docker-sock).", nil, func(w *ks.Workload, p check.Params) []problem {
			var out []problem
			for i, v := range w.Template.Spec.Volumes {
				if v.HostPath != nil && (strings.Contains(v.HostPath.Path, "docker.sock") || strings.Contains(v.HostPath.Path, "containerd.sock") || strings.Contains(v.HostPath.Path, "crio.sock")) {
					out = append(out, prob(fmt.Sprintf("%s.volumes[%d].hostPath.path", w.PodPath(), i), "volume "+v.Name+" mounts the runtime socket "+v.HostPath.Path, "found", v.HostPath.Path))
				}
			}
			return out
		}),
		ctrCheck("k8s/host-port", "Containers do not bind host ports", "No container port sets hostPort.", nil, true, func(w *ks.Workload, c ctr, p check.Params) *problem {
			for i, port := range c.c.Ports {
				if port.HostPort != 0 {
					return pp(fmt.Sprintf("%s.ports[%d].hostPort", c.path, i), fmt.Sprintf("container %s binds host port %d", c.c.Name, port.HostPort), "found", port.HostPort)
				}
			}
			return nil
		}),
		ctrCheck("k8s/ssh-port", "Containers do not expose SSH", "No container port 22 (kube-linter ssh-port).", nil, false, func(w *ks.Workload, c ctr, p check.Params) *problem {
			for i, port := range c.c.Ports {
				if port.ContainerPort == 22 {
					return pp(fmt.Sprintf("%s.ports[%d].containerPort", c.path, i), fmt.Sprintf("container %s exposes port 22", c.c.Name), "found", 22)
				}
			}
			return nil
		}),
		ctrCheck("k8s/privileged-ports", "Containers do not listen on privileged ports", "No containerPort below 1024 (kube-linter privileged-ports).", nil, false, func(w *ks.Workload, c ctr, p check.Params) *problem {
			for i, port := range c.c.Ports {
				if port.ContainerPort > 0 && port.ContainerPort < 1024 {
					return pp(fmt.Sprintf("%s.ports[%d].containerPort", c.path, i), fmt.Sprintf("container %s listens on privileged port %d", c.c.Name, port.ContainerPort), "found", port.ContainerPort, "expected", ">= 1024")
				}
			}
			return nil
		}),
		ctrCheck("k8s/seccomp", "Containers run with a seccomp profile", "seccompProfile type RuntimeDefault or Localhost on the container or the pod.", nil, true, func(w *ks.Workload, c ctr, p check.Params) *problem {
			var t corev1.SeccompProfileType
			if sc := w.Template.Spec.SecurityContext; sc != nil && sc.SeccompProfile != nil {
				t = sc.SeccompProfile.Type
			}
			if sc := c.c.SecurityContext; sc != nil && sc.SeccompProfile != nil {
				t = sc.SeccompProfile.Type
			}
			if t != corev1.SeccompProfileTypeRuntimeDefault && t != corev1.SeccompProfileTypeLocalhost {
				found := string(t)
				if found == "" {
					found = "not set"
				}
				return pp(c.path+".securityContext", fmt.Sprintf("container %s seccomp profile: %s", c.c.Name, found), "found", found, "expected", "RuntimeDefault")
			}
			return nil
		}),
		ctrCheck("k8s/proc-mount", "Containers keep /proc masked", "securityContext.procMount is not Unmasked.", nil, true, func(w *ks.Workload, c ctr, p check.Params) *problem {
			if sc := c.c.SecurityContext; sc != nil && sc.ProcMount != nil && *sc.ProcMount == corev1.UnmaskedProcMount {
				return pp(c.path+".securityContext.procMount", fmt.Sprintf("container %s unmasks /proc", c.c.Name), "found", "Unmasked")
			}
			return nil
		}),
		podRule("k8s/unsafe-sysctls", "Pods set only safe sysctls", "Pod securityContext.sysctls are in the Kubernetes safe set.", nil, func(w *ks.Workload, p check.Params) []problem {
			safe := map[string]bool{"kernel.shm_rmid_forced": true, "net.ipv4.ip_local_port_range": true, "net.ipv4.tcp_syncookies": true, "net.ipv4.ping_group_range": true, "net.ipv4.ip_unprivileged_port_start": true, "net.ipv4.ip_local_reserved_ports": true, "net.ipv4.tcp_keepalive_time": true, "net.ipv4.tcp_fin_timeout": true, "net.ipv4.tcp_keepalive_intvl": true, "net.ipv4.tcp_keepalive_probes": true}
			var out []problem
			if sc := w.Template.Spec.SecurityContext; sc != nil {
				for i, s := range sc.Sysctls {
					if !safe[s.Name] {
						out = append(out, prob(fmt.Sprintf("%s.securityContext.sysctls[%d]", w.PodPath(), i), "unsafe sysctl "+s.Name, "found", s.Name))
					}
				}
			}
			return out
		}),
		ctrCheck("k8s/high-uid", "Containers run with a high user and group id", "runAsUser and runAsGroup (container or pod) are above min, avoiding clashes with host users (kube-score container-security-context-user-group-id).",
			[]check.Param{{Name: "min", Type: check.Int, Default: 10000}}, false, func(w *ks.Workload, c ctr, p check.Params) *problem {
				var uid, gid *int64
				if sc := w.Template.Spec.SecurityContext; sc != nil {
					uid, gid = sc.RunAsUser, sc.RunAsGroup
				}
				if sc := c.c.SecurityContext; sc != nil {
					if sc.RunAsUser != nil {
						uid = sc.RunAsUser
					}
					if sc.RunAsGroup != nil {
						gid = sc.RunAsGroup
					}
				}
				min := int64(p.Int("min"))
				if uid == nil || *uid < min || gid == nil || *gid < min {
					return pp(c.path+".securityContext", fmt.Sprintf("container %s user/group id below %d", c.c.Name, min), "found", fmt.Sprintf("uid=%s gid=%s", ptrStr(uid), ptrStr(gid)), "expected", fmt.Sprintf("> %d", min))
				}
				return nil
			}),
		workloadCheck("k8s/service-account", "Pods use a dedicated service account",
			"serviceAccountName is set and not default; with requireExisting the ServiceAccount must be among the objects. The deprecated serviceAccount field is reported.",
			allWorkloads, []check.Param{{Name: "requireExisting", Type: check.Bool, Default: false}},
			func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				sp := &w.Template.Spec
				var out []problem
				if sp.DeprecatedServiceAccount != "" && sp.ServiceAccountName == "" {
					out = append(out, prob(w.PodPath()+".serviceAccount", "uses the deprecated serviceAccount field", "expected", "serviceAccountName"))
				}
				sa := sp.ServiceAccountName
				if sa == "" {
					sa = sp.DeprecatedServiceAccount
				}
				if sa == "" || sa == "default" {
					return append(out, prob(w.PodPath(), "runs as the namespace's default service account", "found", "default", "expected", "a dedicated serviceAccountName"))
				}
				if p.Bool("requireExisting") && serviceAccount(s, w, sa) == nil {
					out = append(out, prob(w.PodPath()+".serviceAccountName", "ServiceAccount "+sa+" is not defined among the objects", "found", sa))
				}
				return out
			}),
		workloadCheck("k8s/automount-token", "Service account tokens are mounted only when needed",
			"automountServiceAccountToken is false on the pod, or on its ServiceAccount when the pod leaves it unset (Polaris automountServiceAccountToken).",
			allWorkloads, nil, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				sp := &w.Template.Spec
				if sp.AutomountServiceAccountToken != nil {
					if *sp.AutomountServiceAccountToken {
						return []problem{prob(w.PodPath()+".automountServiceAccountToken", "automountServiceAccountToken is true", "found", true, "expected", false)}
					}
					return nil
				}
				if sa := serviceAccount(s, w, sp.ServiceAccountName); sa != nil {
					if t, ok := sa.Typed().(*corev1.ServiceAccount); ok && t.AutomountServiceAccountToken != nil && !*t.AutomountServiceAccountToken {
						return nil
					}
				}
				return []problem{prob(w.PodPath(), "automountServiceAccountToken not disabled on the pod or its ServiceAccount", "expected", "automountServiceAccountToken: false")}
			}),
		workloadCheck("k8s/image-tag", "Images are pinned to a version",
			"Every image has a tag other than latest (or a digest); with requireDigest a sha256 digest is required, with requireTagAndDigest both.",
			allWorkloads, []check.Param{
				{Name: "requireDigest", Type: check.Bool, Default: false},
				{Name: "requireTagAndDigest", Type: check.Bool, Default: false},
			}, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				var out []problem
				for _, c := range containersOf(w, true) {
					ref := parseImage(c.c.Image)
					fp := c.path + ".image"
					switch {
					case ref.digest == "" && (ref.tag == "" || ref.tag == "latest"):
						out = append(out, prob(fp, fmt.Sprintf("container %s image %s is not pinned (no tag or :latest)", c.c.Name, c.c.Image), "found", c.c.Image, "expected", "image:version"))
					case p.Bool("requireTagAndDigest") && (ref.digest == "" || ref.tag == ""):
						out = append(out, prob(fp, fmt.Sprintf("container %s image %s lacks a tag and a digest", c.c.Name, c.c.Image), "found", c.c.Image, "expected", "image:version@sha256:..."))
					case p.Bool("requireDigest") && ref.digest == "":
						out = append(out, prob(fp, fmt.Sprintf("container %s image %s has no digest", c.c.Name, c.c.Image), "found", c.c.Image, "expected", "image@sha256:..."))
					}
				}
				return out
			}),
		workloadCheck("k8s/image-registry", "Images come from allowed registries",
			"Every image reference starts with one of allowed (registry host or host/path prefix). With no allow-list, images from public registries (Docker Hub, ghcr.io, quay.io, registry.k8s.io, gcr.io, public.ecr.aws, mcr.microsoft.com) fail.",
			allWorkloads, []check.Param{
				{Name: "allowed", Type: check.Strings, Default: []any{}, Description: "allowed registry prefixes, e.g. registry.example.com/team"},
				{Name: "public", Type: check.Strings, Default: []any{"docker.io", "ghcr.io", "quay.io", "registry.k8s.io", "k8s.gcr.io", "gcr.io", "public.ecr.aws", "mcr.microsoft.com", "registry.gitlab.com"}},
			}, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				var out []problem
				for _, c := range containersOf(w, true) {
					ref := parseImage(c.c.Image)
					full := ref.registry + "/" + ref.repo
					if allowed := p.Strings("allowed"); len(allowed) > 0 {
						ok := false
						for _, a := range allowed {
							a = strings.TrimSuffix(a, "/")
							if full == a || strings.HasPrefix(full, a+"/") || ref.registry == a {
								ok = true
							}
						}
						if !ok {
							out = append(out, prob(c.path+".image", fmt.Sprintf("container %s image %s is not from an allowed registry", c.c.Name, c.c.Image), "found", ref.registry, "expected", allowed))
						}
						continue
					}
					for _, pub := range p.Strings("public") {
						if ref.registry == pub {
							out = append(out, prob(c.path+".image", fmt.Sprintf("container %s image %s is pulled from public registry %s", c.c.Name, c.c.Image, pub), "found", ref.registry, "expected", "a private registry"))
						}
					}
				}
				return out
			}),
		ctrCheck("k8s/image-pull-policy", "Images are pulled with the expected policy", "imagePullPolicy equals want (Polaris pullPolicyNotAlways); unset counts as the Kubernetes default for the tag.",
			[]check.Param{{Name: "want", Type: check.String, Default: "Always"}}, true, func(w *ks.Workload, c ctr, p check.Params) *problem {
				pol := string(c.c.ImagePullPolicy)
				if pol == "" {
					pol = "IfNotPresent"
					if r := parseImage(c.c.Image); r.digest == "" && (r.tag == "" || r.tag == "latest") {
						pol = "Always"
					}
				}
				if pol != p.String("want") {
					return pp(c.path+".imagePullPolicy", fmt.Sprintf("container %s imagePullPolicy %s", c.c.Name, pol), "found", pol, "expected", p.String("want"))
				}
				return nil
			}),
	}
}

func ptrStr(p *int64) string {
	if p == nil {
		return "unset"
	}
	return fmt.Sprint(*p)
}

func serviceAccount(s *ks.Set, w *ks.Workload, name string) *ks.Object {
	if name == "" {
		name = "default"
	}
	return s.Lookup("ServiceAccount", s.Namespace(w.Object), name)
}

type imageRef struct{ registry, repo, tag, digest string }

// parseImage splits an image reference the way container runtimes read it:
// a first component with a dot, a colon or "localhost" is a registry,
// otherwise the image is on Docker Hub.
func parseImage(img string) imageRef {
	var r imageRef
	if i := strings.Index(img, "@"); i >= 0 {
		r.digest, img = img[i+1:], img[:i]
	}
	if i := strings.LastIndex(img, ":"); i >= 0 && !strings.Contains(img[i:], "/") {
		r.tag, img = img[i+1:], img[:i]
	}
	first, rest, found := strings.Cut(img, "/")
	if found && (strings.ContainsAny(first, ".:") || first == "localhost") {
		r.registry, r.repo = first, rest
	} else {
		r.registry, r.repo = "docker.io", img
	}
	if r.registry == "index.docker.io" || r.registry == "registry-1.docker.io" {
		r.registry = "docker.io"
	}
	return r
}
