package kube

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"testing"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	ks "golive.dev/golive/internal/source/kube"
	"golive.dev/golive/internal/verdict"
)

type fixtureCase struct {
	fixture string
	params  map[string]any
	want    verdict.Status
}

// cases lists, per check, at least one passing and one failing fixture.
// Checks absent from overrides run on testdata/good (pass) and
// testdata/bad (fail) with the shared params.
var shared = map[string]map[string]any{
	"k8s/replicas":                    {"min": 2},
	"k8s/hpa":                         {"minReplicas": 2, "maxReplicas": 10, "targetCPUPercent": 70},
	"k8s/pdb":                         {"minAvailable": 2},
	"k8s/rolling-update":              {"maxSurge": "1", "maxUnavailable": "0"},
	"k8s/probes":                      {"startup": true, "requireFields": []any{"timeoutSeconds", "periodSeconds", "failureThreshold", "initialDelaySeconds"}, "minFailureThreshold": 3},
	"k8s/probe-spec":                  {"probe": "readiness", "path": "/ready", "port": "8080", "initialDelaySeconds": 10, "periodSeconds": 5, "timeoutSeconds": 3, "failureThreshold": 3},
	"k8s/image-registry":              {"allowed": []any{"registry.example.com"}},
	"k8s/image-tag":                   {"requireTagAndDigest": true},
	"k8s/resource-minimums":           {"cpu": "500m", "memory": "1GB"},
	"k8s/resources":                   {"memoryLimitAboveRequest": false},
	"k8s/scheduled-job":               {"pattern": "purge"},
	"k8s/config-mount-path":           {"pathSuffix": ".config/acton-service"},
	"k8s/workload-identity":           {"provider": "azure"},
	"k8s/upstream-dns":                {"requireClusterDNS": true},
	"k8s/termination-grace":           {"min": 30},
	"k8s/prestop-hook":                {"requireSleep": true, "minSleepSeconds": 5, "maxSleepSeconds": 30},
	"k8s/backup-schedule":             {"requireRetention": true, "requireVerification": true},
	"k8s/limit-range":                 {"values": map[string]any{"default.memory": "512Mi", "default.cpu": "500m", "defaultRequest.memory": "256Mi", "max.cpu": "2000m", "max.memory": "2Gi"}},
	"k8s/resource-quota":              {"values": map[string]any{"requests.cpu": "4", "limits.memory": "16Gi", "persistentvolumeclaims": 4}},
	"k8s/service-monitor":             {"port": "metrics"},
	"k8s/network-policy":              {"requireEgress": true, "forbidAllowAll": true},
	"k8s/default-deny-network-policy": {"requireEgress": true},
	"k8s/priority-class":              {"requireExisting": true},
	"k8s/env-secrets":                 {"requireExternalStore": true},
	"k8s/rbac-least-privilege":        {"forbid": []any{"wildcard", "exec", "escalate", "secrets", "create-pods"}},
}

var overrides = map[string][]fixtureCase{
	"k8s/statefulset-service-name": {{"sts-good", nil, verdict.Pass}, {"sts-bad", nil, verdict.Fail}, {"good", nil, verdict.NA}},
	"k8s/requests-equal-limits":    {{"good", map[string]any{"resources": []any{"memory"}}, verdict.Pass}, {"bad", map[string]any{"resources": []any{"cpu"}}, verdict.Fail}},
	"k8s/env-required": {
		{"good", map[string]any{"envExampleFile": ".env.example"}, verdict.Pass},
		{"bad", map[string]any{"names": []any{"DB_PASSWORD", "QUEUE_URL"}}, verdict.Fail},
		{"bad", map[string]any{"envExampleFile": ".env.example"}, verdict.Unverified},
	},
	"k8s/ingress-rate-limit": {{"good", nil, verdict.Pass}, {"bad", nil, verdict.Fail}, {"gateway-good", nil, verdict.Pass}, {"gateway-bad", nil, verdict.Fail}},
	"k8s/ingress-tls":        {{"good", nil, verdict.Pass}, {"bad", nil, verdict.Fail}, {"gateway-good", nil, verdict.Pass}, {"gateway-bad", nil, verdict.Fail}},
	"k8s/replicas":           {{"good", map[string]any{"min": 3}, verdict.Pass}, {"good", map[string]any{"min": 3, "countHPA": false}, verdict.Fail}, {"bad", map[string]any{"min": 2}, verdict.Fail}, {"good", map[string]any{"selector": "app=nope"}, verdict.Unverified}},
	"k8s/network-policy": {
		{"good", map[string]any{"requireEgress": true, "forbidAllowAll": true}, verdict.Pass},
		{"bad", nil, verdict.Fail},
		{"cilium", nil, verdict.Pass},
		{"cilium", map[string]any{"acceptCRD": false}, verdict.Fail},
	},
	"k8s/probes-distinct": {{"good", nil, verdict.Pass}, {"bad", nil, verdict.Fail}, {"sts-good", nil, verdict.Pass}},
}

