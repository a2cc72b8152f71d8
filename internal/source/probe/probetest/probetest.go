// Package probetest runs a well-configured and a badly configured service on
// loopback, over HTTP and HTTPS with a CA made for the test, for the tests of
// the HTTP, TLS and load checks. It is imported only from _test files.
package probetest

import (
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Token is the bearer token the good service accepts.
const Token = "golive-test-token-0123456789"

// LowToken is a valid token without the admin role.
const LowToken = "golive-test-low-token-0123456789"

// CA is a certificate authority made for one test.
type CA struct {
	Cert    *x509.Certificate
	Key     *ecdsa.PrivateKey
	PEMFile string // the CA certificate as a PEM file, for --ca-file
}

// NewCA makes a CA and writes its certificate to a temporary file.
func NewCA(t testing.TB) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "golive test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	f := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &CA{Cert: cert, Key: key, PEMFile: f}
}

// Leaf issues a server certificate. rsaKey picks an RSA key (needed for the
// RSA key-exchange suites the bad service offers).
func (ca *CA) Leaf(t testing.TB, hosts []string, validFor time.Duration, rsaKey bool) tls.Certificate {
	t.Helper()
	var pub, priv any
	if rsaKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		pub, priv = &k.PublicKey, k
	} else {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		pub, priv = &k.PublicKey, k
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: hosts[0]},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(validFor),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, pub, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv}
}

// Services are the running test services.
type Services struct {
	CA                  *CA
	GoodHTTPS, BadHTTPS *httptest.Server
	GoodHTTP, BadHTTP   *httptest.Server
	// BadValidTLS serves the bad handler with a valid certificate, so its
	// HTTP faults can be seen over HTTPS.
	BadValidTLS *httptest.Server
	// GoodRedirect answers plain HTTP with a redirect to GoodHTTPS.
	GoodRedirect *httptest.Server
}

// Start runs the good and bad services; they stop with the test.
func Start(t testing.TB) *Services {
	t.Helper()
	ca := NewCA(t)
	s := &Services{CA: ca}

	s.GoodHTTPS = httptest.NewUnstartedServer(Good())
	s.GoodHTTPS.TLS = &tls.Config{
		Certificates: []tls.Certificate{ca.Leaf(t, []string{"127.0.0.1", "localhost"}, 200*24*time.Hour, false)},
		MinVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256},
	}
	s.GoodHTTPS.StartTLS()

	s.BadHTTPS = httptest.NewUnstartedServer(Bad())
	s.BadHTTPS.TLS = &tls.Config{
		// Valid for another name only, and about to expire.
		Certificates: []tls.Certificate{ca.Leaf(t, []string{"wrong.example"}, 5*24*time.Hour, true)},
		MinVersion:   tls.VersionTLS10,
		CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA},
	}
	s.BadHTTPS.StartTLS()

	s.BadValidTLS = httptest.NewUnstartedServer(Bad())
	s.BadValidTLS.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Leaf(t, []string{"127.0.0.1"}, 200*24*time.Hour, false)}}
	s.BadValidTLS.StartTLS()

	s.GoodHTTP = httptest.NewServer(Good())
	s.BadHTTP = httptest.NewServer(Bad())
	target := s.GoodHTTPS.URL
	s.GoodRedirect = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.RequestURI(), http.StatusPermanentRedirect)
	}))
	t.Cleanup(func() {
		for _, srv := range []*httptest.Server{s.GoodHTTPS, s.BadHTTPS, s.BadValidTLS, s.GoodHTTP, s.BadHTTP, s.GoodRedirect} {
			srv.Close()
		}
	})
	return s
}

// Port returns a server's port.
func Port(srv *httptest.Server) int {
	return srv.Listener.Addr().(*net.TCPAddr).Port
}

const goodMetrics = `# HELP http_requests_total Requests by route and status.
# TYPE http_requests_total counter
http_requests_total{method="GET",route="/health",code="200"} 12
http_requests_total{method="POST",route="/api/chat",code="500"} 1
# HELP http_request_duration_seconds Request latency.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{route="/health",le="0.1"} 10
http_request_duration_seconds_bucket{route="/health",le="+Inf"} 12
http_request_duration_seconds_sum{route="/health"} 0.4
http_request_duration_seconds_count{route="/health"} 12
# TYPE http_requests_in_flight gauge
http_requests_in_flight 1
# TYPE http_request_size_bytes histogram
http_request_size_bytes_bucket{le="+Inf"} 3
http_request_size_bytes_sum 30
http_request_size_bytes_count 3
# TYPE eventcore_commands_total counter
eventcore_commands_total 5
# TYPE eventcore_command_duration_seconds histogram
eventcore_command_duration_seconds_bucket{le="+Inf"} 5
eventcore_command_duration_seconds_sum 1
eventcore_command_duration_seconds_count 5
# TYPE eventcore_events_written_total counter
eventcore_events_written_total 9
# TYPE eventcore_active_streams gauge
eventcore_active_streams 2
# TYPE eventcore_projection_lag_seconds gauge
eventcore_projection_lag_seconds 0.1
`

