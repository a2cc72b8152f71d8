package db

import (
	"context"
	"fmt"
	"testing"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/check/checktest"
	"golive.dev/golive/internal/mask"
	"golive.dev/golive/internal/source"
	src "golive.dev/golive/internal/source/db"
	"golive.dev/golive/internal/testenv"
	"golive.dev/golive/internal/verdict"
)

// goodServer enforces TLS, archives WAL and tracks statements; its appdb is
// owned by a migration role and used by a least-privileged app_good.
func goodServer(t *testing.T) *testenv.Postgres {
	pg := testenv.StartPostgres(t, testenv.PGOptions{
		SSL: true,
		Settings: map[string]string{
			"archive_mode": "on", "archive_command": "/bin/true",
			"shared_preload_libraries": "pg_stat_statements",
		},
	})
	pg.Exec(t, "postgres",
		`create role owner_role login password 'ownerpw'`,
		`create role app_good login password 'goodpw'`,
		`alter role app_good set statement_timeout = '30s'`,
		`create database appdb owner owner_role`,
	)
	pg.Exec(t, "appdb",
		`create extension pg_stat_statements`,
		`create table events (id bigserial primary key, stream_id text not null, version int not null, payload jsonb)`,
		`create index events_stream_version on events (stream_id, version)`,
		`insert into events (stream_id, version) select 's' || (g % 2000), g from generate_series(1, 20000) g`,
		`create table schema_migrations (version bigint primary key, dirty boolean not null)`,
		`insert into schema_migrations values (20240101, false), (20240301, false)`,
		`alter table events owner to owner_role`,
		`alter table schema_migrations owner to owner_role`,
		`grant select, insert on events to app_good`,
		`grant usage on sequence events_id_seq to app_good`,
		`grant select on schema_migrations to app_good`,
		`analyze`,
	)
	var lookups []string
	for i := 0; i < 5; i++ {
		lookups = append(lookups, fmt.Sprintf(`select * from events where stream_id = 's%d' and version = %d`, i, i))
	}
	for i := 0; i < 3; i++ {
		lookups = append(lookups, `select pg_sleep(0.03)`)
	}
	pg.Exec(t, "appdb", lookups...)
	return pg
}

// badServer has TLS off, accepts plain passwords over TCP and hosts a
// database where the app role is powerful and PUBLIC has grants.
func badServer(t *testing.T) *testenv.Postgres {
	pg := testenv.StartPostgres(t, testenv.PGOptions{
		HBA: "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n",
	})
	pg.Exec(t, "postgres",
		`create role app_bad login password 'badpw' createdb createrole`,
		`create database baddb owner app_bad`,
	)
	pg.Exec(t, "baddb",
		`create table things (id int)`,
		`alter table things owner to app_bad`,
		`create table data (x int)`,
		`insert into data select generate_series(1, 20000)`,
		`grant select on things to public`,
		`grant create on schema public to public`,
		`create table schema_migrations (version bigint primary key, dirty boolean not null)`,
		`insert into schema_migrations values (1, false), (2, true)`,
		`grant select on schema_migrations to app_bad`,
		`analyze`,
	)
	var scans []string
	for i := 0; i < 5; i++ {
		scans = append(scans, `select count(*) from data where x = 7`)
	}
	pg.Exec(t, "baddb", scans...)
	return pg
}

