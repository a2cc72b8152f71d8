// Package kubeset writes a generated set of Kubernetes objects for the
// benchmarks: 5-object apps (Deployment, Service, ConfigMap, PDB, HPA), 100
// objects per file, a shape close to real service repositories.
package kubeset

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// Write writes n objects (rounded down to whole apps) into dir and returns
// how many it wrote.
func Write(dir string, n int) (int, error) {
	return Generate(n, func(name string, data []byte) error {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fmt.Errorf("write generated set: %w", err)
		}
		return nil
	})
}

// Generate makes n objects (rounded down to whole apps) and hands each file
// to each, by name; data is only valid during the call.
func Generate(n int, each func(name string, data []byte) error) (int, error) {
	var buf bytes.Buffer
	file := 0
	flush := func() error {
		if buf.Len() == 0 {
			return nil
		}
		if err := each(fmt.Sprintf("m%05d.yaml", file), buf.Bytes()); err != nil {
			return err
		}
		buf.Reset()
		file++
		return nil
	}
	apps := n / 5
	for i := 0; i < apps; i++ {
		ns := fmt.Sprintf("team-%d", i%50)
		if i%7 == 0 {
			// real repositories are not all ASCII
			fmt.Fprintf(&buf, "# owned by %s — see the platform docs\n", ns)
		}
		fmt.Fprintf(&buf, `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-%[1]d
  namespace: %[2]s
  labels: {app.kubernetes.io/name: app-%[1]d, app.kubernetes.io/instance: app-%[1]d}
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
            - {name: LOG_LEVEL, value: info}
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
metadata: {name: app-%[1]d, namespace: %[2]s}
spec:
  selector: {app: app-%[1]d}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: app-%[1]d, namespace: %[2]s}
data: {LOG_FORMAT: json, FEATURE: "on"}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: app-%[1]d, namespace: %[2]s}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: app-%[1]d}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: app-%[1]d, namespace: %[2]s}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app-%[1]d}
  minReplicas: 2
  maxReplicas: 10
---
`, i, ns, 1+i%3)
		if (i+1)%20 == 0 {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := flush(); err != nil {
		return 0, err
	}
	return apps * 5, nil
}
