// Package db holds the checks that ask the application's PostgreSQL
// database: TLS enforced, the application role's privileges and ownership,
// grants to PUBLIC, connection headroom, migrations, settings, archiving,
// indexes and query performance.
package db

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	src "golive.dev/golive/internal/source/db"
	"golive.dev/golive/internal/verdict"
)

// Register adds the database checks.
func Register(r *check.Registry) {
	for _, c := range []check.Check{
		tlsCheck(), rolePrivileges(), ownership(), publicPrivileges(), connectionPool(),
		migrations(), settings(), walArchiving(), indexes(), indexUsage(), queryPerformance(), reachable(),
	} {
		r.Register(c)
	}
}

var needs = []check.Input{check.Database}

// Objects created by an extension (pg_stat_statements' views) are the
// extension's business and are left out of ownership and grant checks.

// userSchemas selects the schemas to look at: the given ones, or every
// schema that is not PostgreSQL's own.
const userSchemas = `(coalesce(cardinality($1::text[]), 0) = 0 and n.nspname not in ('information_schema') and n.nspname not like 'pg\_%') or n.nspname = any($1::text[])`

func schemasParam() check.Param {
	return check.Param{Name: "schemas", Type: check.Strings, Description: "application schemas (empty: every schema but PostgreSQL's own)"}
}

func roleParam() check.Param {
	return check.Param{Name: "role", Type: check.String, Description: "application role (empty: the role golive connected as)"}
}

type runFn func(ctx context.Context, d *src.DB, conn *pgx.Conn, p check.Params) ([]verdict.Finding, error)

// with opens the source and runs fn on its connection, stamping the check id
// and the masked DSN on every finding.
func with(id string, fn runFn) check.RunFunc {
	return func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
		d, err := src.From(ctx, env)
		if err != nil {
			return nil, err
		}
		var out []verdict.Finding
		err = d.With(ctx, func(conn *pgx.Conn) error {
			var err error
			out, err = fn(ctx, d, conn, p)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("%s on %s: %w", id, d.Masked, err)
		}
		for i := range out {
			out[i].Check = id
			if out[i].Endpoint == "" {
				out[i].Endpoint = d.Masked
			}
		}
		return out, nil
	}
}

func role(ctx context.Context, conn *pgx.Conn, p check.Params) (string, error) {
	if r := p.String("role"); r != "" {
		return r, nil
	}
	var r string
	err := conn.QueryRow(ctx, "select current_user").Scan(&r)
	return r, err
}

func f(st verdict.Status, msg string, ev map[string]any) verdict.Finding {
	return verdict.Finding{Status: st, Message: msg, Evidence: ev}
}

// denied reports a permission error, which leaves a question undecided
// rather than failing the check.
func denied(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "42501"
}

func tlsCheck() check.Check {
	return check.Check{
		ID:    "db/tls",
		Title: "The database enforces TLS for the application's connections",
		Description: "Requires ssl=on, then opens a second connection with the same credentials but without TLS: if the server accepts it, TLS is not enforced for this role from this host. " +
			"When pg_hba_file_rules is readable, host (non-hostssl) lines that accept remote addresses also fail, naming their line.",
		Needs: needs,
		Params: []check.Param{
			{Name: "allowLoopback", Type: check.Bool, Default: true, Description: "pg_hba host lines limited to 127.0.0.1/::1 are allowed"},
		},
		Run: with("db/tls", func(ctx context.Context, d *src.DB, conn *pgx.Conn, p check.Params) ([]verdict.Finding, error) {
			var out []verdict.Finding
			var ssl string
			if err := conn.QueryRow(ctx, "show ssl").Scan(&ssl); err != nil {
				return nil, err
			}
			if ssl != "on" {
				return []verdict.Finding{f(verdict.Fail, "ssl is "+ssl+": the server cannot encrypt connections", map[string]any{"ssl": ssl})}, nil
			}
			out = append(out, f(verdict.Pass, "ssl is on", map[string]any{"ssl": ssl}))
			var inUse bool
			if err := conn.QueryRow(ctx, "select coalesce((select ssl from pg_stat_ssl where pid = pg_backend_pid()), false)").Scan(&inUse); err == nil {
				out[0].Evidence["thisConnectionEncrypted"] = inUse
			}
			decided := false
			accepted, reason, perr := d.ProbePlaintext(ctx)
			switch {
			case perr != nil:
				out = append(out, f(verdict.Unverified, "could not probe an unencrypted connection: "+perr.Error(), nil))
			case accepted:
				decided = true
				out = append(out, f(verdict.Fail, fmt.Sprintf("the server accepted an unencrypted connection for role %s from this host", d.User),
					map[string]any{"role": d.User}))
			default:
				decided = true
				out = append(out, f(verdict.Pass, fmt.Sprintf("an unencrypted connection for role %s was refused: %s", d.User, reason), map[string]any{"role": d.User}))
			}
			rows, err := conn.Query(ctx, `select line_number, type, database::text, user_name::text, coalesce(address,''), coalesce(netmask,''), coalesce(auth_method,''), coalesce(error,'') from pg_hba_file_rules`)
			if err == nil {
				type rule struct {
					line                                 int
					typ, db, user, addr, mask, auth, err string
				}
				var bad []rule
				n := 0
				for rows.Next() {
					var r rule
					if err := rows.Scan(&r.line, &r.typ, &r.db, &r.user, &r.addr, &r.mask, &r.auth, &r.err); err != nil {
						rows.Close()
						return nil, err
					}
					n++
					if (r.typ != "host" && r.typ != "hostnossl") || r.auth == "reject" {
						continue
					}
					if p.Bool("allowLoopback") && loopback(r.addr) {
						continue
					}
					bad = append(bad, r)
				}
				rows.Close()
				if err := rows.Err(); err != nil && !denied(err) {
					return nil, err
				}
				if n > 0 {
					decided = true
					if len(bad) == 0 {
						out = append(out, f(verdict.Pass, fmt.Sprintf("pg_hba.conf (%d rules) accepts remote connections only over hostssl", n), nil))
					}
					for _, r := range bad {
						out = append(out, verdict.Finding{Status: verdict.Fail, File: "pg_hba.conf", Line: r.line,
							Message:  fmt.Sprintf("pg_hba.conf line %d: %s %s %s %s accepts connections without TLS", r.line, r.typ, r.db, r.user, r.addr),
							Evidence: map[string]any{"type": r.typ, "database": r.db, "user": r.user, "address": r.addr, "method": r.auth},
							Hint:     "use hostssl instead of host for remote addresses"})
					}
				}
			} else if !denied(err) {
				return nil, err
			}
			if !decided {
				out = append(out, f(verdict.Unverified, "whether TLS is required could not be decided: connect over TCP, or as a role that may read pg_hba_file_rules", nil))
			}
			return out, nil
		}),
	}
}

