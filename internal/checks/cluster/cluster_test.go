package cluster

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"
	metadatafake "k8s.io/client-go/metadata/fake"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	src "golive.dev/golive/internal/source/cluster"
	"golive.dev/golive/internal/verdict"
)

var now = time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)

type tcase struct {
	name    string
	fixture string // good or bad
	id      string
	with    map[string]any
	want    verdict.Status
}

var cases = []tcase{
	{"rolled out", "good", "cluster/workload-ready", map[string]any{"selector": "app=api", "minReplicas": 2}, verdict.Pass},
	{"rollout stuck", "bad", "cluster/workload-ready", map[string]any{"selector": "app=api"}, verdict.Fail},
	{"too few replicas", "good", "cluster/workload-ready", map[string]any{"name": "api", "minReplicas": 3}, verdict.Fail},
	{"pods ready", "good", "cluster/pods-ready", map[string]any{"selector": "app=api", "minPods": 2}, verdict.Pass},
	{"pods not ready", "bad", "cluster/pods-ready", map[string]any{"selector": "app=api"}, verdict.Fail},
	{"no pods", "good", "cluster/pods-ready", map[string]any{"selector": "app=nope"}, verdict.Fail},
	{"few restarts", "good", "cluster/restarts", map[string]any{"selector": "app=api"}, verdict.Pass},
	{"crash looping", "bad", "cluster/restarts", map[string]any{"selector": "app=api"}, verdict.Fail},
	{"hpa active", "good", "cluster/hpa", map[string]any{"selector": "app=api"}, verdict.Pass},
	{"hpa by target name", "good", "cluster/hpa", map[string]any{"name": "api"}, verdict.Pass},
	{"hpa unknown metrics", "bad", "cluster/hpa", map[string]any{"selector": "app=api"}, verdict.Fail},
	{"pdb allows", "good", "cluster/pdb", map[string]any{"name": "api-pdb"}, verdict.Pass},
	{"pdb by selector", "good", "cluster/pdb", map[string]any{"selector": "app=api"}, verdict.Pass},
	{"pdb blocks", "bad", "cluster/pdb", map[string]any{"selector": "app=api"}, verdict.Fail},
	{"netpol restricts", "good", "cluster/network-policy", map[string]any{"selector": "app=api", "policyTypes": []any{"Ingress", "Egress"}, "policyLabels": "app=api"}, verdict.Pass},
	{"netpol allow all", "bad", "cluster/network-policy", map[string]any{"selector": "app=api"}, verdict.Fail},
	{"netpol label missing", "bad", "cluster/network-policy", map[string]any{"policyLabels": "app=api"}, verdict.Fail},
	{"servicemonitor by name", "good", "cluster/service-monitor", map[string]any{"name": "api", "namespace": "monitoring"}, verdict.Pass},
	{"servicemonitor by selector", "good", "cluster/service-monitor", map[string]any{"selector": "app=api"}, verdict.Pass},
	{"servicemonitor missing", "bad", "cluster/service-monitor", map[string]any{"selector": "app=api"}, verdict.Fail},
	{"spread", "good", "cluster/spread", map[string]any{"selector": "app=api"}, verdict.Pass},
	{"one node", "bad", "cluster/spread", map[string]any{"selector": "app=api"}, verdict.Fail},
	{"digests", "good", "cluster/image-digest", map[string]any{"selector": "app=api"}, verdict.Pass},
	{"tags", "bad", "cluster/image-digest", map[string]any{"selector": "app=api"}, verdict.Fail},
	{"limits", "good", "cluster/resource-limits", map[string]any{"selector": "app=api"}, verdict.Pass},
	{"no limits", "bad", "cluster/resource-limits", map[string]any{"selector": "app=api"}, verdict.Fail},
	{"approved region", "good", "cluster/node-region", map[string]any{"selector": "app=api", "regions": []any{"eu-west-1"}}, verdict.Pass},
	{"region not approved", "bad", "cluster/node-region", map[string]any{"selector": "app=api", "regions": []any{"eu-west-1"}}, verdict.Fail},
	{"regions to confirm", "good", "cluster/node-region", map[string]any{"selector": "app=api"}, verdict.Manual},
	{"shipper", "good", "cluster/log-shipper", map[string]any{"selector": "app=api"}, verdict.Pass},
	{"no shipper", "bad", "cluster/log-shipper", nil, verdict.Fail},
	{"backup verified", "good", "cluster/job-succeeded", map[string]any{"pattern": "backup-verify"}, verdict.Pass},
	{"backup too old", "good", "cluster/job-succeeded", map[string]any{"pattern": "backup-verify", "maxAge": "1h"}, verdict.Fail},
	{"backup failed", "bad", "cluster/job-succeeded", map[string]any{"pattern": "backup"}, verdict.Fail},
	{"revisions kept", "good", "cluster/revision-history", map[string]any{"name": "api"}, verdict.Pass},
	{"no revisions", "bad", "cluster/revision-history", map[string]any{"name": "api"}, verdict.Fail},
	{"secrets present", "good", "cluster/secrets-present", map[string]any{"selector": "app=api"}, verdict.Pass},
	{"secret missing", "bad", "cluster/secrets-present", map[string]any{"selector": "app=api"}, verdict.Fail},
	{"lb address", "good", "cluster/load-balancer", map[string]any{"selector": "app=api"}, verdict.Pass},
	{"lb pending", "bad", "cluster/load-balancer", map[string]any{"selector": "app=api"}, verdict.Fail},
	{"quota", "good", "cluster/resource-quota", map[string]any{"namespace": "shop"}, verdict.Pass},
	{"no quota", "bad", "cluster/resource-quota", map[string]any{"namespace": "shop"}, verdict.Fail},
}