// Good is a service configured the way the checks want.
func Good() http.Handler {
	var mu sync.Mutex
	var hits []time.Time
	mux := http.NewServeMux()
	healthy := map[string]any{"status": "ok", "checks": map[string]any{
		"database": map[string]any{"status": "up"}, "redis": map[string]any{"status": "up"}, "nats": map[string]any{"status": "up"}}}
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, healthy) })
	mux.HandleFunc("GET /health/ready", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, healthy) })
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, healthy) })
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = io.WriteString(w, goodMetrics)
	})
	mux.HandleFunc("/api/protected", func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("Authorization") {
		case "Bearer " + Token:
			writeJSON(w, 200, map[string]any{"ok": true})
		case "Bearer " + LowToken:
			writeJSON(w, 403, map[string]any{"error": "forbidden"})
		default:
			w.Header().Set("WWW-Authenticate", `Bearer realm="test"`)
			writeJSON(w, 401, map[string]any{"error": "unauthorized"})
		}
	})
	mux.HandleFunc("/api/limited", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		now := time.Now()
		kept := hits[:0]
		for _, h := range hits {
			if now.Sub(h) < 10*time.Second {
				kept = append(kept, h)
			}
		}
		hits = append(kept, now)
		n := len(hits)
		mu.Unlock()
		if n > 5 {
			w.Header().Set("Retry-After", "10")
			writeJSON(w, 429, map[string]any{"error": "slow down"})
			return
		}
		writeJSON(w, 200, map[string]any{"ok": true})
	})
	mux.HandleFunc("POST /api/echo", func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		var v map[string]any
		if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
			if strings.Contains(err.Error(), "too large") {
				writeJSON(w, 413, map[string]any{"error": "body too large"})
				return
			}
			writeJSON(w, 400, map[string]any{"error": "invalid JSON"})
			return
		}
		if s, _ := v["id"].(string); strings.Contains(s, "'") {
			writeJSON(w, 422, map[string]any{"error": "invalid id"})
			return
		}
		if s, _ := v["name"].(string); strings.Contains(s, "<") {
			writeJSON(w, 422, map[string]any{"error": "invalid name"})
			return
		}
		writeJSON(w, 200, map[string]any{"ok": true})
	})
	mux.HandleFunc("POST /api/chat", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"reply": "hello"})
	})
	mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Deprecation", "@1735689600")
		w.Header().Set("Sunset", "Wed, 31 Dec 2025 23:59:59 GMT")
		writeJSON(w, 200, map[string]any{"version": 1})
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		body := strings.Repeat("golive test page ", 100)
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			gz := gzip.NewWriter(w)
			_, _ = io.WriteString(gz, body)
			_ = gz.Close()
			return
		}
		_, _ = io.WriteString(w, body)
	})
	mux.HandleFunc("GET /delay", func(w http.ResponseWriter, r *http.Request) {
		if d, err := time.ParseDuration(r.URL.Query().Get("d")); err == nil && d < 5*time.Second {
			time.Sleep(d)
		}
		_, _ = io.WriteString(w, "ok")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, map[string]any{"error": "not found"})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Server", "golive-test")
		h.Set("Via", "1.1 test-cdn")
		id := r.Header.Get("X-Request-Id")
		if id == "" {
			id = "generated-1"
		}
		h.Set("X-Request-Id", id)
		if tp := r.Header.Get("Traceparent"); tp != "" {
			h.Set("Traceresponse", tp)
		}
		if o := r.Header.Get("Origin"); o == "https://app.example.com" {
			h.Set("Access-Control-Allow-Origin", o)
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Set("Vary", "Origin")
		}
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// Bad is a service that gets everything wrong.
func Bad() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Server", "Apache/2.4.1 (Unix)")
		h.Set("X-Powered-By", "PHP/7.1.2")
		h.Set("Strict-Transport-Security", "max-age=300")
		h.Set("Traceresponse", "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01")
		if o := r.Header.Get("Origin"); o != "" {
			h.Set("Access-Control-Allow-Origin", o)
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		switch {
		case r.URL.Path == "/health":
			writeJSON(w, 200, map[string]any{"status": "degraded", "checks": map[string]any{"database": map[string]any{"status": "down"}}})
		case r.URL.Path == "/health/ready" || r.URL.Path == "/ready":
			writeJSON(w, 404, map[string]any{"error": "no such route"})
		case r.URL.Path == "/metrics":
			var b strings.Builder
			b.WriteString("# TYPE requests gauge\n")
			for i := range 40 {
				fmt.Fprintf(&b, "requests{user_id=\"%08d-aaaa-bbbb-cccc-%012d\",path=\"/users/%d\"} 1\n", i, i, 1000+i)
			}
			_, _ = io.WriteString(w, b.String())
		case strings.HasPrefix(r.URL.Path, "/api/protected"):
			// Any bearer token gets in, signed or not.
			if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
				writeJSON(w, 200, map[string]any{"ok": true})
				return
			}
			writeJSON(w, 401, map[string]any{"error": "unauthorized"})
		case r.URL.Path == "/api/echo" && r.Method == http.MethodPost:
			b, _ := io.ReadAll(r.Body)
			var v any
			if json.Unmarshal(b, &v) != nil {
				w.WriteHeader(500)
				_, _ = io.WriteString(w, "panic: invalid character\n\ngoroutine 1 [running]:\nmain.handler()\n\t/app/main.go:42 +0x1d\n")
				return
			}
			_, _ = w.Write(b)
		case r.URL.Path == "/debug/pprof/":
			_, _ = io.WriteString(w, "profiles")
		case r.URL.Path == "/" || r.URL.Path == "/api/limited" || r.URL.Path == "/api/chat" || strings.HasPrefix(r.URL.Path, "/api/v1/"):
			writeJSON(w, 200, map[string]any{"ok": true})
		case r.URL.Path == "/slow":
			time.Sleep(30 * time.Millisecond)
			_, _ = io.WriteString(w, "ok")
		case r.URL.Path == "/flaky":
			w.WriteHeader(503)
		default:
			w.WriteHeader(500)
			_, _ = io.WriteString(w, "Traceback (most recent call last):\n  File \"/app/server.py\", line 12, in handle\nKeyError: 'route'\n")
		}
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