func loopback(addr string) bool {
	return strings.HasPrefix(addr, "127.") || addr == "::1" || addr == "localhost"
}

var dangerousRoles = []string{"pg_read_server_files", "pg_write_server_files", "pg_execute_server_program", "pg_signal_backend", "pg_checkpoint"}

func rolePrivileges() check.Check {
	return check.Check{
		ID:          "db/role-privileges",
		Title:       "The application role is not a superuser and has no administrative attributes",
		Description: "Reads pg_roles for the application role: SUPERUSER, CREATEROLE, CREATEDB, BYPASSRLS and REPLICATION fail unless listed in allow; membership in roles that reach the server's files or programs fails too.",
		Needs:       needs,
		Params: []check.Param{
			roleParam(),
			{Name: "allow", Type: check.Strings, Description: "attributes the role may have: createdb, createrole, bypassrls, replication"},
		},
		Run: with("db/role-privileges", func(ctx context.Context, _ *src.DB, conn *pgx.Conn, p check.Params) ([]verdict.Finding, error) {
			r, err := role(ctx, conn, p)
			if err != nil {
				return nil, err
			}
			var super, createrole, createdb, bypass, repl bool
			err = conn.QueryRow(ctx, `select rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication from pg_roles where rolname = $1`, r).
				Scan(&super, &createrole, &createdb, &bypass, &repl)
			if errors.Is(err, pgx.ErrNoRows) {
				return []verdict.Finding{f(verdict.Fail, "role "+r+" does not exist", map[string]any{"role": r})}, nil
			}
			if err != nil {
				return nil, err
			}
			allow := map[string]bool{}
			for _, a := range p.Strings("allow") {
				allow[strings.ToLower(a)] = true
			}
			attrs := map[string]bool{"superuser": super, "createrole": createrole, "createdb": createdb, "bypassrls": bypass, "replication": repl}
			ev := map[string]any{"role": r}
			for k, v := range attrs {
				ev[k] = v
			}
			var out []verdict.Finding
			for _, k := range []string{"superuser", "createrole", "createdb", "bypassrls", "replication"} {
				if attrs[k] && !allow[k] {
					out = append(out, f(verdict.Fail, fmt.Sprintf("role %s has %s", r, strings.ToUpper(k)), ev))
				}
			}
			rows, err := conn.Query(ctx, `select rolname from pg_roles where rolname = any($2) and pg_has_role($1, oid, 'MEMBER') order by 1`, r, dangerousRoles)
			if err != nil {
				return nil, err
			}
			mem, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return nil, err
			}
			if len(mem) > 0 && !super {
				out = append(out, f(verdict.Fail, fmt.Sprintf("role %s is a member of %s", r, strings.Join(mem, ", ")), map[string]any{"role": r, "memberOf": mem}))
			}
			if len(out) == 0 {
				out = append(out, f(verdict.Pass, fmt.Sprintf("role %s has no superuser or administrative attributes", r), ev))
			}
			return out, nil
		}),
	}
}

