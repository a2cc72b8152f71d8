package repo

import (
	"bytes"
	"fmt"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"golive.dev/golive/packs"
)

// memFile is an indexed file whose content is already loaded.
func memFile(path string, data []byte) *File {
	f := &File{Root: ".", Rel: path, Path: path}
	f.once.Do(func() {
		f.data = data
		f.loaded.Store(true)
	})
	return f
}

// trickyPatterns are the shapes a prefilter gets wrong first; packPatterns
// adds every pattern the built-in packs use.
var trickyPatterns = []string{
	`(?i)(log_level|loglevel)`,
	`(?i)\bjson\b.*log`,
	`(?i)(helm\s+rollback|rollout\s+undo)`,
	`(?i)severity\s*(=~?|:)\s*\"?[^\"\n]*(critical|warning)`,
	`(?i)(launchdarkly|unleash|flagsmith|growthbook|openfeature|split\.io|configcat|flipt|feature[_-]?flags?)`,
	`(?is)stag(e|ing)\b.*prod`,
	`(?i)(schedule|cron)|`, // an empty branch matches everywhere
	`|foo`,
	`(foo|)bar`,
	`a*`,
	`a+`,
	`(abc)+`,
	`(abc)*x`,
	`(abc){2,3}`,
	`(abc){0,3}yz`,
	`x{3}`,
	`(?i)K`,
	`(?i)k8s`,
	`(?i)kube`,
	`(?i)KUBE`,
	`(?i)sec`,
	`(?i)[ks]ube`,
	`(?i)[k-m]ube`,
	`[Kk]ube`,
	`\x{212A}ube`,
	`(?i)\x{212A}ube`,
	`(?i)\x{17F}ecret`,
	`\bfoo\b`,
	`(?i)\bfoo\b`,
	`\Bfoo`,
	`[abc]de`,
	`[a-z]de`,
	`[^a]bc`,
	`(?s)a.*b`,
	`(?s)ab.*cd`,
	`a.b`,
	`a.*?bc`,
	`(?U)ab+c`,
	`^foo`,
	`(?m)^foo$`,
	`^$`,
	`\Abar\z`,
	`foo$`,
	`café`,
	`(?i)café`,
	`(?i)CAFÉ`,
	`naïve|plain`,
	`日本語`,
	`\pL+ing`,
	`\p{Greek}+`,
	`(?i)σίγμα`,
	`\x{FFFD}ab`,
	`[^\x00-\x{10FFFF}]`,
	`a[^\x00-\x{10FFFF}]bc|de`,
	`\Q.*\E`,
	`(?i)a\.b`,
	`(?i)(e2e|end-to-end|playwright|cypress|acceptance)`,
	`(?i)passw(or)?d`,
	`(?i)api[_-]?key`,
	`(a|b)(c|d)(e|f)(g|h)(i|j)(k|l)`,
	`(ab|cd|ef|gh|ij|kl)(mn|op|qr|st|uv|wx)(yz|AB)`,
	`(?i)(aa|bb|cc|dd|ee|ff|gg|hh|ii|jj|kk|ll|mm|nn|oo|pp|qq|rr|ss|tt|uu|vv|ww|xx|yy|zz|a1|a2|a3|a4|a5|a6|a7|a8)`,
	`[\"'](/api)?/v[0-9]+/`,
	`rate\(`,
	`(?m)(==|\bversion\b|\bh1:|integrity|checksum|resolved)`,
}

