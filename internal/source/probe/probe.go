// Package probe talks to the running service the user named with --target.
// Every call is bounded (a per-run request budget, a rate limit and a timeout
// per request), goes only to the hosts the user gave, and is recorded as an
// Exchange whose secret-looking header values are masked before they reach a
// report. Identical unauthenticated GETs are sent once per run and shared.
package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"golive.dev/golive/internal/mask"
	"golive.dev/golive/internal/source"
)

// Limits that keep golive a polite client. A check that needs more (the
// rate-limit burst) asks for it explicitly and announces it first.
const (
	DefaultTimeout   = 10 * time.Second
	DefaultBudget    = 2000 // requests per run outside bursts and load tests
	DefaultRate      = 50   // requests per second outside bursts
	MaxBodyRead      = 1 << 20
	maxRedirectHops  = 3
	FlagTarget       = "--target"
	FlagToken        = "--token"
	FlagProtected    = "--protected-path"
	FlagCAFile       = "--ca-file"
	evidenceBodyHead = 300
)

// Client probes the targets of one run.
type Client struct {
	targets []Target
	http    *http.Client
	tlsConf *tls.Config
	token   string
	headers http.Header

	limiter *rate.Limiter
	budget  atomic.Int64

	mu    sync.Mutex
	cache map[string]*cacheEntry
}

// Target is a service the user gave, parsed.
type Target struct {
	Name string
	URL  *url.URL
}

func (t Target) String() string {
	if t.Name != "" && t.Name != t.URL.Host {
		return t.Name + " (" + t.URL.String() + ")"
	}
	return t.URL.String()
}

type cacheEntry struct {
	once sync.Once
	resp *Response
	err  error
}

// From returns the run's probe client, built once from the inputs. Without a
// target it returns a source.Missing naming --target.
func From(ctx context.Context, env *source.Env) (*Client, error) {
	return source.Load(ctx, env, "probe", func(_ context.Context, in *source.Inputs) (*Client, error) {
		return New(in)
	})
}

// New builds a client from the inputs; most callers want From.
func New(in *source.Inputs) (*Client, error) {
	if len(in.Targets) == 0 {
		return nil, source.NotGiven(FlagTarget, "service URL")
	}
	c := &Client{token: in.Token, headers: http.Header{}, cache: map[string]*cacheEntry{},
		limiter: rate.NewLimiter(DefaultRate, DefaultRate)}
	c.budget.Store(DefaultBudget)
	for _, t := range in.Targets {
		u, err := url.Parse(strings.TrimSpace(t.URL))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("%s %q: want an http:// or https:// URL", FlagTarget, mask.URL(t.URL))
		}
		name := t.Name
		if name == "" {
			name = u.Host
		}
		c.targets = append(c.targets, Target{Name: name, URL: u})
	}
	for _, h := range in.Headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("--header %q: want \"Name: value\"", strings.TrimSpace(k))
		}
		c.headers.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if in.CAFile != "" {
		pem, err := os.ReadFile(in.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", FlagCAFile, err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s %s: no PEM certificate found", FlagCAFile, in.CAFile)
		}
		tc.RootCAs = pool
	}
	c.tlsConf = tc
	tr := &http.Transport{
		Proxy:               nil, // the user named the service; do not route it elsewhere
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		TLSClientConfig:     tc,
		TLSHandshakeTimeout: 5 * time.Second,
		MaxIdleConnsPerHost: 8,
		DisableCompression:  true, // checks look at Content-Encoding themselves
		ForceAttemptHTTP2:   true,
	}
	c.http = &http.Client{Transport: tr, CheckRedirect: c.sameHostRedirects}
	return c, nil
}

// sameHostRedirects follows a redirect only to a host the user gave, so a
// probe never wanders to a third party.
func (c *Client) sameHostRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirectHops {
		return http.ErrUseLastResponse
	}
	if noFollow, _ := req.Context().Value(noFollowKey{}).(bool); noFollow {
		return http.ErrUseLastResponse
	}
	for _, t := range c.targets {
		if strings.EqualFold(t.URL.Hostname(), req.URL.Hostname()) {
			return nil
		}
	}
	return http.ErrUseLastResponse
}

type noFollowKey struct{}

// Targets returns the targets in the order given.
func (c *Client) Targets() []Target { return append([]Target(nil), c.targets...) }

// HasToken reports whether --token was given.
func (c *Client) HasToken() bool { return c.token != "" }

// TLSConfig returns a copy of the TLS settings (CA file included) for
// handshake probes.
func (c *Client) TLSConfig() *tls.Config { return c.tlsConf.Clone() }

