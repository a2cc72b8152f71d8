package testenv

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PGOptions configure a test PostgreSQL.
type PGOptions struct {
	// HBA is the content of pg_hba.conf. The default trusts the Unix socket
	// and asks passwords over TLS only.
	HBA string
	// Settings are extra postgresql.conf settings.
	Settings map[string]string
	// SSL turns on TLS with a throwaway self-signed certificate.
	SSL bool
}

// Postgres is a running postgres server.
type Postgres struct {
	Port      int
	SocketDir string
	Dir       string
	log       *lockedBuffer
}

// PostgresBinDir returns the directory holding initdb and postgres, or "".
func PostgresBinDir() string {
	p := lookBinary("initdb", "/usr/lib/postgresql/*/bin/initdb")
	if p == "" {
		return ""
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	dir := filepath.Dir(p)
	if _, err := os.Stat(filepath.Join(dir, "postgres")); err != nil {
		return ""
	}
	return dir
}

// StartPostgres runs initdb into a temp dir and starts postgres on a free
// loopback port. postgres refuses to run as root, so under root the server
// runs as the postgres system user. It is stopped when the test ends.
func StartPostgres(t testing.TB, o PGOptions) *Postgres {
	t.Helper()
	bin := PostgresBinDir()
	if bin == "" {
		missing(t, "PostgreSQL (initdb, postgres)", "apt-get install -y postgresql")
	}
	var cred *syscall.Credential
	uid, gid := os.Getuid(), os.Getgid()
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			missing(t, "system user postgres (needed to run postgres as non-root)", "apt-get install -y postgresql")
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	// t.TempDir's parents are private to root; the server user needs its own.
	dir, err := os.MkdirTemp("", "golive-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	data, sock := filepath.Join(dir, "data"), filepath.Join(dir, "sock")
	for _, d := range []string{sock} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := chownAll(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	log := &lockedBuffer{}
	cmd := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, log.String())
	}
	hba := o.HBA
	if hba == "" {
		hba = "local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n"
	}
	if err := writeOwned(filepath.Join(data, "pg_hba.conf"), hba, uid, gid); err != nil {
		t.Fatal(err)
	}
	port := FreePort(t)
	args := []string{"-D", data, "-p", strconv.Itoa(port), "-k", sock,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=50"}
	if o.SSL {
		crt, key, err := selfSigned()
		if err != nil {
			t.Fatal(err)
		}
		if err := writeOwned(filepath.Join(data, "server.crt"), crt, uid, gid); err != nil {
			t.Fatal(err)
		}
		if err := writeOwned(filepath.Join(data, "server.key"), key, uid, gid); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-c", "ssl=on")
	}
	for k, v := range o.Settings {
		args = append(args, "-c", k+"="+v)
	}
	srv := exec.Command(filepath.Join(bin, "postgres"), args...)
	srv.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	srv.Stdout, srv.Stderr = log, log
	if err := srv.Start(); err != nil {
		t.Fatalf("start postgres: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = srv.Wait(); close(done) }()
	t.Cleanup(func() {
		// SIGINT is postgres's fast shutdown.
		_ = srv.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = srv.Process.Kill()
			<-done
		}
	})
	pg := &Postgres{Port: port, SocketDir: sock, Dir: dir, log: log}
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-done:
			t.Fatalf("postgres exited early:\n%s", log.String())
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		c, err := pgx.Connect(ctx, pg.SuperDSN("postgres"))
		cancel()
		if err == nil {
			_ = c.Close(context.Background())
			return pg
		}
		if time.Now().After(deadline) {
			t.Fatalf("postgres not ready after 60s: %v\n%s", err, log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// SuperDSN connects as the postgres superuser over the Unix socket.
func (p *Postgres) SuperDSN(db string) string {
	return fmt.Sprintf("host=%s port=%d user=postgres dbname=%s sslmode=disable", p.SocketDir, p.Port, db)
}

// DSN connects as user over TCP on loopback with the given sslmode.
func (p *Postgres) DSN(user, password, db, sslmode string) string {
	return fmt.Sprintf("postgres://%s:%s@127.0.0.1:%d/%s?sslmode=%s", user, password, p.Port, db, sslmode)
}

// Exec runs SQL statements as the superuser in db, failing the test on error.
func (p *Postgres) Exec(t testing.TB, db string, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, p.SuperDSN(db))
	if err != nil {
		t.Fatalf("connect to %s: %v", db, err)
	}
	defer c.Close(ctx)
	for _, s := range stmts {
		if _, err := c.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v\nlog:\n%s", strings.TrimSpace(s), err, p.log.String())
		}
	}
}

func chownAll(root string, uid, gid int) error {
	return filepath.Walk(root, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, gid)
	})
}

func writeOwned(path, content string, uid, gid int) error {
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		return err
	}
	return os.Chown(path, uid, gid)
}

// selfSigned makes a certificate and key for 127.0.0.1, valid for a day.
func selfSigned() (crt, key string, err error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	if err != nil {
		return "", "", err
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		return "", "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})), nil
}
