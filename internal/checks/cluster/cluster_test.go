package cluster

import (
	"context"
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
	"golive.dev/golive/internal/check/checktest"
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
	{"restarts of unstarted pods", "partial", "cluster/restarts", map[string]any{"selector": "app=api"}, verdict.Unverified},
	{"region of one node unknown", "partial", "cluster/node-region", map[string]any{"selector": "app=api", "regions": []any{"eu-west-1"}}, verdict.Unverified},
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

// asCase runs tc's check on env; the case's status is checked by the
// caller, what every finding must carry by judged.
func (tc tcase) asCase(env *source.Env) checktest.Case {
	return checktest.Case{Name: tc.name, ID: tc.id, Env: env, With: tc.with, Want: tc.want}
}

func judged(t *testing.T, c checktest.Case, out check.Outcome) {
	if out.Missing != nil {
		t.Errorf("%s: input reported missing: %v", c.ID, out.Missing)
	}
	for _, f := range out.Findings {
		if f.Check != c.ID || f.Message == "" {
			t.Errorf("finding without check id or message: %+v", f)
		}
	}
}

func TestChecksOnDumps(t *testing.T) {
	r := check.NewRegistry()
	Register(r)
	var table []checktest.Case
	for _, tc := range cases {
		table = append(table, tc.asCase(source.NewEnv(source.Inputs{ClusterDump: "testdata/" + tc.fixture + ".yaml", Now: now})))
	}
	checktest.Table(t, r, table, func(t *testing.T, c checktest.Case, out check.Outcome) {
		judged(t, c, out)
		checktest.NoLeak(t, out.Findings, "c3VwZXJzZWNyZXQ")
		if p := c.Env.Problems(); len(p) > 0 {
			t.Errorf("problems reading fixture: %v", p)
		}
	})
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
				c := tc.asCase(env)
				judged(t, c, c.Run(t, r))
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
			out := checktest.Run(t, r, c.ID, in, nil)
			if out.Missing == nil || !strings.Contains(out.Missing.Input, "--cluster-dump") {
				t.Errorf("%s with %+v: want Missing naming --cluster-dump, got %s", c.ID, in, checktest.Show(out.Findings))
			}
		}
	}
}
