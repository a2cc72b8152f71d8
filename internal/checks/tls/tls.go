// Package tls holds the checks on an https target's TLS: protocol versions,
// the certificate chain and its expiry, cipher suites, and that plain HTTP
// is redirected. Handshakes go through source/probe, bounded like every probe.
package tls

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/probe"
	"golive.dev/golive/internal/verdict"
)

var needs = []check.Input{check.TLS}

var (
	pTarget = check.Param{Name: "target", Type: check.String, Default: "", Description: "name of the target; empty checks every https target"}
	pPort   = check.Param{Name: "port", Type: check.Int, Default: 0, Description: "TLS port; 0 uses the target's (443 by default)"}
)

// Register adds the TLS checks.
func Register(r *check.Registry) {
	r.Register(check.Check{
		ID:          "tls/min-version",
		Title:       "Protocols older than the minimum are refused",
		Description: "Tries a handshake with each TLS version below minVersion (expects refusal) and one at minVersion or above (expects success).",
		Needs:       needs,
		Params:      []check.Param{pTarget, pPort, {Name: "minVersion", Type: check.String, Default: "1.2", Description: "1.2 or 1.3"}},
		Run:         runMinVersion,
	})
	r.Register(check.Check{
		ID:    "tls/certificate",
		Title: "The certificate chain is valid for the host and not close to expiry",
		Description: "Verifies the served chain against the system roots and --ca-file for the target's hostname; " +
			"the leaf must be valid for more than failDays (fail) and warnDays (noted on the passing finding).",
		Needs: needs,
		Params: []check.Param{pTarget, pPort,
			{Name: "failDays", Type: check.Int, Default: 14},
			{Name: "warnDays", Type: check.Int, Default: 30},
		},
		Run: runCertificate,
	})
	r.Register(check.Check{
		ID:    "tls/ciphers",
		Title: "No weak cipher suite is accepted",
		Description: "Offers, over TLS 1.2 and below, only the suites that lack forward secrecy or an AEAD cipher " +
			"(RSA key exchange, CBC, 3DES, RC4); any accepted suite fails, named. TLS 1.3 suites are all strong.",
		Needs:  needs,
		Params: []check.Param{pTarget, pPort, {Name: "allowCBC", Type: check.Bool, Default: false, Description: "accept ECDHE suites with CBC"}},
		Run:    runCiphers,
	})
	r.Register(check.Check{
		ID:    "tls/http-redirect",
		Title: "Plain HTTP is redirected to HTTPS or refused",
		Description: "Sends a plain-HTTP request to the target's host (httpPort, 80 by default, or the target " +
			"itself when it is http://) and expects a 301/302/307/308 to an https:// URL; with allowRefused a " +
			"refused connection passes when the HTTPS side answers.",
		Needs: []check.Input{check.HTTP},
		Params: []check.Param{pTarget,
			{Name: "httpPort", Type: check.Int, Default: 80},
			{Name: "path", Type: check.String, Default: "/"},
			{Name: "allowRefused", Type: check.Bool, Default: true},
		},
		Run: runHTTPRedirect,
	})
}

// httpsTargets returns the https targets; none is unverified naming --target.
func httpsTargets(ctx context.Context, env *source.Env, p check.Params) (*probe.Client, []probe.Target, error) {
	pc, err := probe.From(ctx, env)
	if err != nil {
		return nil, nil, err
	}
	var out []probe.Target
	for _, t := range pc.Targets() {
		if name := p.String("target"); name != "" && t.Name != name {
			continue
		}
		if t.URL.Scheme == "https" || p.Int("port") > 0 {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, nil, source.NotGiven(probe.FlagTarget, "https:// target")
	}
	return pc, out, nil
}

// eachTLS runs fn per https target, turning unreachable targets into
// unverified findings (or the whole check when none answers).
func eachTLS(ctx context.Context, env *source.Env, p check.Params, fn func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error)) ([]verdict.Finding, error) {
	pc, ts, err := httpsTargets(ctx, env, p)
	if err != nil {
		return nil, err
	}
	var out []verdict.Finding
	var last error
	ok := 0
	for _, t := range ts {
		fs, err := fn(pc, t)
		if err != nil {
			if !probe.IsTransport(err) {
				return nil, fmt.Errorf("%s: %w", t, err)
			}
			last = err
			out = append(out, verdict.Finding{Status: verdict.Unverified, Endpoint: probe.TLSAddr(t, p.Int("port")),
				Message: "TLS endpoint unreachable: " + err.Error(), Hint: probe.FlagTarget})
			continue
		}
		ok++
		out = append(out, fs...)
	}
	if ok == 0 && last != nil {
		return nil, source.Unreachable(probe.FlagTarget, last)
	}
	return out, nil
}

