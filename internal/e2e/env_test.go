package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.yaml.in/yaml/v3"

	"golive.dev/golive/internal/source/probe/probetest"
	"golive.dev/golive/internal/testenv"
)

// liveEnv is everything a live run points golive at: the good and bad HTTP(S)
// services, a real Prometheus scraping the good one, a real PostgreSQL with a
// well and a badly set up database, and cluster dumps.
type liveEnv struct {
	svc              *probetest.Services
	infra            *httptest.Server // the exporters a cluster's Prometheus also scrapes
	prom             *testenv.Prometheus
	goodDSN, badDSN  string
	goodDump, badDup string
	closedPort       int
}

// appPassword is the database password of the test roles; it must never
// reach a report.
const appPassword = "e2e-Db-Passw0rd-never-printed"

func startLive(t *testing.T) *liveEnv {
	t.Helper()
	e := &liveEnv{svc: probetest.Start(t)}
	e.infra = httptest.NewServer(infraExporter(time.Now()))
	t.Cleanup(e.infra.Close)
	e.closedPort = testenv.FreePort(t) // nothing listens there

	// Both servers take seconds to start; start them side by side. Their
	// helpers skip (or fail under CI) through t, which from a goroutine only
	// marks the test: look after both are done.
	var wg sync.WaitGroup
	var pg *testenv.Postgres
	wg.Add(2)
	go func() {
		defer wg.Done()
		e.prom = testenv.StartPrometheus(t, testenv.PromOptions{
			Jobs:  []testenv.ScrapeJob{{Job: "eventcore", Targets: []string{hostPort(e.svc.GoodHTTP.URL), hostPort(e.infra.URL)}}},
			Rules: promRules,
		})
	}()
	go func() {
		defer wg.Done()
		pg = startPostgres(t)
	}()
	wg.Wait()
	if t.Skipped() {
		t.SkipNow()
	}
	if t.Failed() || e.prom == nil || pg == nil {
		t.FailNow()
	}
	e.goodDSN = pg.DSN("orders_app", appPassword, "orders", "require")
	e.badDSN = pg.DSN("legacy", appPassword, "legacy", "disable")
	waitScraped(t, e.prom)

	dir := t.TempDir()
	recent := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	for name, dst := range map[string]*string{"good.yaml": &e.goodDump, "bad.yaml": &e.badDup} {
		b, err := os.ReadFile(filepath.Join("testdata", "cluster", name))
		if err != nil {
			t.Fatal(err)
		}
		*dst = filepath.Join(dir, "cluster-"+name)
		if err := os.WriteFile(*dst, []byte(strings.ReplaceAll(string(b), "__RECENT__", recent)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func hostPort(u string) string {
	return strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://")
}

func port(u string) int {
	_, p, _ := net.SplitHostPort(hostPort(u))
	n, _ := strconv.Atoi(p)
	return n
}

// promRules are the service's rules as its Prometheus loads them: an SLO
// recording rule and alerts that do not fire on a healthy service.
const promRules = `groups:
  - name: eventcore-slo
    rules:
      - record: slo:http_request_errors:ratio_rate5m
        expr: sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))
      - alert: EventcoreHighErrorRate
        expr: sum(rate(eventcore_command_errors_total[5m])) / sum(rate(eventcore_commands_total[5m])) > 0.05
        for: 5m
        labels: {severity: critical}
        annotations: {summary: command error rate above 5%, runbook_url: https://runbooks.example.com/eventcore/errors}
      - alert: DatabaseConnectionPoolSaturated
        expr: eventcore_connection_pool_size / eventcore_connection_pool_max_size > 0.9
        for: 10m
        labels: {severity: warning}
        annotations: {summary: connection pool above 90%, runbook_url: https://runbooks.example.com/eventcore/pool}
`

// infraExporter serves what a Kubernetes cluster's Prometheus scrapes beside
// the service — cAdvisor, kube-state-metrics, node-exporter, the postgres
// exporter and the service's own pool, cache and breaker gauges — for a
// healthy deployment. Counters grow with time, as real ones do.
func infraExporter(start time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		up := time.Since(start).Seconds() + 60
		var b strings.Builder
		b.WriteString("# TYPE container_cpu_usage_seconds_total counter\n# TYPE container_cpu_cfs_periods_total counter\n" +
			"# TYPE container_cpu_cfs_throttled_periods_total counter\n# TYPE container_memory_working_set_bytes gauge\n" +
			"# TYPE container_fs_usage_bytes gauge\n# TYPE kube_pod_container_resource_limits gauge\n# TYPE kube_pod_status_ready gauge\n")
		for _, ns := range []string{"eventcore", "orders"} {
			for i := range 2 {
				l := fmt.Sprintf(`namespace=%q,pod="%s-app-%d",container="app"`, ns, ns, i)
				fmt.Fprintf(&b, "container_cpu_usage_seconds_total{%s} %.3f\n", l, 0.2*up)
				fmt.Fprintf(&b, "container_cpu_cfs_periods_total{%s} %.0f\n", l, 10*up)
				fmt.Fprintf(&b, "container_cpu_cfs_throttled_periods_total{%s} 0\n", l)
				fmt.Fprintf(&b, "container_memory_working_set_bytes{%s} 419430400\n", l)
				fmt.Fprintf(&b, "container_fs_usage_bytes{%s} 10485760\n", l)
				fmt.Fprintf(&b, "kube_pod_container_resource_limits{%s,resource=\"cpu\",unit=\"core\"} 1\n", l)
				fmt.Fprintf(&b, "kube_pod_container_resource_limits{%s,resource=\"memory\",unit=\"byte\"} 1610612736\n", l)
				fmt.Fprintf(&b, "kube_pod_status_ready{namespace=%q,pod=\"%s-app-%d\",condition=\"true\"} 1\n", ns, ns, i)
			}
		}
		fmt.Fprintf(&b, "# TYPE node_cpu_seconds_total counter\nnode_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} %.1f\n", 0.7*up)
		b.WriteString("# TYPE kube_horizontalpodautoscaler_status_current_replicas gauge\n" +
			"kube_horizontalpodautoscaler_status_current_replicas{namespace=\"orders\",horizontalpodautoscaler=\"orders-api\"} 3\n" +
			"# TYPE kube_horizontalpodautoscaler_spec_max_replicas gauge\n" +
			"kube_horizontalpodautoscaler_spec_max_replicas{namespace=\"orders\",horizontalpodautoscaler=\"orders-api\"} 10\n" +
			"# TYPE pg_up gauge\npg_up 1\n" +
			"# TYPE eventcore_command_errors_total counter\n" +
			"# TYPE eventcore_connection_pool_size gauge\neventcore_connection_pool_size 6\n" +
			"# TYPE eventcore_connection_pool_max_size gauge\neventcore_connection_pool_max_size 20\n" +
			"# TYPE db_pool_connections_in_use gauge\ndb_pool_connections_in_use 6\n" +
			"# TYPE cache_hits_total counter\ncache_hits_total 950\n# TYPE cache_misses_total counter\ncache_misses_total 50\n" +
			"# TYPE circuit_breaker_open gauge\ncircuit_breaker_open{dependency=\"database\"} 0\n")
		// A second, busy replica of the service: its counters grow, so
		// rate() over them is defined.
		fmt.Fprintf(&b, "# TYPE http_requests_total counter\nhttp_requests_total{version=\"v1\",code=\"200\",route=\"/v1/orders\"} %.0f\n", 40*up)
		fmt.Fprintf(&b, "http_requests_total{version=\"v1\",code=\"500\",route=\"/v1/orders\"} %.0f\n", 0.01*up)
		fmt.Fprintf(&b, "# TYPE http_request_duration_seconds histogram\nhttp_request_duration_seconds_bucket{le=\"0.1\"} %.0f\n"+
			"http_request_duration_seconds_bucket{le=\"0.5\"} %.0f\nhttp_request_duration_seconds_bucket{le=\"+Inf\"} %.0f\n"+
			"http_request_duration_seconds_sum %.1f\nhttp_request_duration_seconds_count %.0f\n", 38*up, 40*up, 40*up, 2*up, 40*up)
		fmt.Fprintf(&b, "eventcore_command_errors_total %.0f\n", 0.02*up)
		fmt.Fprintf(&b, "# TYPE eventcore_commands_total counter\neventcore_commands_total %.0f\n", 20*up)
		fmt.Fprintf(&b, "# TYPE eventcore_command_duration_seconds histogram\neventcore_command_duration_seconds_bucket{le=\"0.05\"} %.0f\n"+
			"eventcore_command_duration_seconds_bucket{le=\"0.25\"} %.0f\neventcore_command_duration_seconds_bucket{le=\"+Inf\"} %.0f\n"+
			"eventcore_command_duration_seconds_sum %.1f\neventcore_command_duration_seconds_count %.0f\n", 19*up, 20*up, 20*up, 0.6*up, 20*up)
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = io.WriteString(w, b.String())
	})
}

// waitScraped waits until Prometheus has a few samples of both targets, so
// rate() windows have something to work on.
func waitScraped(t *testing.T, p *testenv.Prometheus) {
	t.Helper()
	p.WaitFor(t, "three scrapes of every target", 30*time.Second, func(ctx context.Context) bool {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet,
			p.URL+"/api/v1/query?query="+`count(count_over_time(up{job="eventcore"}[1m])>=3)==2`, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(body), `"result":[{`)
	})
}

// startPostgres runs PostgreSQL with TLS, pg_stat_statements and WAL
// archiving, and sets up two databases: orders, owned by a migration role
// and used by a least-privilege application role over TLS only; and legacy,
// used by a superuser that may connect without TLS and grants to PUBLIC.
func startPostgres(t *testing.T) *testenv.Postgres {
	archive, err := os.MkdirTemp("", "golive-e2e-wal-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(archive) })
	// The server may run as the postgres user, which must write there.
	if err := os.Chmod(archive, 0o777); err != nil {
		t.Fatal(err)
	}
	pg := testenv.StartPostgres(t, testenv.PGOptions{
		SSL: true,
		HBA: "local all all trust\n" +
			"hostssl all orders_app 127.0.0.1/32 scram-sha-256\n" +
			"host all legacy 127.0.0.1/32 scram-sha-256\n",
		Settings: map[string]string{
			"shared_preload_libraries": "pg_stat_statements",
			"archive_mode":             "on",
			"archive_command":          fmt.Sprintf("test ! -f %s/%%f && cp %%p %s/%%f", archive, archive),
			"password_encryption":      "scram-sha-256",
		},
	})
	pg.Exec(t, "postgres",
		"CREATE ROLE orders_owner NOLOGIN",
		"CREATE ROLE orders_app LOGIN PASSWORD '"+appPassword+"'",
		"CREATE DATABASE orders OWNER orders_owner",
		"CREATE ROLE legacy LOGIN SUPERUSER PASSWORD '"+appPassword+"'",
		"CREATE DATABASE legacy OWNER legacy",
	)
	pg.Exec(t, "orders",
		"CREATE EXTENSION pg_stat_statements",
		"REVOKE ALL ON DATABASE orders FROM PUBLIC",
		"GRANT CONNECT ON DATABASE orders TO orders_app",
		"REVOKE ALL ON SCHEMA public FROM PUBLIC",
		"SET ROLE orders_owner",
		"CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT now())",
		"INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (20260101120000, true)",
		"CREATE TABLE events (stream_id uuid NOT NULL, version bigint NOT NULL, type text NOT NULL, data jsonb NOT NULL, PRIMARY KEY (stream_id, version))",
		"GRANT USAGE ON SCHEMA public TO orders_app",
		"GRANT SELECT, INSERT ON events TO orders_app",
		// The service checks the schema version at start-up.
		"GRANT SELECT ON goose_db_version TO orders_app",
		"RESET ROLE",
	)
	pg.Exec(t, "legacy",
		"CREATE TABLE accounts (id serial PRIMARY KEY, email text, password_hash text)",
		"GRANT ALL ON accounts TO PUBLIC",
	)
	// Traffic for pg_stat_statements, then a WAL switch so one segment is
	// archived.
	ctx := context.Background()
	c, err := pgx.Connect(ctx, pg.DSN("orders_app", appPassword, "orders", "require"))
	if err != nil {
		t.Fatalf("connect as orders_app: %v", err)
	}
	for i := range 120 {
		if _, err := c.Exec(ctx, "SELECT count(*) FROM events WHERE stream_id = $1", fmt.Sprintf("00000000-0000-0000-0000-%012d", i)); err != nil {
			t.Fatal(err)
		}
	}
	_ = c.Close(ctx)
	pg.Exec(t, "postgres", "CHECKPOINT", "SELECT pg_switch_wal()")
	deadline := time.Now().Add(20 * time.Second)
	for {
		entries, _ := os.ReadDir(archive)
		if len(entries) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no WAL segment archived into %s after 20s", archive)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return pg
}

// testVars point the seed packs' variables at the test services, as a team
// adapting a seed pack to its service would: the orders-api workloads of the
// cluster dumps, one port serving every path (0 keeps the target's), and the
// test service's routes in place of the EventCore smoke-test routes.
var testVars = []string{
	"service=orders-api", "serviceLabel=app.kubernetes.io/name",
	"healthPort=0", "metricsPort=0",
	"authPath=/api/protected", "commandPath=/api/echo",
}

// varFlags are testVars as command-line flags.
func varFlags() []string {
	var out []string
	for _, v := range testVars {
		out = append(out, "--var", v)
	}
	return out
}

// testPack writes a pack that extends a built-in seed pack and sets what no
// pack variable covers: parameters the seed leaves to a check's default that
// the test services need (the deprecated API prefix, the rate-limited route,
// a route taking a body), the PodDisruptionBudget's name (the MPL chart calls
// it <release>-pdb, the test cluster's is orders-api) and the scrape target's
// port (the test Prometheus scrapes another port than the one probed). It
// returns the file and how many parameters it changed.
func (e *liveEnv) testPack(t *testing.T, base string) (string, int) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "packs", base+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Items []struct {
			ID     string `yaml:"id"`
			Checks []struct {
				Check string         `yaml:"check"`
				With  map[string]any `yaml:"with"`
			} `yaml:"checks"`
		} `yaml:"items"`
	}
	if err := yaml.Unmarshal(raw, &p); err != nil {
		t.Fatalf("packs/%s.yaml: %v", base, err)
	}
	type override struct {
		Item string                    `yaml:"item"`
		With map[string]map[string]any `yaml:"with"`
	}
	var overrides []override
	changed := 0
	for _, it := range p.Items {
		with := map[string]map[string]any{}
		set := func(check, k string, v any) {
			if with[check] == nil {
				with[check] = map[string]any{}
			}
			with[check][k] = v
			changed++
		}
		for _, c := range it.Checks {
			if c.Check == "http/deprecation" && c.With["paths"] == nil {
				set(c.Check, "paths", []string{"/api/v1/"})
			}
			if c.Check == "http/rate-limit" {
				set(c.Check, "path", "/api/limited")
			}
			if (c.Check == "http/bad-input" || c.Check == "http/body-limit") && c.With["path"] == nil {
				set(c.Check, "path", "/api/echo")
			}
			if c.Check == "cluster/pdb" && c.With["name"] != nil {
				set(c.Check, "name", "orders-api")
			}
			if sel, ok := c.With["selector"].(map[string]any); ok && c.Check == "prom/targets-up" && sel["instance"] != nil {
				set(c.Check, "selector", map[string]any{"instance": fmt.Sprintf("~.*:%d", port(e.svc.GoodHTTP.URL))})
			}
		}
		if len(with) > 0 {
			overrides = append(overrides, override{Item: it.ID, With: with})
		}
	}
	doc := map[string]any{
		"apiVersion": "golive.dev/v1", "kind": "Pack",
		"metadata": map[string]any{"name": base, "title": base + " adapted to the e2e test services", "version": "0.0.1"},
		"extends":  base, "overrides": overrides,
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), base+".yaml")
	if err := os.WriteFile(file, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return file, changed
}