func ownership() check.Check {
	return check.Check{
		ID:    "db/ownership",
		Title: "The application role owns no more than it needs",
		Description: "Lists the owners of tables, views, sequences and schemas in the application schemas and of the database. With owner set, everything must belong to that role; " +
			"otherwise objects owned by the application role (unless allowOwn) or by a superuser fail: migrations should run as a separate owner role.",
		Needs: needs,
		Params: []check.Param{
			roleParam(), schemasParam(),
			{Name: "owner", Type: check.String, Description: "the role that should own the schema objects (e.g. a migration role)"},
			{Name: "allowOwn", Type: check.Bool, Default: false, Description: "the application role may own objects (single-role setups)"},
		},
		Run: with("db/ownership", func(ctx context.Context, _ *src.DB, conn *pgx.Conn, p check.Params) ([]verdict.Finding, error) {
			r, err := role(ctx, conn, p)
			if err != nil {
				return nil, err
			}
			rows, err := conn.Query(ctx, `
select 'schema', n.nspname, '', o.rolname, o.rolsuper from pg_namespace n join pg_roles o on o.oid = n.nspowner where (`+userSchemas+`) and n.nspname <> 'public'
union all
select case c.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'materialized view' else 'table' end, n.nspname, c.relname, o.rolname, o.rolsuper
from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_roles o on o.oid = c.relowner
where c.relkind in ('r','p','v','m','S','f') and (`+userSchemas+`)
and not exists (select 1 from pg_depend e where e.classid = 'pg_class'::regclass and e.objid = c.oid and e.deptype = 'e')
union all
select 'database', d.datname, '', o.rolname, o.rolsuper from pg_database d join pg_roles o on o.oid = d.datdba where d.datname = current_database()
order by 1, 2, 3`, p.Strings("schemas"))
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			var out []verdict.Finding
			n := 0
			want := p.String("owner")
			for rows.Next() {
				var kind, schema, name, owner string
				var super bool
				if err := rows.Scan(&kind, &schema, &name, &owner, &super); err != nil {
					return nil, err
				}
				obj := schema
				if name != "" {
					obj = schema + "." + name
				}
				ev := map[string]any{"kind": kind, "object": obj, "owner": owner}
				if kind == "database" {
					if owner == r && !p.Bool("allowOwn") {
						out = append(out, verdict.Finding{Status: verdict.Fail, Object: "database/" + obj, Evidence: ev,
							Message: fmt.Sprintf("database %s is owned by the application role %s, which may then create schemas and grant at will", obj, r)})
					}
					continue
				}
				n++
				switch {
				case want != "" && owner != want:
					out = append(out, verdict.Finding{Status: verdict.Fail, Object: kind + "/" + obj, Evidence: ev,
						Message: fmt.Sprintf("%s %s is owned by %s, want %s", kind, obj, owner, want)})
				case want == "" && owner == r && !p.Bool("allowOwn"):
					out = append(out, verdict.Finding{Status: verdict.Fail, Object: kind + "/" + obj, Evidence: ev,
						Message: fmt.Sprintf("%s %s is owned by the application role %s: it can alter or drop it", kind, obj, r)})
				case want == "" && super:
					out = append(out, verdict.Finding{Status: verdict.Fail, Object: kind + "/" + obj, Evidence: ev,
						Message: fmt.Sprintf("%s %s is owned by superuser %s", kind, obj, owner)})
				}
			}
			if err := rows.Err(); err != nil {
				return nil, err
			}
			if n == 0 {
				return append(out, f(verdict.NA, "no tables, views, sequences or schemas in the application schemas", nil)), nil
			}
			if len(out) == 0 {
				out = append(out, f(verdict.Pass, fmt.Sprintf("%d objects checked; none is owned by the application role %s or a superuser", n, r), map[string]any{"objects": n}))
			}
			return out, nil
		}),
	}
}

func publicPrivileges() check.Check {
	return check.Check{
		ID:          "db/public-privileges",
		Title:       "Nothing in the application schemas is granted to PUBLIC",
		Description: "Expands the ACLs of tables, views and sequences of the application schemas, of those schemas and of the database: any privilege granted to PUBLIC fails, except USAGE on a schema and the database privileges in allowDatabase.",
		Needs:       needs,
		Params: []check.Param{
			schemasParam(),
			{Name: "allowDatabase", Type: check.Strings, Default: []any{"CONNECT", "TEMPORARY"}, Description: "database privileges PUBLIC may keep"},
		},
		Run: with("db/public-privileges", func(ctx context.Context, _ *src.DB, conn *pgx.Conn, p check.Params) ([]verdict.Finding, error) {
			rows, err := conn.Query(ctx, `
select 'table', n.nspname || '.' || c.relname, a.privilege_type
from pg_class c join pg_namespace n on n.oid = c.relnamespace, aclexplode(c.relacl) a
where a.grantee = 0 and c.relkind in ('r','p','v','m','S','f') and (`+userSchemas+`)
and not exists (select 1 from pg_depend e where e.classid = 'pg_class'::regclass and e.objid = c.oid and e.deptype = 'e')
union all
select 'schema', n.nspname, a.privilege_type
from pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
where a.grantee = 0 and a.privilege_type <> 'USAGE' and (`+userSchemas+`)
union all
select 'database', d.datname, a.privilege_type
from pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
where a.grantee = 0 and d.datname = current_database() and not (a.privilege_type = any($2::text[]))
order by 1, 2, 3`, p.Strings("schemas"), upper(p.Strings("allowDatabase")))
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			byObj := map[string][]string{}
			var keys []string
			for rows.Next() {
				var kind, obj, priv string
				if err := rows.Scan(&kind, &obj, &priv); err != nil {
					return nil, err
				}
				k := kind + "/" + obj
				if byObj[k] == nil {
					keys = append(keys, k)
				}
				byObj[k] = append(byObj[k], priv)
			}
			if err := rows.Err(); err != nil {
				return nil, err
			}
			var out []verdict.Finding
			for _, k := range keys {
				out = append(out, verdict.Finding{Status: verdict.Fail, Object: k, Evidence: map[string]any{"grantee": "PUBLIC", "privileges": byObj[k]},
					Message: fmt.Sprintf("%s grants %s to PUBLIC (every role)", k, strings.Join(byObj[k], ", ")),
					Hint:    "REVOKE ... FROM PUBLIC and grant to the application role only"})
			}
			if len(out) == 0 {
				out = append(out, f(verdict.Pass, "no privileges are granted to PUBLIC on the application schemas, their objects or the database beyond "+strings.Join(p.Strings("allowDatabase"), ", "), nil))
			}
			return out, nil
		}),
	}
}

func upper(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strings.ToUpper(v)
		if out[i] == "TEMP" {
			out[i] = "TEMPORARY"
		}
	}
	return out
}

