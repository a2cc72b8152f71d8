package report

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"testing"

	"golive.dev/golive/internal/verdict"
)

// oneItem is a minimal report whose single failing item is shaped by edit,
// so each case can put hostile text in one field.
func oneItem(edit func(p *verdict.PackResult, it *verdict.ItemResult, f *verdict.Finding)) *verdict.Report {
	p := verdict.PackResult{Name: "p", Title: "Pack", Score: 0}
	it := verdict.ItemResult{ID: "cat/item", Title: "Item", Category: "cat", Priority: verdict.High,
		Refs: []string{"r1"}, Status: verdict.Fail, Automated: true, Checks: []string{"c/x"}, Message: "failed"}
	f := verdict.Finding{Check: "c/x", Status: verdict.Fail, Message: "bad", File: "a.yaml", Line: 3}
	edit(&p, &it, &f)
	it.Findings = []verdict.Finding{f}
	p.Items = []verdict.ItemResult{it}
	p.Counts = countItems(p.Items)
	return &verdict.Report{SchemaVersion: verdict.SchemaVersion, Tool: verdict.Tool{Name: "golive", Version: "t"},
		Gate: verdict.Gate{FailOn: verdict.Critical, Reasons: []string{}}, Packs: []verdict.PackResult{p}}
}

// unescapedPipes counts "|" not preceded by a backslash.
func unescapedPipes(line string) int {
	n := 0
	for i := 0; i < len(line); i++ {
		if line[i] == '|' && (i == 0 || line[i-1] != '\\') {
			n++
		}
	}
	return n
}

func lineWith(out, needle string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, needle) {
			return l
		}
	}
	return ""
}

