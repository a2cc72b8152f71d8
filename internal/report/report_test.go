package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/net/html"

	"golive.dev/golive/internal/verdict"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current output")

func render(t *testing.T, format string, r *verdict.Report, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, format, r, opts); err != nil {
		t.Fatalf("Write(%s): %v", format, err)
	}
	return buf.Bytes()
}

var goldens = []struct {
	file   string
	format string
	opts   Options
}{
	{"report.txt", "text", Options{}},
	{"report-verbose.txt", "text", Options{Verbose: true}},
	{"report-color.txt", "text", Options{Color: true}},
	{"report.json", "json", Options{}},
	{"report.sarif", "sarif", Options{}},
	{"report-unverified.sarif", "sarif", Options{SARIFUnverified: true}},
	{"report.xml", "junit", Options{}},
	{"report.md", "markdown", Options{}},
	{"report.html", "html", Options{}},
}

func TestGolden(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.file, func(t *testing.T) {
			got := render(t, g.format, fixture(), g.opts)
			path := filepath.Join("testdata", "golden", g.file)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file; run go test ./internal/report -update and review the diff\n%s", path, firstDiff(string(want), string(got)))
			}
		})
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n want: " + w + "\n  got: " + g
		}
	}
	return ""
}

// Rendering twice, and from a report whose maps were built in another
// order, gives the same bytes.
func TestDeterministic(t *testing.T) {
	for _, f := range Formats {
		a := render(t, f, fixture(), Options{Verbose: true})
		for i := 0; i < 5; i++ {
			if b := render(t, f, fixture(), Options{Verbose: true}); !bytes.Equal(a, b) {
				t.Fatalf("%s: output differs between runs", f)
			}
		}
	}
}

// The writers must not touch the caller's report: the engine may render it
// several times, and the masked copy must not leak back into the store.
func TestWriteDoesNotMutate(t *testing.T) {
	r := fixture()
	before, _ := json.Marshal(r)
	for _, f := range Formats {
		render(t, f, r, Options{Verbose: true, SARIFUnverified: true})
	}
	after, _ := json.Marshal(r)
	if !bytes.Equal(before, after) {
		t.Fatal("Write modified the report it was given")
	}
}

func TestNoSecretInAnyFormat(t *testing.T) {
	secrets := []string{"hunter22", "eyJhbGciOiJIUzI1NiJ9", "sid=abcdef123456", "abc123xyz", "sk_live_51Habc", "s3cretpw",
		"msgpw12345", "msgtoken999"}
	r := fixture()
	// A check that puts credentials in a message: the messages pass through
	// the masking too.
	it := &r.Packs[0].Items[0]
	it.Findings = append(it.Findings, verdict.Finding{Check: "http/request", Status: verdict.Fail,
		Message: "GET https://bob:msgpw12345@api.example.com/x answered 500 (sent Authorization: Bearer msgtoken999)"})
	it.Message = "see https://bob:msgpw12345@api.example.com/x"
	for _, f := range Formats {
		for _, opts := range []Options{{}, {Verbose: true, SARIFUnverified: true}} {
			out := string(render(t, f, r, opts))
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("%s (verbose=%v): output contains secret %q", f, opts.Verbose, s)
				}
			}
		}
	}
}

