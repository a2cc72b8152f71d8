package load

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// conn is one worker's keep-alive HTTP/1.1 connection. The worker writes a
// prepared request and reads the answer itself, with no goroutine hand-off
// in between: the generator costs less CPU per request and the time it
// measures is the service's, not the client's scheduling (as with wrk).
type conn struct {
	addr, host string
	tls        *tls.Config
	timeout    time.Duration
	c          net.Conn
	br         *bufio.Reader
}

func newConn(base *url.URL, tc *tls.Config, timeout time.Duration) *conn {
	addr := base.Host
	if base.Port() == "" {
		if base.Scheme == "https" {
			addr = net.JoinHostPort(base.Hostname(), "443")
		} else {
			addr = net.JoinHostPort(base.Hostname(), "80")
		}
	}
	var conf *tls.Config
	if base.Scheme == "https" {
		if tc != nil {
			conf = tc.Clone()
		} else {
			conf = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		conf.ServerName = base.Hostname()
		conf.NextProtos = []string{"http/1.1"}
	}
	return &conn{addr: addr, host: base.Host, tls: conf, timeout: timeout}
}

// prepare renders the bytes of a request once; every send reuses them.
func prepare(method, host, path string, h http.Header) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, path, host)
	if h.Get("User-Agent") == "" {
		b.WriteString("User-Agent: golive-load\r\n")
	}
	for k, vs := range h {
		for _, v := range vs {
			b.WriteString(k + ": " + v + "\r\n")
		}
	}
	if method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch {
		b.WriteString("Content-Length: 0\r\n")
	}
	b.WriteString("\r\n")
	return []byte(b.String())
}

func (c *conn) dial(ctx context.Context) error {
	d := net.Dialer{Timeout: c.timeout}
	raw, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return err
	}
	if c.tls != nil {
		tc := tls.Client(raw, c.tls)
		hctx, cancel := context.WithTimeout(ctx, c.timeout)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			raw.Close()
			return fmt.Errorf("tls: %w", err)
		}
		raw = tc
	}
	c.c, c.br = raw, bufio.NewReaderSize(raw, 16<<10)
	return nil
}

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c = nil
	}
}

// do sends one prepared request and reads the whole answer. A request that
// fails on a reused connection is retried once on a fresh one, as browsers
// and net/http do, since the server may have closed an idle connection.
func (c *conn) do(ctx context.Context, req []byte, method string) (int, error) {
	for attempt := 0; ; attempt++ {
		reused := c.c != nil
		if !reused {
			if err := c.dial(ctx); err != nil {
				return 0, err
			}
		}
		status, err := c.roundTrip(req, method)
		if err == nil {
			return status, nil
		}
		c.close()
		if !reused || attempt > 0 || ctx.Err() != nil {
			return 0, err
		}
	}
}

func (c *conn) roundTrip(req []byte, method string) (int, error) {
	_ = c.c.SetDeadline(time.Now().Add(c.timeout))
	if _, err := c.c.Write(req); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, err
	}
	if resp.Close {
		c.close()
	}
	return resp.StatusCode, nil
}