// Request describes one call. Path is joined to the target's URL; Port, when
// set, replaces the target's port (the seeds serve /metrics on 9100).
type Request struct {
	Method string
	Path   string
	Port   int
	Scheme string // "" keeps the target's scheme
	Header http.Header
	Body   []byte
	// Auth adds --token as a bearer token and the --header values.
	Auth bool
	// NoFollow returns a redirect as is instead of following it.
	NoFollow bool
	Timeout  time.Duration
	// NoCache sends the request even if an identical GET was sent already.
	NoCache bool
	// Unbudgeted requests are counted by the caller (bursts, load tests).
	Unbudgeted bool
}

// Response is what came back, with the exchange recorded for evidence.
type Response struct {
	Exchange Exchange
	Status   int
	Header   http.Header
	Body     []byte // at most MaxBodyRead bytes
	TLS      *tls.ConnectionState
}

// Exchange is the evidence of one request: safe to put in a report.
type Exchange struct {
	Method     string            `json:"method"`
	URL        string            `json:"url"`
	Status     int               `json:"status,omitempty"`
	Request    map[string]string `json:"requestHeaders,omitempty"`
	Response   map[string]string `json:"responseHeaders,omitempty"`
	BodyBytes  int               `json:"bodyBytes,omitempty"`
	SentBytes  int               `json:"sentBytes,omitempty"`
	DurationMs float64           `json:"durationMs"`
	Error      string            `json:"error,omitempty"`
	Cached     bool              `json:"cached,omitempty"`
}

// Evidence returns the exchange as a plain map for a finding.
func (e Exchange) Evidence() map[string]any {
	m := map[string]any{"method": e.Method, "url": e.URL, "durationMs": e.DurationMs}
	if e.Status != 0 {
		m["status"] = e.Status
	}
	if len(e.Request) > 0 {
		m["requestHeaders"] = e.Request
	}
	if len(e.Response) > 0 {
		m["responseHeaders"] = e.Response
	}
	if e.BodyBytes > 0 {
		m["bodyBytes"] = e.BodyBytes
	}
	if e.SentBytes > 0 {
		m["sentBytes"] = e.SentBytes
	}
	if e.Error != "" {
		m["error"] = e.Error
	}
	return m
}

// URLFor builds the URL of path on target t with an optional port and scheme.
func URLFor(t Target, path string, port int, scheme string) string {
	u := *t.URL
	u.User = nil
	if scheme != "" {
		u.Scheme = scheme
	}
	if port > 0 {
		u.Host = net.JoinHostPort(u.Hostname(), strconv.Itoa(port))
	}
	p, q, _ := strings.Cut(path, "?")
	if p != "" {
		u.Path = strings.TrimRight(u.Path, "/") + "/" + strings.TrimLeft(p, "/")
		u.RawPath = ""
	}
	u.RawQuery = q
	u.Fragment = ""
	return u.String()
}

// ErrBudget is returned when the run's request budget is spent.
var ErrBudget = errors.New("probe request budget for this run is spent")

// Do sends r to target t. A transport error (refused, timeout, TLS) is
// returned as an error wrapping *TransportError so checks can tell an
// unreachable service from a bad answer.
func (c *Client) Do(ctx context.Context, t Target, r Request) (*Response, error) {
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	u := URLFor(t, r.Path, r.Port, r.Scheme)
	cacheable := r.Method == http.MethodGet && len(r.Body) == 0 && !r.NoCache && !r.NoFollow
	if !cacheable {
		return c.send(ctx, u, r)
	}
	key := cacheKey(u, r)
	c.mu.Lock()
	e, ok := c.cache[key]
	if !ok {
		e = &cacheEntry{}
		c.cache[key] = e
	}
	c.mu.Unlock()
	first := false
	e.once.Do(func() {
		first = true
		e.resp, e.err = c.send(ctx, u, r)
	})
	if e.err != nil || first {
		return e.resp, e.err
	}
	cp := *e.resp
	cp.Exchange.Cached = true
	return &cp, nil
}

func cacheKey(u string, r Request) string {
	var b strings.Builder
	b.WriteString(u)
	fmt.Fprintf(&b, "\x00auth=%t\x00", r.Auth)
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString(k + "=" + strings.Join(r.Header[k], ",") + "\x00")
	}
	return b.String()
}

// TransportError is a request that got no HTTP answer.
type TransportError struct {
	URL string
	Err error
}

func (e *TransportError) Error() string { return e.URL + ": " + e.Err.Error() }
func (e *TransportError) Unwrap() error { return e.Err }

// IsTransport reports whether err means no HTTP answer came back.
func IsTransport(err error) bool {
	var te *TransportError
	return errors.As(err, &te)
}