func TestFormats(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "pdf", fixture(), Options{}); err == nil || !strings.Contains(err.Error(), "text, json, sarif") {
		t.Errorf("unknown format: err = %v, want the list of formats", err)
	}
	if err := Write(&buf, "json", nil, Options{}); err == nil {
		t.Error("nil report: want an error")
	}
	for in, want := range map[string]string{"": "text", "MD": "markdown", "xml": "junit", " sarif ": "sarif", "html": "html"} {
		if got, ok := Normalize(in); !ok || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if Extension("junit") != ".xml" || Extension("md") != ".md" || Extension("text") != ".txt" {
		t.Error("Extension: wrong extension")
	}
	// A failing writer is reported, and nothing is written before the
	// document is complete.
	if err := Write(failWriter{}, "text", fixture(), Options{}); err == nil || !strings.Contains(err.Error(), "write text") {
		t.Errorf("failing writer: err = %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// An empty report (no packs) renders in every format and stays valid.
func TestEmptyReport(t *testing.T) {
	r := &verdict.Report{SchemaVersion: verdict.SchemaVersion, Tool: verdict.Tool{Name: "golive", Version: "dev"}, Gate: verdict.Gate{Passed: true, FailOn: verdict.Critical}}
	for _, f := range Formats {
		if len(render(t, f, r, Options{})) == 0 {
			t.Errorf("%s: empty output", f)
		}
	}
	validateJSON(t, loadSchema(t, repoPath(t, "docs/report.schema.json")), render(t, "json", r, Options{}))
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

func repoPath(t *testing.T, rel string) string { return filepath.Join(repoRoot(t), rel) }

func loadSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile(path)
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	return sch
}

func validateJSON(t *testing.T, sch *jsonschema.Schema, doc []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if err := sch.Validate(v); err != nil {
		t.Fatalf("output does not match the schema:\n%v", err)
	}
}

func TestJSONMatchesSchema(t *testing.T) {
	sch := loadSchema(t, repoPath(t, "docs/report.schema.json"))
	validateJSON(t, sch, render(t, "json", fixture(), Options{}))
	golden, err := os.ReadFile(filepath.Join("testdata", "golden", "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	validateJSON(t, sch, golden)

	// The schema is strict: a field the contract does not define is refused.
	var doc map[string]any
	_ = json.Unmarshal(golden, &doc)
	doc["surprise"] = true
	b, _ := json.Marshal(doc)
	v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if sch.Validate(v) == nil {
		t.Error("schema accepted an unknown top-level field")
	}
}

// The JSON round-trips into verdict.Report: the contract is the struct.
func TestJSONRoundTrip(t *testing.T) {
	out := render(t, "json", fixture(), Options{})
	var back verdict.Report
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	if back.Packs[0].Items[0].Findings[0].Line != 14 || back.Gate.FailOn != verdict.Critical {
		t.Errorf("round trip lost data: %+v", back.Gate)
	}
}

// Every field of verdict.Report's JSON encoding is described in the schema,
// and every field that is always written is required there, so the schema
// cannot drift from the Go types.
func TestSchemaCoversContract(t *testing.T) {
	raw, err := os.ReadFile(repoPath(t, "docs/report.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	defs, _ := schema["$defs"].(map[string]any)
	resolve := func(node map[string]any) map[string]any {
		for {
			ref, ok := node["$ref"].(string)
			if !ok {
				return node
			}
			name := strings.TrimPrefix(ref, "#/$defs/")
			next, ok := defs[name].(map[string]any)
			if !ok {
				t.Fatalf("schema: unresolved $ref %s", ref)
			}
			node = next
		}
	}
	seen := map[reflect.Type]bool{}
	var walk func(typ reflect.Type, node map[string]any, path string)
	walk = func(typ reflect.Type, node map[string]any, path string) {
		node = resolve(node)
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		switch typ.Kind() {
		case reflect.Slice:
			items, ok := node["items"].(map[string]any)
			if !ok {
				t.Errorf("schema %s: array without items", path)
				return
			}
			walk(typ.Elem(), items, path+"[]")
			return
		case reflect.Map:
			return
		case reflect.Struct:
		default:
			return
		}
		if typ.PkgPath() == "time" || seen[typ] {
			return
		}
		seen[typ] = true
		props, _ := node["properties"].(map[string]any)
		if props == nil {
			t.Errorf("schema %s (%s): no properties", path, typ)
			return
		}
		if node["additionalProperties"] != false {
			t.Errorf("schema %s: additionalProperties should be false so the contract is closed", path)
		}
		required := map[string]bool{}
		if req, ok := node["required"].([]any); ok {
			for _, r := range req {
				required[r.(string)] = true
			}
		}
		fields := map[string]bool{}
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" || !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if name == "" {
				name = f.Name
			}
			fields[name] = true
			sub, ok := props[name].(map[string]any)
			if !ok {
				t.Errorf("schema %s: field %q of %s is not described", path, name, typ)
				continue
			}
			omit := strings.Contains(opts, "omitempty")
			if !omit && !required[name] {
				t.Errorf("schema %s: %q is always written, so it should be required", path, name)
			}
			if omit && required[name] {
				t.Errorf("schema %s: %q is omitempty in Go but required in the schema", path, name)
			}
			walk(f.Type, sub, path+"."+name)
		}
		for name := range props {
			if !fields[name] {
				t.Errorf("schema %s: describes %q, which %s does not have", path, name, typ)
			}
		}
	}
	walk(reflect.TypeOf(verdict.Report{}), schema, "$")
}

func TestSARIFValid(t *testing.T) {
	path := filepath.Join(repoRoot(t), "..", "shared", "schemas", "sarif-schema-2.1.0.json")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("SARIF 2.1.0 schema not found at %s (it lives beside the repository, in ../shared/schemas): %v", path, err)
	}
	sch := loadSchema(t, path)
	for _, opts := range []Options{{}, {SARIFUnverified: true}} {
		out := render(t, "sarif", fixture(), opts)
		validateJSON(t, sch, out)
		var doc any
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatal(err)
		}
		noEmpty(t, doc, "$")
	}
	empty := &verdict.Report{Tool: verdict.Tool{Name: "golive"}}
	validateJSON(t, sch, render(t, "sarif", empty, Options{}))
}

// noEmpty fails on "" values, [] arrays, {} objects and zero line numbers
// anywhere in a SARIF document, except the rules array which may be empty
// when no pack has items.
func noEmpty(t *testing.T, v any, path string) {
	t.Helper()
	switch x := v.(type) {
	case string:
		if x == "" {
			t.Errorf("SARIF %s: empty string", path)
		}
	case []any:
		if len(x) == 0 {
			t.Errorf("SARIF %s: empty array", path)
		}
		for i, e := range x {
			noEmpty(t, e, path+"["+strconv.Itoa(i)+"]")
		}
	case map[string]any:
		if len(x) == 0 {
			t.Errorf("SARIF %s: empty object", path)
		}
		for k, e := range x {
			if (k == "startLine" || k == "endLine") && e == float64(0) {
				t.Errorf("SARIF %s.%s: zero line", path, k)
			}
			noEmpty(t, e, path+"."+k)
		}
	}
}

func TestSARIFContent(t *testing.T) {
	var doc struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string         `json:"id"`
						Help       map[string]any `json:"help"`
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region *struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(render(t, "sarif", fixture(), Options{}), &doc); err != nil {
		t.Fatal(err)
	}
	run := doc.Runs[0]
	if n := len(run.Tool.Driver.Rules); n != 14 {
		t.Errorf("rules = %d, want one per item (14)", n)
	}
	// Fail and error findings only: tls (1), secrets (2), health (1), ci (1).
	if n := len(run.Results); n != 5 {
		t.Errorf("results = %d, want 5", n)
	}
	for _, res := range run.Results {
		if run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s: ruleIndex %d points at %s", res.RuleID, res.RuleIndex, run.Tool.Driver.Rules[res.RuleIndex].ID)
		}
	}
	first := run.Results[0]
	if first.RuleID != "default/security/tls-ingress" || first.Level != "error" {
		t.Errorf("first result = %s %s", first.RuleID, first.Level)
	}
	pl := first.Locations[0].PhysicalLocation
	if pl == nil || pl.ArtifactLocation.URI != "deploy/ingress.yaml" || pl.Region == nil || pl.Region.StartLine != 14 {
		t.Errorf("first result location = %+v", pl)
	}
	// GitHub code scanning rejects the whole file when one result lacks
	// physicalLocation.artifactLocation.uri (its rule GH1001).
	for i, res := range run.Results {
		if len(res.Locations) == 0 || res.Locations[0].PhysicalLocation == nil || res.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" {
			t.Errorf("result %d (%s) has no artifact location", i, res.RuleID)
		}
	}
	if u := run.Results[3].Locations[0].PhysicalLocation.ArtifactLocation.URI; u != DefaultSARIFAnchor {
		t.Errorf("endpoint-only result anchored at %q, want %q", u, DefaultSARIFAnchor)
	}
	spaced := run.Results[2].Locations[0].PhysicalLocation
	if spaced == nil || spaced.ArtifactLocation.URI != "docs/setup%20notes.md" {
		t.Errorf("a path with a space must be percent-encoded: %+v", spaced)
	}
}

func TestSARIFAnchorOption(t *testing.T) {
	out := string(render(t, "sarif", fixture(), Options{SARIFAnchor: "packs/shop.yaml"}))
	if !strings.Contains(out, `"uri": "packs/shop.yaml"`) || strings.Contains(out, DefaultSARIFAnchor) {
		t.Error("SARIFAnchor not used for results without a file")
	}
}

func TestRepoURI(t *testing.T) {
	root := t.TempDir()
	cases := []struct {
		file  string
		roots []string
		want  string
	}{
		{"deploy/app.yaml", nil, "deploy/app.yaml"},
		{"./deploy/app.yaml", nil, "deploy/app.yaml"},
		{filepath.Join(root, "charts", "a b.yaml"), []string{root}, "charts/a%20b.yaml"},
		{"weird:name.yaml", nil, "./weird:name.yaml"},
		{"100%.txt", nil, "100%25.txt"},
	}
	for _, c := range cases {
		if got := repoURI(c.file, c.roots); got != c.want {
			t.Errorf("repoURI(%q) = %q, want %q", c.file, got, c.want)
		}
	}
}

func TestJUnitWellFormed(t *testing.T) {
	out := render(t, "junit", fixture(), Options{})
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("junit is not well-formed XML: %v", err)
	}
	// Parse every token too: Unmarshal stops at the first element it maps.
	dec := xml.NewDecoder(bytes.NewReader(out))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("junit token: %v", err)
		}
	}
	if doc.Tests != 14 || doc.Failures != 3 || doc.Errors != 1 || doc.Skipped != 6 {
		t.Errorf("junit totals tests=%d failures=%d errors=%d skipped=%d, want 14 3 1 6", doc.Tests, doc.Failures, doc.Errors, doc.Skipped)
	}
	if len(doc.Suites) != 6 {
		t.Errorf("suites = %d, want one per category (6)", len(doc.Suites))
	}
}

