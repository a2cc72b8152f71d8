// Package db is the database evidence source: a PostgreSQL connection to the DSN given with --database. The DSN's password never leaves this
// package: Masked is what findings print.
package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"golive.dev/golive/internal/mask"
	"golive.dev/golive/internal/source"
)

// Flag is the flag that provides this source.
const Flag = "--database"

// DB is one connection to the application's database, shared by the checks
// of a run one at a time: a handful of catalogue queries need no pool.
type DB struct {
	Masked string // the DSN with its credentials masked
	User   string
	Name   string // database name
	Host   string // host connected to; a path for a Unix socket

	cfg  *pgx.ConnConfig
	mu   sync.Mutex
	conn *pgx.Conn
}

// With runs fn with the connection, holding it for fn's duration.
func (d *DB) With(ctx context.Context, fn func(conn *pgx.Conn) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return fn(d.conn)
}

// From returns the run's database connection, opening it on first use.
func From(ctx context.Context, env *source.Env) (*DB, error) {
	return source.Load(ctx, env, "db", load)
}

func load(ctx context.Context, in *source.Inputs) (*DB, error) {
	if strings.TrimSpace(in.Database) == "" {
		return nil, source.NotGiven(Flag, "database DSN")
	}
	d, err := Open(ctx, in.Database)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// Open connects to dsn and proves the connection with a query. A DSN that
// does not parse is an error; a server that cannot be reached is
// source.Unreachable.
func Open(ctx context.Context, dsn string) (*DB, error) {
	masked := mask.URL(dsn)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx errors can quote the DSN; say only what is wrong with it.
		return nil, fmt.Errorf("%s %s: cannot parse the DSN (want postgres://user:pass@host:5432/db or key=value form)", Flag, masked)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	cfg.RuntimeParams["application_name"] = "golive"
	d := &DB{Masked: masked, User: cfg.User, Name: cfg.Database, Host: cfg.Host, cfg: cfg}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(pctx, cfg)
	if err != nil {
		return nil, source.Unreachable(Flag, fmt.Errorf("connect %s: %s", masked, scrub(err, cfg)))
	}
	if err := conn.Ping(pctx); err != nil {
		_ = conn.Close(ctx)
		return nil, source.Unreachable(Flag, fmt.Errorf("connect %s: %s", masked, scrub(err, cfg)))
	}
	d.conn = conn
	return d, nil
}

// Close closes the connection.
func (d *DB) Close() {
	if d != nil && d.conn != nil {
		_ = d.conn.Close(context.Background())
	}
}

// Socket reports whether the connection goes over a Unix socket, where TLS
// does not apply.
func (d *DB) Socket() bool { return strings.HasPrefix(d.Host, "/") }

// ProbePlaintext opens one connection with the same credentials but without
// TLS. accepted is true when the server let it in: TLS is then not enforced
// for this role from this host. A refusal by pg_hba (or a password error
// after it) is accepted=false; any other failure is returned as err.
func (d *DB) ProbePlaintext(ctx context.Context) (accepted bool, reason string, err error) {
	if d.Socket() {
		return false, "", errors.New("connected over a Unix socket: TLS cannot be probed")
	}
	cc := d.cfg.Copy()
	cc.TLSConfig = nil
	cc.Fallbacks = nil
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err == nil {
		_ = conn.Close(ctx)
		return true, "", nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// 28000 invalid_authorization_specification: no pg_hba entry for a
		// non-SSL connection. 28P01 would mean the entry exists.
		switch pe.Code {
		case "28000":
			return false, pe.Message, nil
		}
	}
	return false, "", fmt.Errorf("plaintext probe: %s", scrub(err, d.cfg))
}

// scrub removes the password from an error message pgx built.
func scrub(err error, cfg *pgx.ConnConfig) string {
	msg := err.Error()
	if cfg != nil && cfg.Password != "" {
		msg = strings.ReplaceAll(msg, cfg.Password, mask.Redacted)
	}
	return msg
}
