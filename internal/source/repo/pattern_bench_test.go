package repo

import (
	"bytes"
	"fmt"
	"testing"
)

// kubeFiles generates Kubernetes manifests like those of a large platform
// repository: n files of 20 five-object apps (~40 kB each), Helm-managed,
// some with a non-ASCII comment.
func kubeFiles(n int) []*File {
	files := make([]*File, n)
	for i := range files {
		var b bytes.Buffer
		for j := 0; j < 20; j++ {
			app := i*20 + j
			if j%7 == 0 {
				fmt.Fprintf(&b, "# owned by team-%d — see the platform docs\n", app%50)
			}
			fmt.Fprintf(&b, `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-%[1]d
  namespace: team-%[2]d
  labels: {app.kubernetes.io/name: app-%[1]d, app.kubernetes.io/managed-by: Helm, helm.sh/chart: app-1.2.%[1]d}
  annotations: {meta.helm.sh/release-name: app-%[1]d}
spec:
  replicas: %[3]d
  selector:
    matchLabels: {app: app-%[1]d}
  template:
    metadata:
      labels: {app: app-%[1]d}
    spec:
      serviceAccountName: app-%[1]d
      containers:
        - name: app
          image: registry.example.com/app:%[1]d
          ports: [{name: http, containerPort: 8080}]
          env:
            - {name: LOG_FORMAT, value: json}
            - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}
          readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 5}
          livenessProbe: {httpGet: {path: /health, port: http}, periodSeconds: 10}
          securityContext: {runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false}
---
apiVersion: v1
kind: Service
metadata: {name: app-%[1]d, namespace: team-%[2]d}
spec:
  selector: {app: app-%[1]d}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: app-%[1]d, namespace: team-%[2]d}
data: {FORMAT: json, FEATURE: "on", SEVERITY_DEFAULT: info}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: app-%[1]d, namespace: team-%[2]d}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: app-%[1]d}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: app-%[1]d, namespace: team-%[2]d}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app-%[1]d}
  minReplicas: 2
  maxReplicas: 10
---
`, app, app%50, 1+app%3)
		}
		files[i] = memFile(fmt.Sprintf("deploy/m%05d.yaml", i), b.Bytes())
	}
	return files
}

// BenchmarkGrepFirst searches generated manifests for patterns the packs
// run over YAML, none of which matches: the common case, where every file
// is searched to the end. "regexp" is the search without the prefilter.
// json-log is the prefilter's worst case: both words are in every file, so
// the regexp still runs and the literal scans are pure overhead.
func BenchmarkGrepFirst(b *testing.B) {
	files := kubeFiles(100)
	var size int64
	for _, f := range files {
		data, _ := f.Content()
		size += int64(len(data))
	}
	for _, bc := range []struct{ name, expr string }{
		{"feature-flags", `(?i)(launchdarkly|unleash|flagsmith|growthbook|openfeature|split\.io|configcat|flipt|feature[_-]?flags?)`},
		{"helm-rollback", `(?i)(helm\s+rollback|rollout\s+undo)`},
		{"severity-route", `(?i)severity\s*(=~?|:)\s*\"?[^\"\n]*(critical|warning)`},
		{"json-log", `(?i)\bjson\b.*log`},
	} {
		p := MustCompilePattern(bc.expr)
		for _, v := range []struct {
			name string
			p    *Pattern
		}{{"regexp", &Pattern{re: p.re}}, {"prefilter", p}} {
			b.Run(bc.name+"/"+v.name, func(b *testing.B) {
				b.SetBytes(size)
				b.ReportAllocs()
				for b.Loop() {
					for _, f := range files {
						if _, ok := GrepFirst(f, v.p); ok {
							b.Fatalf("%s matches %s", bc.expr, f.Path)
						}
					}
				}
			})
		}
	}
}