func TestChecksAgainstRealPostgres(t *testing.T) {
	good, bad := goodServer(t), badServer(t)
	goodDSN := good.DSN("app_good", "goodpw", "appdb", "require")
	badDSN := bad.DSN("app_bad", "badpw", "baddb", "disable")
	envs := map[string]*source.Env{}
	for name, dsn := range map[string]string{"good": goodDSN, "bad": badDSN} {
		env := source.NewEnv(source.Inputs{Database: dsn})
		d, err := src.From(context.Background(), env)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Cleanup(d.Close)
		envs[name] = env
	}
	r := check.NewRegistry()
	Register(r)
	cases := []struct {
		name string
		env  string
		id   string
		with map[string]any
		want verdict.Status
	}{
		{"tls enforced", "good", "db/tls", nil, verdict.Pass},
		{"tls off", "bad", "db/tls", nil, verdict.Fail},
		{"least privilege", "good", "db/role-privileges", nil, verdict.Pass},
		{"createdb createrole", "bad", "db/role-privileges", nil, verdict.Fail},
		{"createdb allowed but not createrole", "bad", "db/role-privileges", map[string]any{"allow": []any{"createdb"}}, verdict.Fail},
		{"owned by migration role", "good", "db/ownership", nil, verdict.Pass},
		{"owned by migration role, named", "good", "db/ownership", map[string]any{"owner": "owner_role"}, verdict.Pass},
		{"app owns tables and db", "bad", "db/ownership", nil, verdict.Fail},
		{"no public grants", "good", "db/public-privileges", nil, verdict.Pass},
		{"public grants", "bad", "db/public-privileges", nil, verdict.Fail},
		{"pool fits", "good", "db/connection-pool", map[string]any{"poolSize": 5, "replicas": 2}, verdict.Pass},
		{"pool too large", "good", "db/connection-pool", map[string]any{"poolSize": 20, "replicas": 3}, verdict.Fail},
		{"usage now", "good", "db/connection-pool", nil, verdict.Pass},
		{"migrations clean", "good", "db/migrations", map[string]any{"latest": "20240301"}, verdict.Pass},
		{"migration not applied", "good", "db/migrations", map[string]any{"latest": "20250101"}, verdict.Fail},
		{"migration dirty", "bad", "db/migrations", nil, verdict.Fail},
		{"no migrations table", "good", "db/migrations", map[string]any{"tables": []any{"flyway_schema_history"}}, verdict.Fail},
		{"settings ok", "good", "db/settings", map[string]any{"expect": map[string]any{"ssl": "on", "statement_timeout": ">0"}}, verdict.Pass},
		{"settings not ok", "bad", "db/settings", map[string]any{"expect": map[string]any{"ssl": "on", "statement_timeout": ">0"}}, verdict.Fail},
		{"archiving on", "good", "db/wal-archiving", nil, verdict.Pass},
		{"archiving off", "bad", "db/wal-archiving", nil, verdict.Fail},
		{"events index", "good", "db/indexes", map[string]any{"required": []any{"events(stream_id, version)", "public.schema_migrations()"}}, verdict.Pass},
		{"events index wrong order", "good", "db/indexes", map[string]any{"required": []any{"events(version, stream_id)"}}, verdict.Fail},
		{"events table missing", "bad", "db/indexes", map[string]any{"required": []any{"events(stream_id)"}}, verdict.Fail},
		{"large table without index", "bad", "db/indexes", nil, verdict.Fail},
		{"large tables indexed", "good", "db/indexes", nil, verdict.Pass},
		{"no table large enough to judge", "good", "db/indexes", map[string]any{"minRows": 1000000000}, verdict.NA},
		{"index scans dominate", "good", "db/index-usage", map[string]any{"minScans": 3}, verdict.Pass},
		{"seq scans dominate", "bad", "db/index-usage", map[string]any{"minScans": 3}, verdict.Fail},
		{"queries fast", "good", "db/query-performance", map[string]any{"minCalls": 3, "maxMeanMs": 1000.0}, verdict.Pass},
		{"queries slow", "good", "db/query-performance", map[string]any{"minCalls": 3, "maxMeanMs": 10.0}, verdict.Fail},
		{"no pg_stat_statements", "bad", "db/query-performance", nil, verdict.Unverified},
		{"reachable", "good", "db/reachable", nil, verdict.Pass},
		{"too slow", "good", "db/reachable", map[string]any{"maxLatency": "1ns"}, verdict.Fail},
	}
	var table []checktest.Case
	for _, tc := range cases {
		table = append(table, checktest.Case{Name: tc.name, ID: tc.id, Env: envs[tc.env], With: tc.with, Want: tc.want})
	}
	checktest.Table(t, r, table, func(t *testing.T, c checktest.Case, out check.Outcome) {
		if out.Missing != nil {
			t.Errorf("%s: database reported missing: %v", c.ID, out.Missing)
		}
		checktest.NoLeak(t, out.Findings, "goodpw", "badpw")
	})
}

func TestMissingAndUnreachable(t *testing.T) {
	r := check.NewRegistry()
	Register(r)
	dsns := []string{"", fmt.Sprintf("postgres://app:hunter22@127.0.0.1:%d/app?connect_timeout=2", testenv.FreePort(t))}
	for _, dsn := range dsns {
		for _, c := range r.All() {
			with := map[string]any{}
			if c.ID == "db/settings" {
				with["expect"] = map[string]any{"ssl": "on"}
			}
			out := checktest.Run(t, r, c.ID, source.Inputs{Database: dsn}, with)
			// The one finding is the engine's for the missing input: the
			// check itself returned none beside its error.
			if out.Missing == nil || len(out.Findings) != 1 {
				t.Fatalf("%s with %q: want Missing alone, got %s", c.ID, mask.URL(dsn), checktest.Show(out.Findings))
			}
			if out.Missing.Input != "--database" {
				t.Errorf("%s: missing input named %q", c.ID, out.Missing.Input)
			}
			checktest.NoLeak(t, out.Findings, "hunter22")
		}
	}
}

func TestCompare(t *testing.T) {
	for _, tc := range []struct {
		got, want string
		ok        bool
	}{
		{"on", "on", true}, {"off", "on", false}, {"30000", ">0", true}, {"0", ">0", false},
		{"0", "!=0", false}, {"100", ">=100", true}, {"off", "!off", false}, {"replica", "!minimal", true},
	} {
		ok, err := compare(tc.got, tc.want)
		if err != nil || ok != tc.ok {
			t.Errorf("compare(%q, %q) = %v, %v; want %v", tc.got, tc.want, ok, err, tc.ok)
		}
	}
	if _, err := compare("on", ">1"); err == nil {
		t.Error("want an error comparing text with >")
	}
}