// packPatterns returns every pattern, patterns and contains parameter of
// the built-in packs' checks.
func packPatterns(t testing.TB) []string {
	t.Helper()
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if w, ok := v["with"].(map[string]any); ok {
				for _, k := range []string{"pattern", "patterns", "contains"} {
					switch p := w[k].(type) {
					case string:
						out = append(out, p)
					case []any:
						for _, s := range p {
							if s, ok := s.(string); ok {
								out = append(out, s)
							}
						}
					}
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	names, err := fs.Glob(packs.FS, "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		data, err := fs.ReadFile(packs.FS, n)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		walk(doc)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) < 30 {
		t.Fatalf("only %d patterns found in the packs: has their layout changed?", len(out))
	}
	return out
}

var baseContents = []string{
	"",
	"a",
	"ab",
	"kube",
	"KUBE",
	"\u212Aube",              // Kelvin sign: (?i)k matches it
	"\u212ABE \u017Fecret",   // and the long s for (?i)s
	"\u017FEC \u212A8\u017F", // k8s spelled with both
	"LOG_LEVEL: debug",
	"logLevel=info",
	"env:\n  - name: LOG_FORMAT\n    value: json\n  - name: log\n",
	"format: JSON log",
	"helm  rollback svc\n",
	"HELM\tROLLBACK my-release 3",
	"kubectl rollout\nundo",
	"  severity: \"critical\"\n",
	"severity =~ warning",
	"severity: \"info\"\ncritical: x\n",
	"café au lait",
	"CAFÉ",
	"Café",
	"naïve secret token",
	"\xff\xfeab\xffcd",
	"\xef\xbf\xbdab",
	"日本語のテキスト",
	"Σίγμα ΣΊΓΜΑ σίγμα",
	"staging\nthen\nproduction",
	"stage prod",
	"foo",
	"xfoo foox",
	"a foo.",
	"bar",
	"foobar",
	"abcabcabc",
	"abcx",
	"yz",
	"xxx",
	"abde ade cde zde",
	"acegik bdfhjl",
	"a-b a.b A.B",
	"api_key apiKey API-KEY",
	"password passwd PASSWORD",
	`url: "/api/v1/users"`,
	`'/v2/'`,
	"rate(http_requests_total[5m])",
	"version = 1\nh1:abc\n",
	"E2E END-TO-END",
	"feature_flags: {}",
	"FeatureFlag",
	"openfeature",
	"cron: '0 0 * * *'",
	"schedule:",
	"aa bb zz a8",
	"café\u212Aube",
	strings.Repeat("padding line without the words\n", 200) + "KUBE",
}

// contentsFor adds, for each literal of p, content that holds it in several
// cases and with exotic runes standing in for its k and s, so that the
// prefilter's yes path is exercised as much as its no path.
func contentsFor(p *Pattern) []string {
	out := slices.Clone(baseContents)
	for _, set := range p.need {
		for _, l := range set {
			s := string(l.s)
			for _, v := range []string{
				s,
				strings.ToUpper(s),
				strings.ToUpper(s[:1]) + s[1:],
				strings.NewReplacer("k", "\u212A", "s", "\u017F").Replace(s),
				strings.NewReplacer("k", "K", "s", "\u017F").Replace(s),
				s[:len(s)-1],
				s[1:],
			} {
				out = append(out, v, "x "+v+" y", "line\n"+v+"\n"+v+"\nend", "ünïcödé "+v)
			}
		}
	}
	return out
}

// sameAsRegexp fails t unless p finds exactly what its regexp finds in c.
func sameAsRegexp(t *testing.T, p *Pattern, c []byte) {
	t.Helper()
	if got, want := p.FindIndex(c), p.re.FindIndex(c); !reflect.DeepEqual(got, want) {
		t.Fatalf("%q in %q: FindIndex = %v, regexp says %v (literals %s)", p, c, got, want, describe(p))
	}
	if got, want := p.Match(c), p.re.Match(c); got != want {
		t.Fatalf("%q in %q: Match = %v, regexp says %v (literals %s)", p, c, got, want, describe(p))
	}
	lower := bytes.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, c)
	for _, set := range p.need {
		for _, l := range set {
			if got, want := l.in(c), bytes.Contains(lower, l.s); got != want && utf8Valid(c) {
				t.Fatalf("literal %q in %q: %v, want %v", l.s, c, got, want)
			}
		}
	}
}

// utf8Valid guards the literal check above: bytes.Map rewrites invalid
// bytes, so its lowered copy is only comparable for valid UTF-8.
func utf8Valid(b []byte) bool { return bytes.Equal(bytes.ToValidUTF8(b, []byte("?")), b) }

func describe(p *Pattern) string {
	var sets []string
	for _, set := range p.need {
		var ss []string
		for _, l := range set {
			ss = append(ss, string(l.s))
		}
		sets = append(sets, "{"+strings.Join(ss, "|")+"}")
	}
	return strings.Join(sets, " & ") + fmt.Sprintf(" exotic %q", p.exotic)
}

func TestPatternSameAsRegexp(t *testing.T) {
	pats := append(slices.Clone(trickyPatterns), packPatterns(t)...)
	filtered := 0
	for _, expr := range pats {
		p, err := CompilePattern(expr)
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		if len(p.need) > 0 {
			filtered++
		}
		for _, c := range contentsFor(p) {
			sameAsRegexp(t, p, []byte(c))
			f := memFile("f.txt", []byte(c))
			got, gok := GrepFirst(f, p)
			want, wok := grepFirstRegexp(f, p)
			if gok != wok || got != want {
				t.Fatalf("%q in %q: GrepFirst = %+v %v, regexp gives %+v %v", expr, c, got, gok, want, wok)
			}
		}
	}
	// Most patterns have words in them; a prefilter that gave up on them
	// all would pass the checks above and help nothing.
	if filtered < len(pats)*2/3 {
		t.Errorf("only %d of %d patterns have a prefilter", filtered, len(pats))
	}
}

// grepFirstRegexp is GrepFirst without the prefilter.
func grepFirstRegexp(f *File, p *Pattern) (Match, bool) {
	return GrepFirst(f, &Pattern{re: p.re})
}

func TestPatternLiterals(t *testing.T) {
	for _, tc := range []struct {
		expr   string
		want   string // describe's rendering of the prefilter
		exotic []string
	}{
		{`(?i)(log_level|loglevel)`, `{log_level|loglevel}`, nil},
		{`(?i)\bjson\b.*log`, `{json} & {log}`, []string{"\u017F"}},
		{`(?i)(helm\s+rollback|rollout\s+undo)`, `{rollback|rollout}`, []string{"\u212A"}},
		{`(?i)helm\s+rollback`, `{rollback} & {helm}`, []string{"\u212A"}},
		{`(?i)severity\s*(=~?|:)\s*\"?[^\"\n]*(critical|warning)`, `{severity} & {critical|warning}`, []string{"\u017F"}},
		{`(?i)(passw(or)?d|token)`, `{passwd|password|token}`, []string{"\u212A", "\u017F"}},
		{`(?i)feature[_-]?flags?`, `{feature-flag|feature_flag|featureflag}`, []string{"\u017F"}},
		{`[\"'](/api)?/v[0-9]+/`, `{"/api/v|"/v|'/api/v|'/v}`, nil},
		{`(?i)[ks]ube`, `{kube|sube}`, []string{"\u017F", "\u212A"}},
		{`(?i)kube`, `{kube}`, []string{"\u212A"}},
		{`[Kk]ube`, `{kube}`, nil},
		{`café`, `{caf}`, nil},
		{`(?i)k`, ``, nil},
		{`a*`, ``, nil},
		{`(?s)a.*b`, ``, nil},
		{`foo|`, ``, nil},
		{`(foo|)bar`, `{bar}`, nil},
		{`(abc)*x`, ``, nil},
		{`(abc)+`, `{abc}`, nil},
		{`\x{212A}ube`, `{ube}`, nil},
		{`日本語`, ``, nil},
		{`[a-z]de`, `{de}`, nil},
		{`^foo$`, `{foo}`, nil},
	} {
		p := MustCompilePattern(tc.expr)
		got := ""
		if len(p.need) > 0 {
			got = strings.SplitN(describe(p), " exotic", 2)[0]
		}
		if got != tc.want {
			t.Errorf("%q: literals %s, want %s", tc.expr, got, tc.want)
		}
		var exotic []string
		for _, x := range p.exotic {
			exotic = append(exotic, string(x))
		}
		slices.Sort(exotic)
		slices.Sort(tc.exotic)
		if !slices.Equal(exotic, tc.exotic) {
			t.Errorf("%q: exotic %q, want %q", tc.expr, exotic, tc.exotic)
		}
	}
}

func TestCompilePatternError(t *testing.T) {
	if _, err := CompilePattern(`(unclosed`); err == nil || !strings.Contains(err.Error(), "missing closing )") {
		t.Errorf("err = %v", err)
	}
}

func FuzzPrefilter(f *testing.F) {
	for i, expr := range trickyPatterns {
		f.Add(expr, baseContents[i%len(baseContents)])
	}
	f.Add(`(?i)kube`, "\u212Aube")
	f.Add(`(?i)sec`, "\u017FEC")
	f.Add(`(?i)(log_level|loglevel)`, "LogLevel")
	f.Fuzz(func(t *testing.T, expr, content string) {
		p, err := CompilePattern(expr)
		if err != nil {
			t.Skip()
		}
		sameAsRegexp(t, p, []byte(content))
		// Random content rarely holds a literal: try it with each one
		// spliced in as well.
		for _, set := range p.need {
			for _, l := range set {
				mid := len(content) / 2
				sameAsRegexp(t, p, []byte(content[:mid]+strings.ToUpper(string(l.s))+content[mid:]))
			}
		}
	})
}