func TestEscaping(t *testing.T) {
	summaryCols := 2 + len(verdict.Statuses) + 1
	cases := []struct {
		name    string
		format  string
		edit    func(p *verdict.PackResult, it *verdict.ItemResult, f *verdict.Finding)
		check   func(t *testing.T, out string)
		has     []string
		hasNot  []string
		isValid func(t *testing.T, out []byte)
	}{
		{
			name: "markdown pipe in a table cell", format: "markdown",
			edit: func(p *verdict.PackResult, _ *verdict.ItemResult, _ *verdict.Finding) { p.Title = "a | b || c" },
			check: func(t *testing.T, out string) {
				row := lineWith(out, "`p`")
				if got := unescapedPipes(row); got != summaryCols {
					t.Errorf("summary row has %d cell separators, want %d: %s", got, summaryCols, row)
				}
			},
			has: []string{`a \| b \|\| c`},
		},
		{
			name: "markdown pipe inside a code span in a table", format: "markdown",
			edit: func(_ *verdict.PackResult, it *verdict.ItemResult, _ *verdict.Finding) {
				it.Status = verdict.Unverified
				it.Hint = "pass --kubeconfig FILE|DIR"
			},
			check: func(t *testing.T, out string) {
				row := lineWith(out, "--kubeconfig")
				if got := unescapedPipes(row); got != 3 {
					t.Errorf("hint row has %d cell separators, want 3: %s", got, row)
				}
			},
			has: []string{"`--kubeconfig FILE\\|DIR`"},
		},
		{
			name: "markdown html and links are inert", format: "markdown",
			edit: func(_ *verdict.PackResult, _ *verdict.ItemResult, f *verdict.Finding) {
				f.Message = `<img src=x onerror=alert(1)> [click](javascript:alert(1)) **bold** ~~x~~`
			},
			has:    []string{`\<img src=x onerror=alert(1)\>`, `\[click\](javascript:alert(1))`, `\*\*bold\*\*`, `\~\~x\~\~`},
			hasNot: []string{": <img", " [click]"},
		},
		{
			name: "markdown block syntax at line start", format: "markdown",
			edit: func(_ *verdict.PackResult, it *verdict.ItemResult, _ *verdict.Finding) {
				it.Message = "# not a heading"
			},
			has: []string{"\n\\# not a heading\n"},
		},
		{
			name: "markdown ordered-list start", format: "markdown",
			edit: func(_ *verdict.PackResult, it *verdict.ItemResult, _ *verdict.Finding) { it.Message = "1. not a list" },
			has:  []string{"\n1\\. not a list\n"},
		},
		{
			name: "markdown newline cannot break out of a list item", format: "markdown",
			edit: func(_ *verdict.PackResult, _ *verdict.ItemResult, f *verdict.Finding) {
				f.Message = "first\n## injected heading\n| a | b |"
			},
			hasNot: []string{"\n## injected", "\n| a"},
		},
		{
			name: "markdown backtick in a file name", format: "markdown",
			edit: func(_ *verdict.PackResult, _ *verdict.ItemResult, f *verdict.Finding) { f.File = "we`ird.yaml" },
			has:  []string{"``we`ird.yaml:3``"},
		},
		{
			name: "markdown evidence fence outlasts backticks", format: "markdown",
			edit: func(_ *verdict.PackResult, _ *verdict.ItemResult, f *verdict.Finding) {
				f.Evidence = map[string]any{"body": "```\n</details>"}
			},
			has: []string{"````json"},
		},
		{
			name: "markdown cuts huge evidence", format: "markdown",
			edit: func(_ *verdict.PackResult, _ *verdict.ItemResult, f *verdict.Finding) {
				lines := make([]any, 500)
				for i := range lines {
					lines[i] = "line of a long response body"
				}
				f.Evidence = map[string]any{"body": lines}
			},
			has: []string{"… (cut; the JSON report has all of it)\n  ```\n"},
			check: func(t *testing.T, out string) {
				if len(out) > 4000 {
					t.Errorf("markdown is %d bytes; evidence was not cut", len(out))
				}
			},
		},
		{
			name: "html script in a message", format: "html",
			edit: func(_ *verdict.PackResult, _ *verdict.ItemResult, f *verdict.Finding) {
				f.Message = `<script>alert("x")</script>`
			},
			has:    []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"},
			hasNot: []string{`<script>alert`},
		},
		{
			name: "html attribute injection via category", format: "html",
			edit: func(_ *verdict.PackResult, it *verdict.ItemResult, _ *verdict.Finding) {
				it.Category = `x" onmouseover="alert(1)`
			},
			hasNot: []string{`" onmouseover="`},
		},
		{
			name: "html evidence closing its pre", format: "html",
			edit: func(_ *verdict.PackResult, _ *verdict.ItemResult, f *verdict.Finding) {
				f.Evidence = map[string]any{"body": "</pre><script>alert(1)</script>"}
			},
			hasNot: []string{"</pre><script>"},
		},
		{
			name: "xml special characters and CDATA end", format: "junit",
			edit: func(_ *verdict.PackResult, it *verdict.ItemResult, f *verdict.Finding) {
				it.Title = `a & b < c > d " e '`
				f.Message = "end ]]> of cdata & <tag> \x01 control"
			},
			isValid: func(t *testing.T, out []byte) {
				var doc struct {
					Suites []struct {
						Cases []struct {
							Failure struct {
								Message string `xml:"message,attr"`
								Body    string `xml:",chardata"`
							} `xml:"failure"`
						} `xml:"testcase"`
					} `xml:"testsuite"`
				}
				if err := xml.Unmarshal(out, &doc); err != nil {
					t.Fatalf("not well-formed: %v", err)
				}
				fl := doc.Suites[0].Cases[0].Failure
				if !strings.Contains(fl.Message, `a & b < c > d " e '`) {
					t.Errorf("message attribute did not round-trip: %q", fl.Message)
				}
				if !strings.Contains(fl.Body, "end ]]> of cdata & <tag> \uFFFD control") {
					t.Errorf("body did not round-trip: %q", fl.Body)
				}
			},
		},
		{
			name: "xml control characters in attributes", format: "junit",
			edit: func(_ *verdict.PackResult, it *verdict.ItemResult, _ *verdict.Finding) {
				it.Status = verdict.Unverified
				it.Message = "bell \x07 and esc \x1b"
			},
			hasNot: []string{"\x07", "\x1b"},
		},
		{
			name: "text terminal escapes are neutralised", format: "text",
			edit: func(_ *verdict.PackResult, _ *verdict.ItemResult, f *verdict.Finding) {
				f.Message = "\x1b]0;pwned\x07\x1b[2Jcleared"
				f.Evidence = map[string]any{"body": "\x1b[31mred"}
			},
			hasNot: []string{"\x1b", "\x07"},
			has:    []string{`\u001b]0;pwned\u0007\u001b[2Jcleared`},
		},
		{
			name: "sarif keeps text intact as JSON", format: "sarif",
			edit: func(_ *verdict.PackResult, _ *verdict.ItemResult, f *verdict.Finding) {
				f.Message = "quote \" and \\ and \x01"
			},
			has: []string{`"text": "quote \" and \\ and \u0001"`},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := render(t, c.format, oneItem(c.edit), Options{Verbose: true})
			s := string(out)
			for _, h := range c.has {
				if !strings.Contains(s, h) {
					t.Errorf("output lacks %q\n%s", h, s)
				}
			}
			for _, h := range c.hasNot {
				if strings.Contains(s, h) {
					t.Errorf("output contains %q\n%s", h, s)
				}
			}
			if c.check != nil {
				c.check(t, s)
			}
			if c.isValid != nil {
				c.isValid(t, out)
			}
			if c.format == "junit" {
				dec := xml.NewDecoder(bytes.NewReader(out))
				for {
					if _, err := dec.Token(); err == io.EOF {
						break
					} else if err != nil {
						t.Fatalf("junit not well-formed: %v", err)
					}
				}
			}
		})
	}
}

