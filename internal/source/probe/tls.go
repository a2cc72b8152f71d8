package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// Handshake is the outcome of one TLS handshake attempt.
type Handshake struct {
	Addr       string   `json:"addr"`
	Offered    string   `json:"offered"` // what the client offered, for evidence
	Version    string   `json:"version,omitempty"`
	Cipher     string   `json:"cipher,omitempty"`
	Error      string   `json:"error,omitempty"`
	DurationMs float64  `json:"durationMs"`
	Chain      []string `json:"-"`

	State *tls.ConnectionState `json:"-"`
}

// TLSAddr returns host:port of a target's TLS endpoint: its own port, or 443.
func TLSAddr(t Target, port int) string {
	p := t.URL.Port()
	if port > 0 {
		p = strconv.Itoa(port)
	}
	if p == "" {
		p = "443"
	}
	return net.JoinHostPort(t.URL.Hostname(), p)
}

// Handshake dials addr and runs a TLS handshake with the run's TLS settings
// changed by adjust. A refused connection is a *TransportError (the endpoint
// is unreachable); a failed handshake is reported in Handshake.Error with a
// nil error, since refusing a handshake is an answer.
func (c *Client) Handshake(ctx context.Context, t Target, port int, offered string, adjust func(*tls.Config)) (*Handshake, error) {
	if c.budget.Add(-1) < 0 {
		return nil, ErrBudget
	}
	if err := c.limiter.Wait(ctx); err != nil {
		return nil, fmt.Errorf("wait for rate limit: %w", err)
	}
	addr := TLSAddr(t, port)
	conf := c.tlsConf.Clone()
	conf.ServerName = t.URL.Hostname()
	conf.NextProtos = []string{"h2", "http/1.1"}
	if adjust != nil {
		adjust(conf)
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
	defer cancel()
	h := &Handshake{Addr: addr, Offered: offered}
	start := time.Now()
	raw, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", addr)
	if err != nil {
		h.Error = err.Error()
		return h, &TransportError{URL: addr, Err: err}
	}
	defer raw.Close()
	conn := tls.Client(raw, conf)
	err = conn.HandshakeContext(ctx)
	h.DurationMs = ms(time.Since(start))
	if err != nil {
		h.Error = err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			return h, &TransportError{URL: addr, Err: err}
		}
		return h, nil
	}
	st := conn.ConnectionState()
	h.State = &st
	h.Version = tls.VersionName(st.Version)
	h.Cipher = tls.CipherSuiteName(st.CipherSuite)
	return h, nil
}