func runCase(t *testing.T, r *check.Registry, env *source.Env, tc tcase) []verdict.Finding {
	t.Helper()
	c, ok := r.Lookup(tc.id)
	if !ok {
		t.Fatalf("check %s not registered", tc.id)
	}
	p, err := c.Resolve(tc.with)
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	fs, err := c.Run(context.Background(), env, p)
	if err != nil {
		t.Fatalf("%s: %v", tc.id, err)
	}
	st := make([]verdict.Status, len(fs))
	for i, f := range fs {
		st[i] = f.Status
		if f.Check != tc.id || f.Message == "" {
			t.Errorf("finding without check id or message: %+v", f)
		}
	}
	if got := verdict.Combine(st...); got != tc.want {
		b, _ := json.MarshalIndent(fs, "", " ")
		t.Fatalf("%s: status %s, want %s\n%s", tc.id, got, tc.want, b)
	}
	return fs
}

func TestChecksOnDumps(t *testing.T) {
	r := check.NewRegistry()
	Register(r)
	seen := map[string]map[verdict.Status]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := source.NewEnv(source.Inputs{ClusterDump: "testdata/" + tc.fixture + ".yaml", Now: now})
			fs := runCase(t, r, env, tc)
			b, _ := json.Marshal(fs)
			if strings.Contains(string(b), "c3VwZXJzZWNyZXQ") {
				t.Errorf("secret data in findings")
			}
			if p := env.Problems(); len(p) > 0 {
				t.Errorf("problems reading fixture: %v", p)
			}
			if seen[tc.id] == nil {
				seen[tc.id] = map[verdict.Status]bool{}
			}
			seen[tc.id][tc.want] = true
		})
	}
	for _, c := range r.All() {
		if !seen[c.ID][verdict.Pass] || !seen[c.ID][verdict.Fail] {
			t.Errorf("check %s lacks a passing or failing fixture", c.ID)
		}
	}
}

// TestChecksOnFakeCluster loads the same fixtures into client-go's fake
// clients and expects the same verdicts through the live reader.
func TestChecksOnFakeCluster(t *testing.T) {
	r := check.NewRegistry()
	Register(r)
	for _, fixture := range []string{"good", "bad"} {
		live := fakeLive(t, "testdata/"+fixture+".yaml")
		for _, tc := range cases {
			if tc.fixture != fixture {
				continue
			}
			t.Run(fixture+"/"+tc.name, func(t *testing.T) {
				env := source.NewEnv(source.Inputs{Now: now})
				if _, err := src.Use(context.Background(), env, live); err != nil {
					t.Fatal(err)
				}
				// The live reader lists only its namespace, so the log
				// shipper's pods are not seen; the verdicts still agree.
				runCase(t, r, env, tc)
			})
		}
	}
}

func fakeLive(t *testing.T, path string) *src.Live {
	t.Helper()
	data := mustRead(t, path)
	objs, probs := src.ReadDump(path, data)
	if len(probs) > 0 {
		t.Fatalf("fixture problems: %v", probs)
	}
	var typed []runtime.Object
	var monitors []runtime.Object
	var secrets []runtime.Object
	for _, o := range objs {
		switch {
		case o.Kind == "Secret":
			secrets = append(secrets, &metav1.PartialObjectMetadata{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
				ObjectMeta: metav1.ObjectMeta{Name: o.Raw.GetName(), Namespace: o.Raw.GetNamespace()},
			})
		case o.Typed != nil:
			typed = append(typed, o.Typed)
		case o.Kind == "ServiceMonitor" || o.Kind == "PodMonitor":
			monitors = append(monitors, o.Raw)
		}
	}
	gvrs := map[schema.GroupVersionResource]string{
		{Group: "monitoring.coreos.com", Version: "v1", Resource: "servicemonitors"}: "ServiceMonitorList",
		{Group: "monitoring.coreos.com", Version: "v1", Resource: "podmonitors"}:     "PodMonitorList",
	}
	scheme := metadatafake.NewTestScheme()
	if err := metav1.AddMetaToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	return &src.Live{
		Client:    fake.NewClientset(typed...),
		Dynamic:   dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), gvrs, monitors...),
		Metadata:  metadatafake.NewSimpleMetadataClient(scheme, secrets...),
		Namespace: "shop",
		Context:   "fake",
	}
}

func TestNotGiven(t *testing.T) {
	r := check.NewRegistry()
	Register(r)
	for _, in := range []source.Inputs{{}, {ClusterDump: "testdata/does-not-exist"}} {
		for _, c := range r.All() {
			p, _ := c.Resolve(nil)
			_, err := c.Run(context.Background(), source.NewEnv(in), p)
			if m, ok := source.AsMissing(err); !ok || !strings.Contains(m.Input, "--cluster-dump") {
				t.Errorf("%s with %+v: want Missing naming --cluster-dump, got %v", c.ID, in, err)
			}
		}
	}
}