type withToken struct {
	Name  string `json:"name"`
	Token string `json:"token"`
}

func TestMaskValue(t *testing.T) {
	cases := []struct {
		name string
		in   map[string]any
		want string // one-line JSON of the masked map
	}{
		{"plain values stay", map[string]any{"expected": 3, "found": "two"}, `{"expected":3,"found":"two"}`},
		{"secret string", map[string]any{"password": "hunter2"}, `{"password":"********"}`},
		{"secret number", map[string]any{"pin_password": 1234}, `{"pin_password":"********"}`},
		{"empty secret stays empty", map[string]any{"token": ""}, `{"token":""}`},
		{"nested map", map[string]any{"request": map[string]any{"headers": map[string]any{"Authorization": "Basic dXNlcjpwYXNz", "Accept": "*/*"}}}, `{"request":{"headers":{"Accept":"*/*","Authorization":"********"}}}`},
		{"everything under a secret key", map[string]any{"secrets": map[string]any{"a": "x", "b": []any{"y", 2}}}, `{"secrets":{"a":"********","b":["********","********"]}}`},
		{"header list", map[string]any{"headers": []any{map[string]any{"name": "X-Api-Key", "value": "k-123"}, map[string]any{"name": "Accept", "value": "json"}}}, `{"headers":[{"name":"X-Api-Key","value":"********"},{"name":"Accept","value":"json"}]}`},
		{"struct value", map[string]any{"client": withToken{Name: "ci", Token: "t0k3n"}}, `{"client":{"name":"ci","token":"********"}}`},
		{"string slice under secret key", map[string]any{"tokens": []string{"a1", "b2"}}, `{"tokens":["a1","b2"]}`},
		{"credentials inside a string", map[string]any{"database_url": "postgres://app:pw@db/x"}, `{"database_url":"postgres://********@db/x"}`},
		{"a key field names a setting", map[string]any{"key": "DB_PASSWORD", "value": "hunter2"}, `{"key":"DB_PASSWORD","value":"********"}`},
		{"a DSN is a credential", map[string]any{"dsn": "app:pw@tcp(db)/x"}, `{"dsn":"********"}`},
		{"nil evidence value", map[string]any{"found": nil}, `{"found":null}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := evidenceJSON(maskEvidence(c.in), ""); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

var ansiRE = regexp.MustCompile("\x1b\\[[0-9;]*m")

// Colour only adds SGR sequences: stripped, the coloured text is the plain text.
func TestColorOnlyAddsSGR(t *testing.T) {
	plain := render(t, "text", fixture(), Options{})
	colored := render(t, "text", fixture(), Options{Color: true})
	if bytes.Equal(plain, colored) {
		t.Fatal("Color had no effect")
	}
	if got := ansiRE.ReplaceAll(colored, nil); !bytes.Equal(got, plain) {
		t.Errorf("coloured output differs from plain beyond colour codes:\n%s", firstDiff(string(plain), string(got)))
	}
}
