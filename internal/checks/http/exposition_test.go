package http

import (
	"strings"
	"testing"
)

const omPage = `# TYPE http_requests counter
# HELP http_requests Requests.
http_requests_total{code="200"} 10 1520879607.789 # {trace_id="abc"} 1.0 1520879607.789
http_requests_created{code="200"} 1520879607.789
# TYPE build info
build_info{version="1.2"} 1
# TYPE req_dur_seconds histogram
# UNIT req_dur_seconds seconds
req_dur_seconds_bucket{le="0.1"} 1
req_dur_seconds_bucket{le="+Inf"} 2
req_dur_seconds_count 2
req_dur_seconds_sum 0.3
# EOF
`

func TestParseExposition(t *testing.T) {
	ex, err := ParseExposition([]byte(omPage), "application/openmetrics-text; version=1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if ex.Format != "openmetrics" {
		t.Errorf("format %s", ex.Format)
	}
	for _, name := range []string{"http_requests_total", "http_requests", "req_dur_seconds", "req_dur_seconds_bucket", "build_info"} {
		if ex.Find(name) == nil {
			t.Errorf("%s not found in %v", name, ex.Families)
		}
	}
	if f := ex.Find("http_requests_total"); f == nil || f.Type != "counter" {
		t.Errorf("counter family %+v", f)
	}
	if f := ex.Find("req_dur_seconds"); f == nil || f.Type != "histogram" || len(f.Series) != 1 {
		t.Errorf("histogram family %+v", f)
	}

	bad := []struct{ body, ct, want string }{
		{"metric{ 1\n", "text/plain", "Prometheus text"},
		{"# TYPE a counter\na_total 1\n", "application/openmetrics-text", "# EOF"},
		{"a 1\n# EOF\nb 2\n", "application/openmetrics-text", "after # EOF"},
		{"# TYPE a weird\n# EOF\n", "application/openmetrics-text", "unknown type"},
	}
	for _, b := range bad {
		if _, err := ParseExposition([]byte(b.body), b.ct); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%q: err %v, want %q", b.body, err, b.want)
		}
	}
}

func TestCardinalities(t *testing.T) {
	var b strings.Builder
	b.WriteString("# TYPE hits counter\n")
	for i := range 12 {
		b.WriteString(`hits_total{route="/users/` + strings.Repeat("1", 3) + string(rune('0'+i%10)) + `",method="GET",n="` + string(rune('a'+i)) + "\"} 1\n")
	}
	ex, err := ParseExposition([]byte(b.String()), "")
	if err != nil {
		t.Fatal(err)
	}
	cs := ex.Cardinalities()
	if len(cs) != 1 || cs[0].Series != 12 || cs[0].TopLabel != "n" || cs[0].IDLikeLabel != "route" {
		t.Errorf("cardinalities %+v", cs)
	}
}

func TestStatusMatcher(t *testing.T) {
	m, err := StatusMatcher("2xx, 401")
	if err != nil {
		t.Fatal(err)
	}
	for s, want := range map[int]bool{200: true, 204: true, 299: true, 300: false, 401: true, 403: false} {
		if m(s) != want {
			t.Errorf("%d: %t", s, !want)
		}
	}
	for _, bad := range []string{"", "abc", "6xx", "99", "2x"} {
		if _, err := StatusMatcher(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParseExposition(f *testing.F) {
	f.Add([]byte(omPage), "application/openmetrics-text")
	f.Add([]byte("# TYPE a histogram\na_bucket{le=\"1\"} 1\na_count 1\na_sum 1\n"), "text/plain")
	f.Add([]byte("a{b=\"c\\\"d\"} 1\n# EOF\n"), "")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		ex, err := ParseExposition(body, ct)
		if err != nil {
			return
		}
		for _, c := range ex.Cardinalities() {
			if c.Series < 0 || c.TopValues > c.Series {
				t.Fatalf("bad cardinality %+v", c)
			}
		}
	})
}

func FuzzStatusMatcher(f *testing.F) {
	for _, s := range []string{"200", "2xx,401", " 4xx , 5xx ", "x", ","} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := StatusMatcher(s)
		if err == nil {
			_ = m(200)
		}
	})
}

func FuzzHSTSMaxAge(f *testing.F) {
	f.Add("max-age=31536000; includeSubDomains")
	f.Add(`max-age="10"`)
	f.Fuzz(func(t *testing.T, s string) {
		if d, ok := hstsMaxAge(s); ok && d < 0 {
			t.Fatalf("negative max-age from %q", s)
		}
	})
}