func connectionPool() check.Check {
	return check.Check{
		ID:    "db/connection-pool",
		Title: "The application's connection pools fit max_connections with headroom",
		Description: "Compares poolSize x replicas with the connections the server offers ordinary roles (max_connections minus reserved ones) less a headroom share, and with the role's connection limit. " +
			"Without poolSize it judges the connections in use now against the same headroom.",
		Needs: needs,
		Params: []check.Param{
			roleParam(),
			{Name: "poolSize", Type: check.Int, Default: 0, Description: "maximum pool size of one application instance (0: unknown)"},
			{Name: "replicas", Type: check.Int, Default: 1, Description: "application instances sharing the database (at their maximum, e.g. HPA maxReplicas)"},
			{Name: "headroom", Type: check.Float, Default: 0.2, Description: "share of connections to keep free for admins, migrations and spikes"},
		},
		Run: with("db/connection-pool", func(ctx context.Context, _ *src.DB, conn *pgx.Conn, p check.Params) ([]verdict.Finding, error) {
			r, err := role(ctx, conn, p)
			if err != nil {
				return nil, err
			}
			var max, suRes, res, inUse, limit int
			err = conn.QueryRow(ctx, `select current_setting('max_connections')::int, current_setting('superuser_reserved_connections')::int,
coalesce(current_setting('reserved_connections', true), '0')::int,
(select count(*)::int from pg_stat_activity where backend_type = 'client backend'),
coalesce((select rolconnlimit from pg_roles where rolname = $1), -1)`, r).Scan(&max, &suRes, &res, &inUse, &limit)
			if err != nil {
				return nil, err
			}
			avail := max - suRes - res
			budget := int(float64(avail) * (1 - p.Float("headroom")))
			ev := map[string]any{"max_connections": max, "reserved": suRes + res, "available": avail, "budget": budget, "inUse": inUse, "roleConnLimit": limit}
			pool, reps := p.Int("poolSize"), p.Int("replicas")
			if pool <= 0 {
				ev["note"] = "poolSize not given: judged on connections in use now"
				if inUse <= budget {
					return []verdict.Finding{f(verdict.Pass, fmt.Sprintf("%d of %d connections in use, within the budget of %d", inUse, avail, budget), ev)}, nil
				}
				return []verdict.Finding{f(verdict.Fail, fmt.Sprintf("%d of %d connections in use, over the budget of %d", inUse, avail, budget), ev)}, nil
			}
			need := pool * reps
			ev["needed"] = need
			var out []verdict.Finding
			if need > budget {
				out = append(out, f(verdict.Fail, fmt.Sprintf("pools need %d connections (%d x %d replicas), more than the %d left after %.0f%% headroom of %d", need, pool, reps, budget, p.Float("headroom")*100, avail), ev))
			} else {
				out = append(out, f(verdict.Pass, fmt.Sprintf("pools need %d connections (%d x %d replicas), within %d of %d available", need, pool, reps, budget, avail), ev))
			}
			if limit >= 0 && need > limit {
				out = append(out, f(verdict.Fail, fmt.Sprintf("role %s may open %d connections, pools need %d", r, limit, need), ev))
			}
			return out, nil
		}),
	}
}

// migrationTables are the bookkeeping tables of common migration tools.
var migrationTables = []any{
	"schema_migrations", "goose_db_version", "flyway_schema_history", "__diesel_schema_migrations",
	"_sqlx_migrations", "alembic_version", "knex_migrations", "sequelizemeta", "django_migrations",
	"__efmigrationshistory", "databasechangelog", "refinery_schema_history", "seaql_migrations",
	"atlas_schema_revisions", "schema_version", "migrations", "gorp_migrations", "mikro_orm_migrations",
}