func run(t *testing.T, r *check.Registry, id, fixture string, params map[string]any) ([]verdict.Finding, error) {
	t.Helper()
	c, ok := r.Lookup(id)
	if !ok {
		t.Fatalf("%s not registered", id)
	}
	p, err := c.Resolve(params)
	if err != nil {
		t.Fatalf("%s params: %v", id, err)
	}
	env := source.NewEnv(source.Inputs{Paths: []string{filepath.Join("testdata", fixture)}})
	return c.Run(context.Background(), env, p)
}

func status(fs []verdict.Finding, err error) verdict.Status {
	if err != nil {
		if _, ok := source.AsMissing(err); ok {
			return verdict.Unverified
		}
		return verdict.Error
	}
	ss := make([]verdict.Status, len(fs))
	for i, f := range fs {
		ss[i] = f.Status
	}
	return verdict.Combine(ss...)
}

func TestChecksOnFixtures(t *testing.T) {
	r := check.NewRegistry()
	Register(r)
	seen := map[string]bool{}
	for _, c := range r.All() {
		cases := overrides[c.ID]
		if cases == nil {
			cases = []fixtureCase{{"good", shared[c.ID], verdict.Pass}, {"bad", shared[c.ID], verdict.Fail}}
		}
		statuses := map[verdict.Status]bool{}
		for _, tc := range cases {
			tc := tc
			t.Run(c.ID+"/"+tc.fixture, func(t *testing.T) {
				fs, err := run(t, r, c.ID, tc.fixture, tc.params)
				got := status(fs, err)
				statuses[got] = true
				if got != tc.want {
					t.Fatalf("got %s, want %s (err %v)\n%s", got, tc.want, err, dump(fs))
				}
				for _, f := range fs {
					if f.Check != c.ID || !f.Status.Valid() || f.Message == "" {
						t.Errorf("malformed finding %+v", f)
					}
					if f.Status == verdict.Fail && f.Object != "" && (f.File == "" || f.Line <= 0) {
						t.Errorf("failing finding without file:line: %+v", f)
					}
				}
			})
		}
		if !statuses[verdict.Pass] || !statuses[verdict.Fail] {
			t.Errorf("%s: needs a passing and a failing fixture, got %v", c.ID, statuses)
		}
		seen[c.ID] = true
	}
	for id := range shared {
		if !seen[id] {
			t.Errorf("params for unknown check %s", id)
		}
	}
}

func dump(fs []verdict.Finding) string {
	var s string
	for _, f := range fs {
		s += "  " + string(f.Status) + " " + f.Object + " " + f.File + ":" + itoaT(f.Line) + " " + f.Message + "\n"
	}
	return s
}

func itoaT(i int) string { return fmtInt(i) }

func TestNoObjectsIsUnverified(t *testing.T) {
	r := check.NewRegistry()
	Register(r)
	ids := []string{}
	for _, c := range r.All() {
		ids = append(ids, c.ID)
	}
	sort.Strings(ids)
	for _, id := range ids {
		c, _ := r.Lookup(id)
		p, _ := c.Resolve(shared[id])
		if id == "k8s/scheduled-job" {
			p, _ = c.Resolve(map[string]any{"pattern": "x"})
		}
		env := source.NewEnv(source.Inputs{Paths: []string{"testdata/empty"}})
		_, err := c.Run(context.Background(), env, p)
		if _, ok := source.AsMissing(err); !ok {
			t.Errorf("%s on no objects: want Missing, got %v", id, err)
		}
	}
}

