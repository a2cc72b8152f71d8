package kube

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/mask"
	"golive.dev/golive/internal/source"
	ks "golive.dev/golive/internal/source/kube"
	"golive.dev/golive/internal/verdict"
)

const defaultSensitive = `(?i)(passw(or)?d|passwd|secret|token|api[_-]?key|apikey|private[_-]?key|credential|access[_-]?key|client[_-]?secret|auth[_-]?key|dsn|database[_-]?url|db[_-]?url|conn(ection)?[_-]?string)`

// secretValue matches values that are secrets whatever their key: private
// keys, credentials embedded in URLs, cloud keys, JWTs.
var secretValue = regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----|[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@|AKIA[0-9A-Z]{16}|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.|gh[pousr]_[A-Za-z0-9]{30,}|xox[abpr]-[A-Za-z0-9-]{10,}`)

// placeholder values are not secrets: templates, references, empties.
var placeholder = regexp.MustCompile(`^\s*$|^\$\{?[A-Za-z_]|^<.*>$|^(changeme|change-me|xxx+|\*+|redacted|none|null|false|true|\d{1,6})$`)

func configChecks() []check.Check {
	return []check.Check{
		workloadCheck("k8s/env-secrets", "Sensitive environment variables come from secrets",
			"Env vars whose names look sensitive (password, token, api key, DSN, ...) take their value from secretKeyRef or a Secret via envFrom, never a literal or a ConfigMap; literal values that are secrets (private keys, credentials in URLs, cloud keys) fail whatever the name. With requireExternalStore the referenced Secret must not be committed as a plain Secret (an ExternalSecret, SealedSecret or a Secret created outside the repo passes).",
			allWorkloads, []check.Param{
				{Name: "pattern", Type: check.String, Default: defaultSensitive, Description: "regexp for sensitive variable names"},
				{Name: "requireExternalStore", Type: check.Bool, Default: false},
			}, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				re, err := compileRe(s, p.String("pattern"))
				if err != nil {
					return []problem{prob("", "parameter pattern: "+err.Error())}
				}
				var out []problem
				for _, c := range containersOf(w, true) {
					for i, e := range c.c.Env {
						fp := fmt.Sprintf("%s.env[%d]", c.path, i)
						sensitive := re.MatchString(e.Name)
						switch {
						case e.ValueFrom == nil && e.Value != "" && secretValue.MatchString(e.Value):
							out = append(out, prob(fp+".value", fmt.Sprintf("container %s env %s holds a literal secret", c.c.Name, e.Name), "found", mask.Value(e.Value), "expected", "valueFrom.secretKeyRef"))
						case sensitive && e.ValueFrom == nil && !placeholder.MatchString(e.Value):
							out = append(out, prob(fp+".value", fmt.Sprintf("container %s env %s is set literally", c.c.Name, e.Name), "found", "literal value ****", "expected", "valueFrom.secretKeyRef"))
						case sensitive && e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil:
							out = append(out, prob(fp+".valueFrom", fmt.Sprintf("container %s env %s comes from ConfigMap %s", c.c.Name, e.Name, e.ValueFrom.ConfigMapKeyRef.Name), "found", "configMapKeyRef", "expected", "secretKeyRef"))
						case sensitive && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && p.Bool("requireExternalStore"):
							if sec := literalSecret(s, w.Object, e.ValueFrom.SecretKeyRef.Name); sec != nil {
								out = append(out, prob(fp+".valueFrom.secretKeyRef", fmt.Sprintf("container %s env %s reads Secret %s, which is committed with its data (%s:%d)", c.c.Name, e.Name, sec.Name, sec.File, sec.Line), "found", "plain Secret in the repo", "expected", "ExternalSecret, SealedSecret or a secret store"))
							}
						}
					}
					for i, ef := range c.c.EnvFrom {
						if ef.ConfigMapRef == nil {
							continue
						}
						if cm := configMap(s, w.Object, ef.ConfigMapRef.Name); cm != nil {
							for _, k := range sortedKeys(cmData(cm)) {
								if re.MatchString(k) && !placeholder.MatchString(cmData(cm)[k]) {
									out = append(out, prob(fmt.Sprintf("%s.envFrom[%d]", c.path, i), fmt.Sprintf("container %s takes %s from ConfigMap %s", c.c.Name, k, cm.Name), "found", "configMapRef", "expected", "a Secret"))
								}
							}
						}
					}
				}
				return out
			}),
		objectCheck("k8s/configmap-secrets", "ConfigMaps hold no secrets",
			"No ConfigMap key looks sensitive with a real value, and no value is a secret (private key, credentials in a URL, cloud key, token) (Polaris sensitiveConfigmapContent). Values are never shown.",
			[]string{"ConfigMap"}, "ConfigMaps", []check.Param{{Name: "pattern", Type: check.String, Default: defaultSensitive}},
			func(s *ks.Set, o *ks.Object, p check.Params) []problem {
				re, err := compileRe(s, p.String("pattern"))
				if err != nil {
					return []problem{prob("", "parameter pattern: "+err.Error())}
				}
				var out []problem
				data := cmData(o)
				for _, k := range sortedKeys(data) {
					v := data[k]
					fp := `data["` + k + `"]`
					if secretValue.MatchString(v) {
						out = append(out, prob(fp, "ConfigMap key "+k+" contains a secret value", "found", mask.Value(v), "expected", "a Secret"))
					} else if re.MatchString(k) && !placeholder.MatchString(v) && !strings.Contains(v, "\n") {
						out = append(out, prob(fp, "ConfigMap key "+k+" looks like a credential", "found", mask.Value(v), "expected", "a Secret"))
					}
				}
				return out
			}),
		objectCheck("k8s/secret-literals", "No Secret data is committed in manifests",
			"Secret objects in the repository carry no data or stringData (use ExternalSecret, SealedSecret, SOPS or a secret store). Service-account-token Secrets are exempt.",
			[]string{"Secret"}, "Secrets", nil, func(s *ks.Set, o *ks.Object, p check.Params) []problem {
				if o.GetString("type") == "kubernetes.io/service-account-token" {
					return nil
				}
				for _, f := range []string{"data", "stringData"} {
					if m, ok := o.Get(f); ok {
						if mm, ok := m.(map[string]any); ok && len(mm) > 0 {
							return []problem{prob(f, fmt.Sprintf("Secret %s has %d literal key(s) in %s", o.Name, len(mm), f), "found", sortedKeys(mm), "expected", "no committed secret data")}
						}
					}
				}
				return nil
			}),
		workloadCheck("k8s/env-duplicates", "No duplicate environment variables",
			"A container does not define the same env name twice (the last silently wins).", allWorkloads, nil,
			func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				var out []problem
				for _, c := range containersOf(w, true) {
					seen := map[string]bool{}
					for i, e := range c.c.Env {
						if seen[e.Name] {
							out = append(out, prob(fmt.Sprintf("%s.env[%d]", c.path, i), fmt.Sprintf("container %s defines %s twice", c.c.Name, e.Name), "found", e.Name))
						}
						seen[e.Name] = true
					}
				}
				return out
			}),
		envRequiredCheck(),
		workloadCheck("k8s/logging-env", "Log level and structured logging are configured",
			"The main container sets a log level and JSON logging through env (directly or from a ConfigMap among the objects) or arguments (--log-level, --log-format=json).",
			longRunning, []check.Param{
				{Name: "levelPattern", Type: check.String, Default: `(?i)(^|_)(LOG_?LEVEL|LOGGING_LEVEL|LOG__LEVEL|RUST_LOG|VERBOSITY)$`},
				{Name: "formatPattern", Type: check.String, Default: `(?i)(^|_)(LOG_?FORMAT|LOG_?JSON|LOG_?ENCODING|LOGGING_FORMAT|LOG__FORMAT)$`},
				{Name: "requireJSON", Type: check.Bool, Default: true},
			}, checkLogging),
		workloadCheck("k8s/upstream-dns", "Upstream URLs use cluster DNS names",
			"Env values (and ConfigMap values they reference) that are URLs or host:port for variables matching vars do not use IP addresses; with requireClusterDNS the host must be a cluster Service name (svc, svc.cluster.local, or a Service among the objects).",
			longRunning, []check.Param{
				{Name: "vars", Type: check.String, Default: `(?i)(URL|URI|HOST|ENDPOINT|UPSTREAM|ADDR|ADDRESS|SERVER)$`},
				{Name: "requireClusterDNS", Type: check.Bool, Default: false},
			}, checkUpstreams),
		workloadCheck("k8s/config-mount-path", "Config is mounted where the application reads it",
			"A container mounts a volume at mountPath, or at a path ending with pathSuffix (e.g. .config/acton-service).",
			longRunning, []check.Param{{Name: "mountPath", Type: check.String}, {Name: "pathSuffix", Type: check.String}},
			func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				want, suf := p.String("mountPath"), strings.TrimSuffix(p.String("pathSuffix"), "/")
				if want == "" && suf == "" {
					return []problem{prob("", "neither mountPath nor pathSuffix given")}
				}
				var seen []string
				for _, c := range containersOf(w, false) {
					for _, m := range c.c.VolumeMounts {
						mp := strings.TrimSuffix(m.MountPath, "/")
						if (want != "" && mp == strings.TrimSuffix(want, "/")) || (suf != "" && strings.HasSuffix(mp, suf)) {
							return nil
						}
						seen = append(seen, m.MountPath)
					}
				}
				return []problem{prob(w.ContainerPath(false, 0)+".volumeMounts", "no volume mounted at "+want+suf, "found", seen, "expected", want+suf)}
			}),
		podRule("k8s/volume-permissions", "Secret and config volumes are not world-readable",
			"secret, configMap and projected volumes set defaultMode at most maxMode (default 0440; unset means 0644).",
			[]check.Param{{Name: "maxMode", Type: check.Int, Default: 0o440}}, func(w *ks.Workload, p check.Params) []problem {
				var out []problem
				max := int32(p.Int("maxMode"))
				for i, v := range w.Template.Spec.Volumes {
					var mode *int32
					switch {
					case v.Secret != nil:
						mode = v.Secret.DefaultMode
					case v.ConfigMap != nil:
						mode = v.ConfigMap.DefaultMode
					case v.Projected != nil:
						mode = v.Projected.DefaultMode
					default:
						continue
					}
					m := int32(0o644)
					if mode != nil {
						m = *mode
					}
					if m&^max != 0 {
						out = append(out, prob(fmt.Sprintf("%s.volumes[%d]", w.PodPath(), i), fmt.Sprintf("volume %s mode %#o exceeds %#o", v.Name, m, max), "found", fmt.Sprintf("%#o", m), "expected", fmt.Sprintf("<= %#o", max)))
					}
				}
				return out
			}),
		workloadCheck("k8s/workload-identity", "Pods use a workload identity, not stored credentials",
			"The pod uses cloud workload identity: Azure (pod label azure.workload.identity/use: \"true\" and ServiceAccount annotation azure.workload.identity/client-id), AWS IRSA (eks.amazonaws.com/role-arn) or GKE (iam.gke.io/gcp-service-account). provider narrows it: azure, aws, gcp or any.",
			longRunning, []check.Param{{Name: "provider", Type: check.String, Default: "any"}},
			func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				prov := p.String("provider")
				sa := serviceAccount(s, w, w.Template.Spec.ServiceAccountName)
				ann := map[string]string{}
				if sa != nil {
					ann = sa.Annotations
				}
				ok := map[string]bool{
					"azure": w.Template.Labels["azure.workload.identity/use"] == "true" && (sa == nil || ann["azure.workload.identity/client-id"] != ""),
					"aws":   ann["eks.amazonaws.com/role-arn"] != "",
					"gcp":   ann["iam.gke.io/gcp-service-account"] != "",
				}
				if ok[prov] || (prov == "any" && (ok["azure"] || ok["aws"] || ok["gcp"])) {
					return nil
				}
				return []problem{prob(w.TemplatePath+".metadata.labels", "no "+prov+" workload identity configured", "expected", "workload identity label/annotations")}
			}),
		workloadCheck("k8s/node-placement", "Workloads pin the intended node type",
			"The pod selects its nodes (nodeSelector, required node affinity or tolerations); with requireGPU a container requests nvidia.com/gpu (or another gpu resource).",
			longRunning, []check.Param{{Name: "requireGPU", Type: check.Bool, Default: false}},
			func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				sp := &w.Template.Spec
				if p.Bool("requireGPU") {
					for _, c := range containersOf(w, false) {
						for n := range c.c.Resources.Limits {
							if strings.Contains(string(n), "gpu") {
								return nil
							}
						}
					}
					return []problem{prob(w.ContainerPath(false, 0)+".resources", "no container requests a GPU", "expected", "resources.limits nvidia.com/gpu")}
				}
				if len(sp.NodeSelector) > 0 || len(sp.Tolerations) > 0 || (sp.Affinity != nil && sp.Affinity.NodeAffinity != nil) {
					return nil
				}
				return []problem{prob(w.PodPath(), "no nodeSelector, node affinity or toleration: pods land on any node type", "expected", "nodeSelector or nodeAffinity")}
			}),
		workloadCheck("k8s/metrics-port", "The container declares its metrics port",
			"A container declares containerPort port (and, when name is given, names it so).",
			longRunning, []check.Param{{Name: "port", Type: check.Int, Default: 9100}, {Name: "portName", Type: check.String}},
			func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
				for _, c := range containersOf(w, false) {
					for _, port := range c.c.Ports {
						if int(port.ContainerPort) == p.Int("port") && (p.String("portName") == "" || port.Name == p.String("portName")) {
							return nil
						}
					}
				}
				return []problem{prob(w.ContainerPath(false, 0)+".ports", fmt.Sprintf("no container declares port %d", p.Int("port")), "expected", p.Int("port"))}
			}),
		objectCheck("k8s/configmap-immutable", "ConfigMaps are immutable or content-named",
			"Each ConfigMap used by the selected workloads sets immutable: true or has a content-hash name suffix (Kustomize generators), so a change means a new object and a rollout.",
			[]string{"ConfigMap"}, "ConfigMaps", []check.Param{{Name: "onlyUsed", Type: check.Bool, Default: true, Description: "only ConfigMaps a workload references"}},
			func(s *ks.Set, o *ks.Object, p check.Params) []problem {
				if p.Bool("onlyUsed") && !usedConfig(s, o) {
					return nil
				}
				if v, _ := o.Get("immutable"); v == true || hashedName.MatchString(o.Name) {
					return nil
				}
				return []problem{prob("metadata", "ConfigMap "+o.Name+" is mutable: edits change running pods' config without a rollout", "expected", "immutable: true or a hashed name")}
			}),
		objectCheck("k8s/recommended-labels", "Workloads carry the recommended app.kubernetes.io labels",
			"Workloads and Services have the listed labels (default app.kubernetes.io/name, instance, version).",
			append(append([]string{}, ks.WorkloadKinds...), "Service"), "workloads and Services",
			[]check.Param{{Name: "labels", Type: check.Strings, Default: []any{"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version"}}},
			func(s *ks.Set, o *ks.Object, p check.Params) []problem {
				var miss []string
				for _, l := range p.Strings("labels") {
					if _, ok := o.Labels[l]; !ok {
						miss = append(miss, l)
					}
				}
				if len(miss) > 0 {
					return []problem{prob("metadata.labels", "missing labels "+strings.Join(miss, ", "), "expected", miss)}
				}
				return nil
			}),
		objectCheck("k8s/label-values", "Label values are valid", "Every label value is a valid Kubernetes label value (kube-score label-values).",
			nil, "objects", nil, func(s *ks.Set, o *ks.Object, p check.Params) []problem {
				var out []problem
				for _, k := range sortedKeys(o.Labels) {
					if errs := validation.IsValidLabelValue(o.Labels[k]); len(errs) > 0 {
						out = append(out, prob(`metadata.labels["`+k+`"]`, "label "+k+": "+errs[0], "found", o.Labels[k]))
					}
				}
				return out
			}),
		objectCheck("k8s/namespace", "Objects go to an explicit, non-default namespace",
			"Namespaced objects set metadata.namespace (or are deployed with --namespace) and it is not default.",
			nil, "namespaced objects", nil, func(s *ks.Set, o *ks.Object, p check.Params) []problem {
				if clusterScoped[o.Kind] {
					return nil
				}
				switch ns := s.Namespace(o); ns {
				case "":
					return []problem{prob("metadata", "no namespace: the object lands in whatever namespace is current", "expected", "metadata.namespace or --namespace")}
				case "default":
					return []problem{prob("metadata.namespace", "object is in the default namespace", "found", ns, "expected", "a dedicated namespace")}
				}
				return nil
			}),
		objectCheck("k8s/deprecated-api", "No deprecated or removed API versions",
			"apiVersion is not deprecated or removed for the kind (at kubeVersion when given, else any deprecation).",
			nil, "objects", []check.Param{{Name: "kubeVersion", Type: check.String, Description: "target version, e.g. 1.29; empty: flag every deprecated version"}}, checkDeprecated),
	}
}

func cmData(o *ks.Object) map[string]string {
	out := map[string]string{}
	if cm, ok := o.Typed().(*corev1.ConfigMap); ok {
		for k, v := range cm.Data {
			out[k] = v
		}
	}
	return out
}

func configMap(s *ks.Set, near *ks.Object, name string) *ks.Object {
	return s.Lookup("ConfigMap", s.Namespace(near), name)
}

// literalSecret returns a committed Secret with data, unless an
// ExternalSecret or SealedSecret produces a Secret of that name.
func literalSecret(s *ks.Set, near *ks.Object, name string) *ks.Object {
	for _, o := range s.Kind("ExternalSecret", "SealedSecret") {
		target := o.GetString("spec.target.name")
		if target == "" {
			target = o.Name
		}
		if target == name {
			return nil
		}
	}
	if o := s.Lookup("Secret", s.Namespace(near), name); o != nil {
		{
			for _, f := range []string{"data", "stringData"} {
				if m, ok := o.Get(f); ok {
					if mm, ok := m.(map[string]any); ok && len(mm) > 0 {
						return o
					}
				}
			}
		}
	}
	return nil
}

func usedConfig(s *ks.Set, cm *ks.Object) bool {
	used := s.Memo("kube/config-refs", func() any {
		m := map[string]bool{}
		for _, w := range s.Workloads() {
			for _, r := range configRefs(w) {
				m[s.Namespace(w.Object)+"/"+r] = true
			}
		}
		return m
	}).(map[string]bool)
	return used[s.Namespace(cm)+"/"+cm.Name]
}

// envOf lists the env a container ends up with: direct values, and the keys
// of ConfigMaps/Secrets it imports with envFrom when they are among the
// objects. unknown names envFrom sources golive cannot see.
func envOf(s *ks.Set, w *ks.Workload, c *corev1.Container) (vals map[string]string, unknown []string) {
	vals = map[string]string{}
	for _, ef := range c.EnvFrom {
		var name string
		var src *ks.Object
		switch {
		case ef.ConfigMapRef != nil:
			name, src = ef.ConfigMapRef.Name, configMap(s, w.Object, ef.ConfigMapRef.Name)
		case ef.SecretRef != nil:
			name = ef.SecretRef.Name
			src = s.Lookup("Secret", s.Namespace(w.Object), name)
		}
		if src == nil {
			unknown = append(unknown, name)
			continue
		}
		for _, f := range []string{"data", "stringData"} {
			if m, ok := src.Get(f); ok {
				if mm, ok := m.(map[string]any); ok {
					for k, v := range mm {
						sv, _ := v.(string)
						if src.Kind == "Secret" {
							sv = ""
						}
						vals[ef.Prefix+k] = sv
					}
				}
			}
		}
	}
	for _, e := range c.Env {
		v := e.Value
		if e.ValueFrom != nil {
			v = ""
			if r := e.ValueFrom.ConfigMapKeyRef; r != nil {
				if cm := configMap(s, w.Object, r.Name); cm != nil {
					v = cmData(cm)[r.Key]
				}
			}
		}
		vals[e.Name] = v
	}
	return vals, unknown
}

func readEnvExample(root, file string) ([]string, error) {
	p := file
	if !filepath.IsAbs(p) {
		p = filepath.Join(root, file)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		l = strings.TrimPrefix(l, "export ")
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if k, _, ok := strings.Cut(l, "="); ok && k != "" {
			out = append(out, strings.TrimSpace(k))
		}
	}
	return out, sc.Err()
}

func checkLogging(s *ks.Set, w *ks.Workload, p check.Params) []problem {
	lre, err1 := compileRe(s, p.String("levelPattern"))
	fre, err2 := compileRe(s, p.String("formatPattern"))
	if err1 != nil || err2 != nil {
		return []problem{prob("", "bad levelPattern or formatPattern")}
	}
	if len(w.Template.Spec.Containers) == 0 {
		return nil
	}
	c := &w.Template.Spec.Containers[0]
	vals, _ := envOf(s, w, c)
	level, format := "", ""
	for k, v := range vals {
		if lre.MatchString(k) {
			level = k + "=" + v
		}
		if fre.MatchString(k) {
			format = v
			if strings.Contains(strings.ToLower(k), "json") && (v == "true" || v == "1") {
				format = "json"
			}
		}
	}
	for _, a := range append(append([]string{}, c.Command...), c.Args...) {
		la := strings.ToLower(a)
		if strings.HasPrefix(la, "--log-level") || strings.HasPrefix(la, "--loglevel") || strings.HasPrefix(la, "-v=") {
			level = a
		}
		if strings.HasPrefix(la, "--log-format") || strings.HasPrefix(la, "--logging-format") {
			_, format, _ = strings.Cut(a, "=")
		}
		if la == "--log-json" || la == "--json-logs" {
			format = "json"
		}
	}
	var out []problem
	cp := w.ContainerPath(false, 0)
	if level == "" {
		out = append(out, prob(cp+".env", "container "+c.Name+" sets no log level", "expected", "LOG_LEVEL (or similar) in env"))
	}
	if p.Bool("requireJSON") && !strings.Contains(strings.ToLower(format), "json") {
		found := format
		if found == "" {
			found = "not set"
		}
		out = append(out, prob(cp+".env", "container "+c.Name+" does not select JSON logs", "found", found, "expected", "LOG_FORMAT=json"))
	}
	return out
}

var hostPort = regexp.MustCompile(`^([A-Za-z0-9.\-]+|\[[0-9a-fA-F:]+\]):\d+$`)

func checkUpstreams(s *ks.Set, w *ks.Workload, p check.Params) []problem {
	re, err := compileRe(s, p.String("vars"))
	if err != nil {
		return []problem{prob("", "parameter vars: "+err.Error())}
	}
	svcs := s.Memo("kube/service-names", func() any {
		m := map[string]bool{}
		for _, o := range s.Kind("Service") {
			m[o.Name] = true
		}
		return m
	}).(map[string]bool)
	var out []problem
	for _, c := range containersOf(w, false) {
		vals, _ := envOf(s, w, c.c)
		for _, k := range sortedKeys(vals) {
			v := strings.TrimSpace(vals[k])
			if !re.MatchString(k) || v == "" {
				continue
			}
			var host string
			if u, err := url.Parse(v); err == nil && u.Host != "" {
				host = u.Hostname()
			} else if hostPort.MatchString(v) {
				host, _, _ = net.SplitHostPort(v)
			} else {
				continue
			}
			fp := c.path + ".env"
			if net.ParseIP(host) != nil && host != "127.0.0.1" && host != "::1" {
				out = append(out, prob(fp, fmt.Sprintf("container %s %s points at IP %s instead of a DNS name", c.c.Name, k, host), "found", mask.URL(v), "expected", "a Service DNS name"))
				continue
			}
			if p.Bool("requireClusterDNS") && host != "localhost" {
				first, _, _ := strings.Cut(host, ".")
				if !(strings.HasSuffix(host, ".svc") || strings.HasSuffix(host, ".svc.cluster.local") || strings.Contains(host, ".svc.") || svcs[first]) {
					out = append(out, prob(fp, fmt.Sprintf("container %s %s host %s is not a cluster Service name", c.c.Name, k, host), "found", host, "expected", "<service>.<namespace>.svc"))
				}
			}
		}
	}
	return out
}

var clusterScoped = map[string]bool{"Namespace": true, "ClusterRole": true, "ClusterRoleBinding": true, "PriorityClass": true, "StorageClass": true,
	"CustomResourceDefinition": true, "PersistentVolume": true, "IngressClass": true, "ValidatingWebhookConfiguration": true,
	"MutatingWebhookConfiguration": true, "ClusterIssuer": true, "APIService": true, "ClusterImagePolicy": true, "ClusterPolicy": true,
	"RuntimeClass": true, "CSIDriver": true, "Node": true, "ClusterSecretStore": true, "GatewayClass": true, "VolumeSnapshotClass": true,
	"ValidatingAdmissionPolicy": true, "ValidatingAdmissionPolicyBinding": true, "CiliumClusterwideNetworkPolicy": true, "GlobalNetworkPolicy": true}

func envRequiredCheck() check.Check {
	c := workloadCheck("k8s/env-required", "Required environment variables are set",
		"Every variable in names, and every key of envExampleFile (a .env.example, relative to the first scanned path), is set on the workload's main container: directly, or through envFrom of a ConfigMap or Secret among the objects. When an envFrom source is not among the objects the variable cannot be judged and the check says so.",
		longRunning, []check.Param{
			{Name: "names", Type: check.Strings, Default: []any{}},
			{Name: "envExampleFile", Type: check.String, Description: "e.g. .env.example"},
		}, func(s *ks.Set, w *ks.Workload, p check.Params) []problem {
			names := p.Strings("names")
			if len(w.Template.Spec.Containers) == 0 {
				return nil
			}
			c := &w.Template.Spec.Containers[0]
			vals, unknown := envOf(s, w, c)
			var miss []string
			for _, n := range names {
				if _, ok := vals[n]; !ok {
					miss = append(miss, n)
				}
			}
			if len(miss) == 0 {
				return nil
			}
			msg := "container " + c.Name + " does not set " + strings.Join(miss, ", ")
			if len(unknown) > 0 {
				msg += " (envFrom " + strings.Join(unknown, ", ") + " is not among the objects)"
			}
			return []problem{prob(w.ContainerPath(false, 0)+".env", msg, "found", sortedKeys(vals), "expected", miss)}
		})
	inner := c.Run
	c.Run = func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
		if f := p.String("envExampleFile"); f != "" {
			root := "."
			if len(env.Inputs.Paths) > 0 {
				root = env.Inputs.Paths[0]
			}
			names, err := readEnvExample(root, f)
			if err != nil {
				return nil, &source.Missing{Input: f, Reason: "cannot read the list of required variables: " + err.Error()}
			}
			q := check.Params{}
			for k, v := range p {
				q[k] = v
			}
			q["names"] = append(append([]string{}, p.Strings("names")...), names...)
			p = q
		}
		if len(p.Strings("names")) == 0 {
			return nil, &source.Missing{Input: "the names or envExampleFile parameter", Reason: "no required variables listed"}
		}
		return inner(ctx, env, p)
	}
	return c
}