func (c *Client) send(ctx context.Context, u string, r Request) (*Response, error) {
	if !r.Unbudgeted {
		if c.budget.Add(-1) < 0 {
			return nil, ErrBudget
		}
		if err := c.limiter.Wait(ctx); err != nil {
			return nil, fmt.Errorf("wait for rate limit: %w", err)
		}
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if r.NoFollow {
		ctx = context.WithValue(ctx, noFollowKey{}, true)
	}
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, u, body)
	if err != nil {
		return nil, fmt.Errorf("build request %s %s: %w", r.Method, u, err)
	}
	req.Header.Set("User-Agent", "golive-probe")
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if r.Auth {
		for k, vs := range c.headers {
			for _, v := range vs {
				req.Header.Add(k, v)
			}
		}
		if c.token != "" && req.Header.Get("Authorization") == "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
	}
	ex := Exchange{Method: r.Method, URL: mask.URL(u), Request: maskHeaders(req.Header, nil, true), SentBytes: len(r.Body)}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		ex.DurationMs = ms(time.Since(start))
		ex.Error = err.Error()
		return &Response{Exchange: ex}, &TransportError{URL: ex.URL, Err: err}
	}
	defer resp.Body.Close()
	b, rerr := io.ReadAll(io.LimitReader(resp.Body, MaxBodyRead))
	ex.DurationMs = ms(time.Since(start))
	ex.Status = resp.StatusCode
	ex.BodyBytes = len(b)
	ex.Response = maskHeaders(resp.Header, r.Header, false)
	if resp.Request != nil && resp.Request.URL.String() != u {
		ex.URL = mask.URL(resp.Request.URL.String())
	}
	if rerr != nil {
		ex.Error = "reading body: " + rerr.Error()
	}
	return &Response{Exchange: ex, Status: resp.StatusCode, Header: resp.Header, Body: b, TLS: resp.TLS}, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// recorded lists the response headers worth keeping as evidence; others are
// dropped so a report stays short.
var recorded = map[string]bool{
	"content-type": true, "content-length": true, "content-encoding": true, "location": true,
	"server": true, "x-powered-by": true, "x-aspnet-version": true, "strict-transport-security": true,
	"content-security-policy": true, "x-content-type-options": true, "x-frame-options": true,
	"referrer-policy": true, "access-control-allow-origin": true, "access-control-allow-credentials": true,
	"access-control-allow-methods": true, "access-control-allow-headers": true, "vary": true,
	"retry-after": true, "x-ratelimit-limit": true, "x-ratelimit-remaining": true, "ratelimit": true,
	"ratelimit-policy": true, "x-request-id": true, "x-correlation-id": true, "traceparent": true,
	"traceresponse": true, "x-trace-id": true, "x-span-id": true, "www-authenticate": true,
	"set-cookie": true, "via": true, "x-cache": true, "cf-ray": true, "x-amz-cf-id": true,
	"x-served-by": true, "deprecation": true, "sunset": true, "cache-control": true,
}

// maskHeaders keeps every header when all is set (request headers: the
// caller chose them) or else the recorded ones and those named in asked,
// masking credential values.
func maskHeaders(h http.Header, asked http.Header, all bool) map[string]string {
	out := map[string]string{}
	for k, vs := range h {
		if _, ok := asked[http.CanonicalHeaderKey(k)]; !all && !ok && !recorded[strings.ToLower(k)] {
			continue
		}
		v := strings.Join(vs, ", ")
		if mask.IsSecret(k) {
			v = mask.Value(v)
		}
		out[k] = v
	}
	return out
}

// BodyHead returns the start of a body for evidence, cut at a line end.
func BodyHead(b []byte) string {
	s := string(b)
	if len(s) > evidenceBodyHead {
		s = s[:evidenceBodyHead] + "..."
	}
	return s
}

// notifyKey carries the hook that announces bursts before they are sent.
type notifyKey struct{}

// WithNotify returns a context whose announcements go to fn (the CLI prints
// them on stderr). Without it they are logged with slog.
func WithNotify(ctx context.Context, fn func(msg string)) context.Context {
	return context.WithValue(ctx, notifyKey{}, fn)
}

// Notify announces what golive is about to send.
func Notify(ctx context.Context, msg string) {
	if fn, ok := ctx.Value(notifyKey{}).(func(string)); ok && fn != nil {
		fn(msg)
		return
	}
	slog.Info(msg)
}

// AuthHeader returns h with the --header values and --token added, for
// callers that send requests themselves (the load generator).
func (c *Client) AuthHeader(h http.Header) http.Header {
	out := h.Clone()
	if out == nil {
		out = http.Header{}
	}
	for k, vs := range c.headers {
		out[k] = append(out[k], vs...)
	}
	if c.token != "" && out.Get("Authorization") == "" {
		out.Set("Authorization", "Bearer "+c.token)
	}
	return out
}