func migrations() check.Check {
	return check.Check{
		ID:    "db/migrations",
		Title: "A migrations table is present, non-empty and clean",
		Description: "Looks for the bookkeeping table of a migration tool (golang-migrate, goose, Flyway, diesel, sqlx, Alembic, Liquibase, ...), requires it to hold at least one migration, and fails on a dirty flag or a failed migration. " +
			"With latest, that version must be recorded.",
		Needs: needs,
		Params: []check.Param{
			{Name: "tables", Type: check.Strings, Default: migrationTables, Description: "table names to look for (case-insensitive)"},
			{Name: "latest", Type: check.String, Description: "version that must be applied (the newest migration in the repo)"},
		},
		Run: with("db/migrations", func(ctx context.Context, _ *src.DB, conn *pgx.Conn, p check.Params) ([]verdict.Finding, error) {
			names := make([]string, len(p.Strings("tables")))
			for i, t := range p.Strings("tables") {
				names[i] = strings.ToLower(t)
			}
			rows, err := conn.Query(ctx, `select n.nspname, c.relname,
array(select a.attname::text from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped)
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r','p') and lower(c.relname) = any($1) and n.nspname not like 'pg\_%' order by 1, 2`, names)
			if err != nil {
				return nil, err
			}
			type tbl struct {
				schema, name string
				cols         []string
			}
			var found []tbl
			for rows.Next() {
				var t tbl
				if err := rows.Scan(&t.schema, &t.name, &t.cols); err != nil {
					rows.Close()
					return nil, err
				}
				found = append(found, t)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
			if len(found) == 0 {
				return []verdict.Finding{{Status: verdict.Fail, Message: "no migrations table found: schema changes are not tracked by a migration tool",
					Evidence: map[string]any{"lookedFor": names}, Hint: "apply the schema with a migration tool (goose, golang-migrate, Flyway, ...)"}}, nil
			}
			var out []verdict.Finding
			for _, t := range found {
				id := pgx.Identifier{t.schema, t.name}.Sanitize()
				obj := "table/" + t.schema + "." + t.name
				has := map[string]bool{}
				for _, c := range t.cols {
					has[c] = true
				}
				var n int
				if err := conn.QueryRow(ctx, "select count(*) from "+id).Scan(&n); err != nil {
					if denied(err) {
						out = append(out, verdict.Finding{Status: verdict.Unverified, Object: obj, Message: fmt.Sprintf("%s exists but the role may not read it", obj)})
						continue
					}
					return nil, err
				}
				ev := map[string]any{"table": t.schema + "." + t.name, "rows": n}
				if n == 0 {
					out = append(out, verdict.Finding{Status: verdict.Fail, Object: obj, Evidence: ev, Message: fmt.Sprintf("%s is empty: no migration was applied", obj)})
					continue
				}
				bad := 0
				switch {
				case has["dirty"]:
					err = conn.QueryRow(ctx, "select count(*) from "+id+" where dirty").Scan(&bad)
				case has["success"]:
					err = conn.QueryRow(ctx, "select count(*) from "+id+" where not success").Scan(&bad)
				}
				if err != nil {
					return nil, err
				}
				if vc := versionColumn(has); vc != "" {
					var latest string
					if err := conn.QueryRow(ctx, fmt.Sprintf("select coalesce(max(%s)::text, '') from %s", pgx.Identifier{vc}.Sanitize(), id)).Scan(&latest); err == nil {
						ev["maxVersion"] = latest
					}
					if want := p.String("latest"); want != "" {
						var ok bool
						if err := conn.QueryRow(ctx, fmt.Sprintf("select exists(select 1 from %s where %s::text = $1)", id, pgx.Identifier{vc}.Sanitize()), want).Scan(&ok); err != nil {
							return nil, err
						}
						if !ok {
							out = append(out, verdict.Finding{Status: verdict.Fail, Object: obj, Evidence: ev, Message: fmt.Sprintf("%s does not record version %s: the newest migration is not applied", obj, want)})
							continue
						}
					}
				}
				if bad > 0 {
					ev["failed"] = bad
					out = append(out, verdict.Finding{Status: verdict.Fail, Object: obj, Evidence: ev, Message: fmt.Sprintf("%s records %d dirty or failed migration(s)", obj, bad)})
					continue
				}
				out = append(out, verdict.Finding{Status: verdict.Pass, Object: obj, Evidence: ev, Message: fmt.Sprintf("%s records %d migration(s), none dirty or failed", obj, n)})
			}
			return out, nil
		}),
	}
}

func versionColumn(has map[string]bool) string {
	for _, c := range []string{"version", "version_id", "version_num", "id"} {
		if has[c] {
			return c
		}
	}
	return ""
}

// compare decides a setting against an expectation: "on", ">0", ">=100",
// "<5", "!=0", "!off" or an exact value. Numbers compare as numbers.
func compare(got, want string) (bool, error) {
	op := ""
	for _, o := range []string{">=", "<=", "!=", ">", "<", "=", "!"} {
		if strings.HasPrefix(want, o) {
			op, want = o, strings.TrimSpace(want[len(o):])
			break
		}
	}
	g, gerr := strconv.ParseFloat(got, 64)
	w, werr := strconv.ParseFloat(want, 64)
	num := gerr == nil && werr == nil
	switch op {
	case "", "=":
		if num {
			return g == w, nil
		}
		return strings.EqualFold(got, want), nil
	case "!=", "!":
		if num {
			return g != w, nil
		}
		return !strings.EqualFold(got, want), nil
	}
	if !num {
		return false, fmt.Errorf("%s%s needs numbers, setting is %q", op, want, got)
	}
	switch op {
	case ">":
		return g > w, nil
	case ">=":
		return g >= w, nil
	case "<":
		return g < w, nil
	}
	return g <= w, nil
}

func settings() check.Check {
	return check.Check{
		ID:          "db/settings",
		Title:       "Server settings have the expected values",
		Description: "Reads each named setting as the application role sees it (role and database overrides included) and compares it with its expectation: an exact value, or an operator before it (>0, >=100, <5, !=0, !off). Numbers are in the setting's base unit (statement_timeout in ms).",
		Needs:       needs,
		Params: []check.Param{
			{Name: "expect", Type: check.Map, Required: true, Description: `setting: expectation, e.g. {ssl: "on", statement_timeout: ">0"}`},
		},
		Run: with("db/settings", func(ctx context.Context, _ *src.DB, conn *pgx.Conn, p check.Params) ([]verdict.Finding, error) {
			exp := p.Map("expect")
			if len(exp) == 0 {
				return nil, errors.New("parameter expect is empty")
			}
			keys := make([]string, 0, len(exp))
			for k := range exp {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var out []verdict.Finding
			for _, k := range keys {
				want := fmt.Sprint(exp[k])
				if b, ok := exp[k].(bool); ok {
					want = map[bool]string{true: "on", false: "off"}[b]
				}
				var got, unit string
				err := conn.QueryRow(ctx, "select setting, coalesce(unit, '') from pg_settings where name = $1", k).Scan(&got, &unit)
				if errors.Is(err, pgx.ErrNoRows) {
					out = append(out, f(verdict.Error, fmt.Sprintf("setting %s does not exist on this server", k), map[string]any{"setting": k}))
					continue
				}
				if err != nil {
					return nil, err
				}
				ev := map[string]any{"setting": k, "value": got, "unit": unit, "expect": want}
				ok, err := compare(got, want)
				switch {
				case err != nil:
					out = append(out, f(verdict.Error, fmt.Sprintf("setting %s: %v", k, err), ev))
				case ok:
					out = append(out, f(verdict.Pass, fmt.Sprintf("%s = %s%s (want %s)", k, got, unit, want), ev))
				default:
					out = append(out, f(verdict.Fail, fmt.Sprintf("%s = %s%s, want %s", k, got, unit, want), ev))
				}
			}
			return out, nil
		}),
	}
}

func walArchiving() check.Check {
	return check.Check{
		ID:          "db/wal-archiving",
		Title:       "WAL archiving is on and working (point-in-time recovery possible)",
		Description: "Requires archive_mode on or always with an archive_command or archive_library, and pg_stat_archiver without a failure newer than the last success. Managed databases that archive outside PostgreSQL's settings need an attestation instead.",
		Needs:       needs,
		Params: []check.Param{
			{Name: "requireArchived", Type: check.Bool, Default: false, Description: "at least one WAL file must have been archived"},
		},
		Run: with("db/wal-archiving", func(ctx context.Context, _ *src.DB, conn *pgx.Conn, p check.Params) ([]verdict.Finding, error) {
			var mode, cmd, lib string
			var archived, failed int64
			var lastOK, lastFail *time.Time
			err := conn.QueryRow(ctx, `select current_setting('archive_mode'), coalesce(current_setting('archive_command', true), ''), coalesce(current_setting('archive_library', true), ''),
archived_count, failed_count, last_archived_time, last_failed_time from pg_stat_archiver`).Scan(&mode, &cmd, &lib, &archived, &failed, &lastOK, &lastFail)
			if err != nil {
				return nil, err
			}
			ev := map[string]any{"archive_mode": mode, "archive_library": lib, "archived_count": archived, "failed_count": failed, "archive_command_set": cmd != "" && cmd != "(disabled)"}
			switch {
			case mode != "on" && mode != "always":
				return []verdict.Finding{f(verdict.Fail, "archive_mode is "+mode+": WAL is not archived, point-in-time recovery is impossible", ev)}, nil
			case (cmd == "" || cmd == "(disabled)") && lib == "":
				return []verdict.Finding{f(verdict.Fail, "archive_mode is on but neither archive_command nor archive_library is set", ev)}, nil
			case lastFail != nil && (lastOK == nil || lastFail.After(*lastOK)):
				ev["last_failed_time"] = lastFail.UTC().Format(time.RFC3339)
				return []verdict.Finding{f(verdict.Fail, "the last WAL archiving attempt failed", ev)}, nil
			case p.Bool("requireArchived") && archived == 0:
				return []verdict.Finding{f(verdict.Fail, "no WAL file has been archived yet", ev)}, nil
			}
			return []verdict.Finding{f(verdict.Pass, fmt.Sprintf("WAL archiving is on (%d archived, %d failed)", archived, failed), ev)}, nil
		}),
	}
}

var indexSpecRE = regexp.MustCompile(`^\s*([A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)?)\s*\(([^)]*)\)\s*$`)

func indexes() check.Check {
	return check.Check{
		ID:          "db/indexes",
		Title:       "The expected tables and indexes exist",
		Description: `Each entry "table(col1, col2)" (optionally schema.table) needs the table and an index whose leading columns are those, in order; "table()" needs only the table. Without entries, every table of the application schemas with at least minRows rows must have an index (na when no table is that large).`,
		Needs:       needs,
		Params: []check.Param{
			schemasParam(),
			{Name: "required", Type: check.Strings, Description: `indexes that must exist, e.g. "events(stream_id, version)"`},
			{Name: "minRows", Type: check.Int, Default: 1000, Description: "without required: tables at least this large must have an index"},
		},
		Run: with("db/indexes", func(ctx context.Context, _ *src.DB, conn *pgx.Conn, p check.Params) ([]verdict.Finding, error) {
			var out []verdict.Finding
			for _, spec := range p.Strings("required") {
				m := indexSpecRE.FindStringSubmatch(spec)
				if m == nil {
					return nil, fmt.Errorf("required entry %q: want table(col1, col2)", spec)
				}
				schema, table := "", m[1]
				if i := strings.Index(table, "."); i >= 0 {
					schema, table = table[:i], table[i+1:]
				}
				var cols []string
				for _, c := range strings.Split(m[2], ",") {
					if c = strings.TrimSpace(c); c != "" {
						cols = append(cols, c)
					}
				}
				var exists bool
				if err := conn.QueryRow(ctx, `select exists(select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relname = $1 and c.relkind in ('r','p') and ($2 = '' or n.nspname = $2) and n.nspname not like 'pg\_%')`, table, schema).Scan(&exists); err != nil {
					return nil, err
				}
				obj := "table/" + m[1]
				if !exists {
					out = append(out, verdict.Finding{Status: verdict.Fail, Object: obj, Message: fmt.Sprintf("table %s does not exist", m[1])})
					continue
				}
				if len(cols) == 0 {
					out = append(out, verdict.Finding{Status: verdict.Pass, Object: obj, Message: fmt.Sprintf("table %s exists", m[1])})
					continue
				}
				rows, err := conn.Query(ctx, `select i.indexrelid::regclass::text,
array(select coalesce(a.attname::text, 'expr') from unnest(i.indkey::int2[]) with ordinality k(attnum, ord) left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum order by k.ord)
from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
where c.relname = $1 and ($2 = '' or n.nspname = $2) and i.indisvalid`, table, schema)
				if err != nil {
					return nil, err
				}
				var have []string
				match := ""
				for rows.Next() {
					var name string
					var icols []string
					if err := rows.Scan(&name, &icols); err != nil {
						rows.Close()
						return nil, err
					}
					have = append(have, name+"("+strings.Join(icols, ",")+")")
					if match == "" && leading(icols, cols) {
						match = name
					}
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return nil, err
				}
				ev := map[string]any{"want": strings.Join(cols, ","), "indexes": have}
				if match == "" {
					out = append(out, verdict.Finding{Status: verdict.Fail, Object: obj, Evidence: ev, Message: fmt.Sprintf("no index on %s starts with (%s)", m[1], strings.Join(cols, ", "))})
				} else {
					out = append(out, verdict.Finding{Status: verdict.Pass, Object: obj, Evidence: ev, Message: fmt.Sprintf("index %s covers %s(%s)", match, m[1], strings.Join(cols, ", "))})
				}
			}
			if len(p.Strings("required")) > 0 {
				return out, nil
			}
			rows, err := conn.Query(ctx, `select n.nspname || '.' || c.relname, greatest(c.reltuples, coalesce(s.n_live_tup, 0))::bigint,
exists (select 1 from pg_index i where i.indrelid = c.oid)
from pg_class c join pg_namespace n on n.oid = c.relnamespace left join pg_stat_user_tables s on s.relid = c.oid
where c.relkind in ('r','p') and (`+userSchemas+`) and greatest(c.reltuples, coalesce(s.n_live_tup, 0)) >= $2
order by 1`, p.Strings("schemas"), p.Int("minRows"))
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			large := 0
			for rows.Next() {
				var name string
				var n int64
				var indexed bool
				if err := rows.Scan(&name, &n, &indexed); err != nil {
					return nil, err
				}
				large++
				if indexed {
					continue
				}
				out = append(out, verdict.Finding{Status: verdict.Fail, Object: "table/" + name, Evidence: map[string]any{"rows": n},
					Message: fmt.Sprintf("table %s has about %d rows and no index at all", name, n)})
			}
			if err := rows.Err(); err != nil {
				return nil, err
			}
			if large == 0 {
				return []verdict.Finding{f(verdict.NA, fmt.Sprintf("no table has %d rows or more", p.Int("minRows")), nil)}, nil
			}
			if len(out) == 0 {
				out = append(out, f(verdict.Pass, fmt.Sprintf("all %d table(s) with %d or more rows have an index", large, p.Int("minRows")), nil))
			}
			return out, nil
		}),
	}
}

func leading(have, want []string) bool {
	if len(have) < len(want) {
		return false
	}
	for i, w := range want {
		if !strings.EqualFold(have[i], w) {
			return false
		}
	}
	return true
}

func indexUsage() check.Check {
	return check.Check{
		ID:          "db/index-usage",
		Title:       "Large tables are read through indexes, not sequential scans",
		Description: "From pg_stat_user_tables, a table of at least minRows rows with at least minScans sequential scans and more sequential than index scans fails. Indexes never scanned are listed as evidence (and fail with failUnused).",
		Needs:       needs,
		Params: []check.Param{
			schemasParam(),
			{Name: "minRows", Type: check.Int, Default: 10000, Description: "tables smaller than this are ignored"},
			{Name: "minScans", Type: check.Int, Default: 100, Description: "sequential scans needed before a table is judged"},
			{Name: "failUnused", Type: check.Bool, Default: false, Description: "non-unique indexes never scanned fail"},
		},
		Run: with("db/index-usage", func(ctx context.Context, _ *src.DB, conn *pgx.Conn, p check.Params) ([]verdict.Finding, error) {
			rows, err := conn.Query(ctx, `select s.schemaname || '.' || s.relname, s.n_live_tup, s.seq_scan, coalesce(s.idx_scan, 0)
from pg_stat_user_tables s join pg_namespace n on n.nspname = s.schemaname
where (`+userSchemas+`) and s.n_live_tup >= $2 order by 1`, p.Strings("schemas"), p.Int("minRows"))
			if err != nil {
				return nil, err
			}
			var out []verdict.Finding
			judged := 0
			for rows.Next() {
				var name string
				var live, seq, idx int64
				if err := rows.Scan(&name, &live, &seq, &idx); err != nil {
					rows.Close()
					return nil, err
				}
				judged++
				ev := map[string]any{"rows": live, "seq_scan": seq, "idx_scan": idx}
				if seq >= int64(p.Int("minScans")) && seq > idx {
					out = append(out, verdict.Finding{Status: verdict.Fail, Object: "table/" + name, Evidence: ev,
						Message: fmt.Sprintf("table %s (%d rows) had %d sequential scans and %d index scans", name, live, seq, idx)})
				} else {
					out = append(out, verdict.Finding{Status: verdict.Pass, Object: "table/" + name, Evidence: ev,
						Message: fmt.Sprintf("table %s (%d rows): %d index scans, %d sequential", name, live, idx, seq)})
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
			urows, err := conn.Query(ctx, `select s.schemaname || '.' || s.indexrelname, s.schemaname || '.' || s.relname
from pg_stat_user_indexes s join pg_index i on i.indexrelid = s.indexrelid join pg_namespace n on n.nspname = s.schemaname
where (`+userSchemas+`) and s.idx_scan = 0 and not i.indisunique order by 1`, p.Strings("schemas"))
			if err != nil {
				return nil, err
			}
			unused, err := pgx.CollectRows(urows, func(r pgx.CollectableRow) (string, error) {
				var ix, tb string
				err := r.Scan(&ix, &tb)
				return ix + " on " + tb, err
			})
			if err != nil {
				return nil, err
			}
			if len(unused) > 0 {
				st := verdict.Pass
				if p.Bool("failUnused") {
					st = verdict.Fail
				}
				out = append(out, verdict.Finding{Status: st, Evidence: map[string]any{"unusedIndexes": unused},
					Message: fmt.Sprintf("%d index(es) never scanned since statistics were reset", len(unused))})
			}
			if judged == 0 {
				out = append(out, f(verdict.NA, fmt.Sprintf("no table has %d rows or more", p.Int("minRows")), nil))
			}
			return out, nil
		}),
	}
}

func queryPerformance() check.Check {
	return check.Check{
		ID:          "db/query-performance",
		Title:       "Frequent queries are fast and nothing waits on locks",
		Description: "Reads pg_stat_statements for this database: any statement called at least minCalls times with a mean execution time above maxMeanMs fails (the slowest are listed, normalized text truncated). Sessions waiting on locks above maxLockWaits fail too. Without the pg_stat_statements extension the check is unverified.",
		Needs:       needs,
		Params: []check.Param{
			{Name: "maxMeanMs", Type: check.Float, Default: 100.0, Description: "highest acceptable mean execution time in ms"},
			{Name: "minCalls", Type: check.Int, Default: 100, Description: "statements called fewer times are ignored"},
			{Name: "maxLockWaits", Type: check.Int, Default: 0, Description: "sessions allowed to be waiting on a lock now"},
		},
		Run: with("db/query-performance", func(ctx context.Context, _ *src.DB, conn *pgx.Conn, p check.Params) ([]verdict.Finding, error) {
			var out []verdict.Finding
			var waits int
			if err := conn.QueryRow(ctx, `select count(*)::int from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`).Scan(&waits); err != nil {
				return nil, err
			}
			lev := map[string]any{"lockWaits": waits}
			if waits > p.Int("maxLockWaits") {
				out = append(out, f(verdict.Fail, fmt.Sprintf("%d session(s) waiting on locks, allowed %d", waits, p.Int("maxLockWaits")), lev))
			} else {
				out = append(out, f(verdict.Pass, fmt.Sprintf("%d session(s) waiting on locks", waits), lev))
			}
			var schema string
			err := conn.QueryRow(ctx, `select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_stat_statements'`).Scan(&schema)
			if errors.Is(err, pgx.ErrNoRows) {
				return append(out, verdict.Finding{Status: verdict.Unverified, Message: "pg_stat_statements is not installed in this database: query times cannot be read",
					Hint: "add pg_stat_statements to shared_preload_libraries and CREATE EXTENSION pg_stat_statements"}), nil
			}
			if err != nil {
				return nil, err
			}
			rows, err := conn.Query(ctx, fmt.Sprintf(`select left(regexp_replace(query, '\s+', ' ', 'g'), 160), calls, mean_exec_time
from %s.pg_stat_statements s where s.dbid = (select oid from pg_database where datname = current_database()) and calls >= $1
order by mean_exec_time desc limit 50`, pgx.Identifier{schema}.Sanitize()), p.Int("minCalls"))
			if err != nil {
				if denied(err) || strings.Contains(err.Error(), "must be loaded via") {
					return append(out, verdict.Finding{Status: verdict.Unverified, Message: "pg_stat_statements cannot be read: " + err.Error()}), nil
				}
				return nil, err
			}
			defer rows.Close()
			judged, slow := 0, 0
			for rows.Next() {
				var q string
				var calls int64
				var mean float64
				if err := rows.Scan(&q, &calls, &mean); err != nil {
					return nil, err
				}
				judged++
				if mean > p.Float("maxMeanMs") && slow < 10 {
					slow++
					out = append(out, f(verdict.Fail, fmt.Sprintf("statement called %d times averages %.1f ms, above %.1f ms: %s", calls, mean, p.Float("maxMeanMs"), q),
						map[string]any{"query": q, "calls": calls, "meanMs": mean}))
				}
			}
			if err := rows.Err(); err != nil {
				return nil, err
			}
			switch {
			case judged == 0:
				out = append(out, verdict.Finding{Status: verdict.Unverified, Message: fmt.Sprintf("no statement was called %d times or more: nothing to judge yet", p.Int("minCalls"))})
			case slow == 0:
				out = append(out, f(verdict.Pass, fmt.Sprintf("%d frequent statement(s), all under %.1f ms mean", judged, p.Float("maxMeanMs")), map[string]any{"statements": judged}))
			}
			return out, nil
		}),
	}
}

func reachable() check.Check {
	return check.Check{
		ID:          "db/reachable",
		Title:       "The database answers queries quickly",
		Description: "Runs SELECT 1 and passes when it answers within maxLatency. It proves connectivity from where golive runs, which is not the application's network path.",
		Needs:       needs,
		Params: []check.Param{
			{Name: "maxLatency", Type: check.Duration, Default: "1s", Description: "slowest acceptable round trip"},
		},
		Run: with("db/reachable", func(ctx context.Context, _ *src.DB, conn *pgx.Conn, p check.Params) ([]verdict.Finding, error) {
			start := time.Now()
			var one int
			var version string
			if err := conn.QueryRow(ctx, "select 1, current_setting('server_version')").Scan(&one, &version); err != nil {
				return []verdict.Finding{f(verdict.Fail, "SELECT 1 failed: "+err.Error(), nil)}, nil
			}
			rtt := time.Since(start)
			ev := map[string]any{"roundTrip": rtt.String(), "serverVersion": version}
			if rtt > p.Duration("maxLatency") {
				return []verdict.Finding{f(verdict.Fail, fmt.Sprintf("SELECT 1 took %s, above %s", rtt.Round(time.Microsecond), p.Duration("maxLatency")), ev)}, nil
			}
			return []verdict.Finding{f(verdict.Pass, fmt.Sprintf("PostgreSQL %s answered SELECT 1 in %s", version, rtt.Round(time.Microsecond)), ev)}, nil
		}),
	}
}