func hsEvidence(h *probe.Handshake) map[string]any {
	m := map[string]any{"addr": h.Addr, "offered": h.Offered, "durationMs": h.DurationMs}
	if h.Version != "" {
		m["version"], m["cipher"] = h.Version, h.Cipher
	}
	if h.Error != "" {
		m["error"] = h.Error
	}
	return m
}

var versions = []struct {
	name string
	v    uint16
}{{"1.0", tls.VersionTLS10}, {"1.1", tls.VersionTLS11}, {"1.2", tls.VersionTLS12}, {"1.3", tls.VersionTLS13}}

// legacySuites can be negotiated by TLS 1.0/1.1, so offering them tests the
// protocol version rather than the server's suite preferences.
var legacySuites = []uint16{
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
	tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA,
}

func runMinVersion(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	minName := strings.TrimPrefix(strings.ToLower(p.String("minVersion")), "tls")
	var min uint16
	for _, v := range versions {
		if v.name == minName {
			min = v.v
		}
	}
	if min < tls.VersionTLS12 {
		return nil, fmt.Errorf("minVersion %q: want 1.2 or 1.3", p.String("minVersion"))
	}
	return eachTLS(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		var out []verdict.Finding
		for _, v := range versions {
			v := v
			h, err := pc.Handshake(ctx, t, p.Int("port"), "TLS "+v.name, func(c *tls.Config) {
				c.MinVersion, c.MaxVersion = v.v, v.v
				c.InsecureSkipVerify = true // only the protocol is judged here
				if v.v < tls.VersionTLS12 {
					c.CipherSuites = legacySuites
				}
			})
			if err != nil {
				return nil, err
			}
			accepted := h.Error == ""
			f := verdict.Finding{Endpoint: h.Addr, Evidence: hsEvidence(h)}
			switch {
			case v.v < min && accepted:
				f.Status, f.Message = verdict.Fail, fmt.Sprintf("TLS %s accepted (minimum %s)", v.name, minName)
			case v.v < min:
				f.Status, f.Message = verdict.Pass, fmt.Sprintf("TLS %s refused", v.name)
			case v.v == min && !accepted && min == tls.VersionTLS12:
				// Refusing 1.2 is fine when 1.3 works; judged below.
				continue
			case !accepted:
				continue
			default:
				f.Status, f.Message = verdict.Pass, fmt.Sprintf("TLS %s accepted", v.name)
			}
			out = append(out, f)
		}
		ok := false
		for _, f := range out {
			if strings.HasSuffix(f.Message, " accepted") && f.Status == verdict.Pass {
				ok = true
			}
		}
		if !ok {
			out = append(out, verdict.Finding{Status: verdict.Fail, Endpoint: probe.TLSAddr(t, p.Int("port")),
				Message: fmt.Sprintf("no handshake at TLS %s or above succeeded", minName)})
		}
		return out, nil
	})
}