func TestHTMLSelfContained(t *testing.T) {
	out := string(render(t, "html", fixture(), Options{}))
	lower := strings.ToLower(out)
	for _, bad := range []string{"<link", "<script src", "<img", "@import", "url(", `src="http`, `href="http`, "<iframe"} {
		if strings.Contains(lower, bad) {
			t.Errorf("html is not self-contained: contains %q", bad)
		}
	}
	if strings.Count(lower, "<script") != 1 {
		t.Errorf("html has %d script tags, want only its own", strings.Count(lower, "<script"))
	}
	// The page parses, and every item is a <details> carrying the data the
	// filters read.
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	items := 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "details" {
			attrs := map[string]string{}
			for _, a := range n.Attr {
				attrs[a.Key] = a.Val
			}
			if attrs["class"] == "item" {
				items++
				if !verdict.Status(attrs["data-status"]).Valid() || attrs["data-priority"] == "" || attrs["data-category"] == "" {
					t.Errorf("item without filter data: %v", attrs)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if items != 14 {
		t.Errorf("html has %d items, want 14", items)
	}
	for _, want := range []string{`name="status"`, `name="priority"`, `name="category"`, "<details", "Content-Security-Policy"} {
		if !strings.Contains(out, want) {
			t.Errorf("html lacks %s", want)
		}
	}
}