func TestObjectsBinding(t *testing.T) {
	r := check.NewRegistry()
	Register(r)
	prg, err := r.CompileCEL(`objects.exists(o, o.kind == "Deployment" && o.spec.template.spec.containers.all(c, has(c.resources.limits)))`)
	if err != nil {
		t.Fatal(err)
	}
	for fixture, want := range map[string]bool{"good": true, "sts-good": false} {
		ok, err := r.EvalCEL(context.Background(), prg, source.NewEnv(source.Inputs{Paths: []string{"testdata/" + fixture}}))
		if err != nil || ok != want {
			t.Errorf("%s: got %v %v, want %v", fixture, ok, err, want)
		}
	}
}

func fmtInt(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for i > 0 {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
	}
	return string(b)
}

// TestObjectsViewMatchesMaps holds the tree views behind `objects` to what
// cel-go does with the same objects built as Go maps.
func TestObjectsViewMatchesMaps(t *testing.T) {
	views := check.NewRegistry()
	Register(views)
	maps := check.NewRegistry()
	maps.RegisterBinding(check.Binding{Name: "objects", Needs: check.K8s,
		Value: func(ctx context.Context, env *source.Env) (any, error) {
			return objectValues(ctx, env, func(o *ks.Object) any { return o.Map() })
		}})
	exprs := []string{
		`objects.exists(o, "kind" in o && o.kind == "Service")`,
		`objects.all(o, !("spec" in o) || type(o.spec) == map)`,
		`objects.exists(o, o.kind == "Deployment" && o.spec.replicas >= 2)`,
		`objects.exists(o, o.kind == "Deployment" && o.spec.template.spec.containers[0].name == "web")`,
		`objects.exists(o, o.kind == "Deployment" && size(o.spec.template.spec.containers) == 1)`,
		`objects.exists(o, o.kind == "Deployment" && o.spec.template.spec.containers.exists(c, "readinessProbe" in c))`,
		`objects.exists(o, has(o.metadata.labels) && o.metadata.labels.exists(k, k.startsWith("app")))`,
		`objects.exists(o, o.kind == "Deployment" && o.spec.selector == {"matchLabels": {"app": "web"}})`,
		`objects.exists(o, o.kind == "Deployment" && o.spec.template.spec.containers + [] == o.spec.template.spec.containers)`,
		`objects.exists(o, o.kind == "Deployment" && "web" in o.spec.template.spec.containers.map(c, c.name) && {"name": "http", "containerPort": 8080} in o.spec.template.spec.containers[0].ports)`,
		`objects.exists(o, o.kind == "Deployment" && type(o.spec.template.spec.containers) == list)`,
		`objects.exists(o, o.kind == "Deployment" && o.spec.template.spec.containers.size() > 0 && o.metadata.name != "")`,
		`objects.exists(o, o.kind == "Deployment" && o.spec.missing == 1)`,
		`objects.exists(o, o.kind == "Deployment" && o.spec.template.spec.containers[5].name == "x")`,
		`objects.all(o, !has(o.spec) || !has(o.spec.nothing))`,
	}
	for _, fixture := range []string{"good", "bad", "sts-good"} {
		for _, expr := range exprs {
			var got [2]string
			for k, r := range []*check.Registry{views, maps} {
				prg, err := r.CompileCEL(expr)
				if err != nil {
					t.Fatalf("%s: %v", expr, err)
				}
				ok, err := r.EvalCEL(context.Background(), prg, source.NewEnv(source.Inputs{Paths: []string{"testdata/" + fixture}}))
				got[k] = fmt.Sprint(ok, err != nil)
			}
			if got[0] != got[1] {
				t.Errorf("%s: %s: views give %s, maps %s", fixture, expr, got[0], got[1])
			}
		}
	}
}