func runCertificate(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	failDays, warnDays := p.Int("failDays"), p.Int("warnDays")
	now := env.Inputs.Now
	return eachTLS(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		// Verification is done here, not by the handshake, so that an invalid
		// chain is reported with its reason and details instead of a bare error.
		h, err := pc.Handshake(ctx, t, p.Int("port"), "default", func(c *tls.Config) { c.InsecureSkipVerify = true })
		if err != nil {
			return nil, err
		}
		if h.Error != "" || h.State == nil || len(h.State.PeerCertificates) == 0 {
			return []verdict.Finding{{Status: verdict.Fail, Endpoint: h.Addr, Evidence: hsEvidence(h),
				Message: "TLS handshake failed: " + h.Error}}, nil
		}
		certs := h.State.PeerCertificates
		leaf := certs[0]
		ev := hsEvidence(h)
		ev["subject"] = leaf.Subject.String()
		ev["issuer"] = leaf.Issuer.String()
		ev["dnsNames"] = leaf.DNSNames
		ev["notAfter"] = leaf.NotAfter.UTC().Format(time.RFC3339)
		roots := pc.TLSConfig().RootCAs
		inter := x509.NewCertPool()
		for _, c := range certs[1:] {
			inter.AddCert(c)
		}
		var out []verdict.Finding
		_, verr := leaf.Verify(x509.VerifyOptions{DNSName: t.URL.Hostname(), Roots: roots, Intermediates: inter, CurrentTime: now})
		if verr != nil {
			out = append(out, verdict.Finding{Status: verdict.Fail, Endpoint: h.Addr, Evidence: ev,
				Message: "certificate chain not valid for " + t.URL.Hostname() + ": " + verr.Error(), Hint: chainHint(verr)})
		} else {
			out = append(out, verdict.Finding{Status: verdict.Pass, Endpoint: h.Addr, Evidence: ev,
				Message: "certificate chain valid for " + t.URL.Hostname()})
		}
		days := int(leaf.NotAfter.Sub(now).Hours() / 24)
		ev2 := map[string]any{"notAfter": ev["notAfter"], "daysLeft": days, "failDays": failDays, "warnDays": warnDays}
		switch {
		case days <= failDays:
			out = append(out, verdict.Finding{Status: verdict.Fail, Endpoint: h.Addr, Evidence: ev2,
				Message: fmt.Sprintf("certificate expires in %d days (fail at %d)", days, failDays)})
		case days <= warnDays:
			ev2["warning"] = true
			out = append(out, verdict.Finding{Status: verdict.Pass, Endpoint: h.Addr, Evidence: ev2,
				Message: fmt.Sprintf("warning: certificate expires in %d days (warn at %d)", days, warnDays)})
		default:
			out = append(out, verdict.Finding{Status: verdict.Pass, Endpoint: h.Addr, Evidence: ev2,
				Message: fmt.Sprintf("certificate valid for %d more days", days)})
		}
		return out, nil
	})
}

func chainHint(err error) string {
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		return "if the service uses a private CA, pass it with " + probe.FlagCAFile
	}
	return ""
}

// weakSuites returns the suites Go can offer that lack forward secrecy or an
// AEAD cipher.
func weakSuites(allowCBC bool) []*tls.CipherSuite {
	var out []*tls.CipherSuite
	all := append(tls.CipherSuites(), tls.InsecureCipherSuites()...)
	for _, s := range all {
		if !supportsPre13(s) {
			continue
		}
		fs := strings.HasPrefix(s.Name, "TLS_ECDHE_")
		aead := strings.Contains(s.Name, "_GCM_") || strings.Contains(s.Name, "CHACHA20")
		weak := !fs || strings.Contains(s.Name, "RC4") || strings.Contains(s.Name, "3DES")
		if !aead && !allowCBC {
			weak = true
		}
		if weak {
			out = append(out, s)
		}
	}
	return out
}

func supportsPre13(s *tls.CipherSuite) bool {
	for _, v := range s.SupportedVersions {
		if v <= tls.VersionTLS12 {
			return true
		}
	}
	return false
}

func runCiphers(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	weak := weakSuites(p.Bool("allowCBC"))
	return eachTLS(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		remaining := map[uint16]*tls.CipherSuite{}
		for _, s := range weak {
			remaining[s.ID] = s
		}
		var accepted []string
		var lastEv map[string]any
		// Each accepted suite is removed and the rest offered again, so the
		// findings name every weak suite, in at most len(weak) handshakes.
		for len(remaining) > 0 {
			ids := make([]uint16, 0, len(remaining))
			for id := range remaining {
				ids = append(ids, id)
			}
			h, err := pc.Handshake(ctx, t, p.Int("port"), fmt.Sprintf("%d weak suites", len(ids)), func(c *tls.Config) {
				c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS12
				c.CipherSuites = ids
				c.InsecureSkipVerify = true
			})
			if err != nil {
				return nil, err
			}
			lastEv = hsEvidence(h)
			if h.Error != "" || h.State == nil {
				break
			}
			accepted = append(accepted, tls.CipherSuiteName(h.State.CipherSuite)+" ("+tls.VersionName(h.State.Version)+")")
			delete(remaining, h.State.CipherSuite)
		}
		addr := probe.TLSAddr(t, p.Int("port"))
		if len(accepted) > 0 {
			return []verdict.Finding{{Status: verdict.Fail, Endpoint: addr, Evidence: map[string]any{"accepted": accepted},
				Message: "weak cipher suites accepted: " + strings.Join(accepted, ", ")}}, nil
		}
		return []verdict.Finding{{Status: verdict.Pass, Endpoint: addr, Evidence: lastEv,
			Message: fmt.Sprintf("none of %d weak cipher suites accepted", len(weak))}}, nil
	})
}

func runHTTPRedirect(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	pc, err := probe.From(ctx, env)
	if err != nil {
		return nil, err
	}
	var out []verdict.Finding
	for _, t := range pc.Targets() {
		if name := p.String("target"); name != "" && t.Name != name {
			continue
		}
		port := 0
		if t.URL.Scheme == "https" {
			port = p.Int("httpPort")
		}
		r, err := pc.Do(ctx, t, probe.Request{Path: p.String("path"), Scheme: "http", Port: port, NoFollow: true})
		if err != nil {
			if !probe.IsTransport(err) {
				return nil, err
			}
			f := verdict.Finding{Endpoint: probe.URLFor(t, p.String("path"), port, "http"), Evidence: map[string]any{"error": err.Error()}}
			if t.URL.Scheme == "https" && p.Bool("allowRefused") {
				// Refusal only counts when the HTTPS side is up: else the
				// host is simply unreachable.
				if _, herr := pc.Do(ctx, t, probe.Request{Path: p.String("path")}); herr == nil {
					f.Status, f.Message = verdict.Pass, "plain HTTP refused; HTTPS answers"
					out = append(out, f)
					continue
				}
			}
			f.Status, f.Message, f.Hint = verdict.Unverified, "no answer over plain HTTP: "+err.Error(), probe.FlagTarget
			out = append(out, f)
			continue
		}
		loc := r.Header.Get("Location")
		redirect := r.Status == http.StatusMovedPermanently || r.Status == http.StatusFound ||
			r.Status == http.StatusTemporaryRedirect || r.Status == http.StatusPermanentRedirect
		ok := redirect && strings.HasPrefix(strings.ToLower(loc), "https://")
		msg := fmt.Sprintf("plain HTTP answered %d", r.Status)
		if loc != "" {
			msg += " to " + loc
		}
		if !ok {
			msg += " (want a redirect to https://)"
		}
		ev := r.Exchange.Evidence()
		st := verdict.Fail
		if ok {
			st = verdict.Pass
		}
		out = append(out, verdict.Finding{Status: st, Endpoint: r.Exchange.URL, Message: msg, Evidence: ev})
	}
	if len(out) == 0 {
		return nil, source.NotGiven(probe.FlagTarget, fmt.Sprintf("target named %q", p.String("target")))
	}
	return out, nil
}
