package secrets

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/zricethezav/gitleaks/v8/detect"
)

func TestRuleReach(t *testing.T) {
	for _, tc := range []struct {
		pattern  string
		keywords []string
		want     reach
		ok       bool
		why      string
	}{
		{`\b(ghp_[0-9a-zA-Z]{36})(?:[\x60'"\s;]|\\[nr]|$)`, []string{"ghp_"}, reach{0, 4, 0, 42, 0}, true,
			"keyword literal, then a bounded secret and a break that ends the match (and its line)"},
		{`ghp_[0-9a-z]{4}\s{0,2}`, []string{"ghp_"}, reach{0, 4, 2, 10, 0}, true,
			"breaks that more of the match can follow reach the next lines"},
		{`(?i)[\w.-]{0,50}?(?:key|secret)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|:)[\x60'"\s=]{0,5}([\w.=-]{10,150})`, []string{"key", "secret"},
			reach{0, 150 + 7, 8, 7 + 60 + 3 + 1 + 5 + 450, 0}, true, "case-blind classes hold the 3-byte Kelvin sign"},
		{`(?i)[\w.-]{0,5}key[\s:]{0,3}([a-z0-9]{8,})`, []string{"key"}, reach{0, 15 + 5, 3, 5 + 3, 0}, true,
			"an unbounded secret: bytes bound its start, no line break after"},
		{`(?i)[\s\w]{0,4}token:([a-z]{8})`, []string{"token"}, reach{4, 12 + 8, 0, 8 + 24, 0}, true, "prefix may hold line breaks"},
		{`(?:[Aa]pi|API)_[a-z]{4}`, []string{"api"}, reach{0, 3, 0, 8, 0}, true, "small classes expand"},
		{`-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY-----[\s\S-]{64,}?KEY-----`, []string{"-----begin"}, reach{}, false, "unbounded span"},
		{`(?:^|\s)token[a-z]{8}`, []string{"token"}, reach{}, false, "^ would match at every window start"},
		{`[a-z]{8}secret`, []string{"token"}, reach{}, false, "keyword not in the pattern"},
		{`(?:abc|token)[0-9]{4}`, []string{"token"}, reach{}, false, "an alternative without the keyword"},
		{`\b((?:hvs\.[\w-]{90,120}|s\.(?i:[a-z0-9]{24})))(?:[\x60'"\s;]|\\[nr]|$)`, []string{"hvs.", "s."},
			reach{0, 124, 0, 126, 0}, true, "each branch starts with a keyword, too many matches to list"},
		{`(?:hvs\.[a-z]{9}|x[a-z]+)`, []string{"hvs."}, reach{}, false, "a branch without the keyword"},
		{`token`, nil, reach{}, false, "no keywords"},
		{`tok(en`, []string{"tok"}, reach{}, false, "does not parse"},
	} {
		got, ok := ruleReach(tc.pattern, tc.keywords)
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("%s (%s): got %+v %v, want %+v %v", tc.pattern, tc.why, got, ok, tc.want, tc.ok)
		}
	}
}

func TestWindows(t *testing.T) {
	data := []byte("a\nkey: 1\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nTOKEN\nz")
	lower, ok := lowerASCII(nil, data)
	if !ok {
		t.Fatal("ascii data refused")
	}
	starts := lineStarts(data)
	hits := []int{strings.Index(string(lower), "key"), strings.Index(string(lower), "token")}
	lines := reach{backLines: 1, backBytes: -1, fwdLines: 2, fwdBytes: -1, fwdLinesAfter: -1}
	if got, want := windows(hits, len(data), starts, lines, 0), []span{{0, 3}, {11, 13}}; !slices.Equal(got, want) {
		t.Errorf("line reach: got %v, want %v", got, want)
	}
	if got := windows(hits, len(data), starts, lines, 8); !slices.Equal(got, []span{{0, 13}}) {
		t.Errorf("with a gap: got %v", got)
	}
	// Bytes bound tighter than lines: the match cannot leave the keyword's line.
	bytesToo := reach{backLines: 1, backBytes: 0, fwdLines: 2, fwdBytes: 4, fwdLinesAfter: 0}
	if got, want := windows(hits, len(data), starts, bytesToo, 0), []span{{1, 1}, {12, 12}}; !slices.Equal(got, want) {
		t.Errorf("byte reach: got %v, want %v", got, want)
	}
	if _, ok := lowerASCII(nil, []byte("\u212a")); ok {
		t.Error("the Kelvin sign lower-cases to k: the file must be scanned whole")
	}
}

// TestWindowedScanMatchesGitleaks holds the split scanner to what gitleaks
// finds scanning every file whole: for every default rule, text made to
// match its pattern is planted in files of several shapes.
func TestWindowedScanMatchesGitleaks(t *testing.T) {
	sc, err := newScanner()
	if err != nil {
		t.Fatal(err)
	}
	ref, err := detect.NewDetectorDefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	found := map[string]bool{}
	for id, r := range ref.Config.Rules {
		if r.Regex == nil {
			continue
		}
		re, err := syntax.Parse(r.Regex.String(), syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 4; i++ {
			var sb strings.Builder
			sample(re, rng, &sb)
			s := sb.String()
			if !r.Regex.MatchString(s) {
				continue
			}
			for _, doc := range plant(s, rng) {
				got := hitKeys(sc.scan("x/config.yaml", []byte(doc)))
				want := refKeys(ref, doc)
				if !slices.Equal(got, want) {
					t.Fatalf("rule %s, sample %q:\nwindowed %v\nwhole    %v\ndoc:\n%s", id, s, got, want, doc)
				}
				for _, k := range want {
					found[strings.SplitN(k, "|", 2)[0]] = true
				}
			}
		}
	}
	// A comparison where nothing is found proves nothing.
	if len(found) < 100 {
		t.Fatalf("only %d rules found anything in their own samples", len(found))
	}
}

func FuzzWindowedScan(f *testing.F) {
	f.Add("key: 0123456789abcdefghij\n")
	f.Add("a\nb\n password =\n\n \"hunter2hunter2hunter2\"\n")
	f.Add("ghp_0123456789abcdefghij0123456789abcdef\n")
	f.Add("-----BEGIN RSA PRIVATE KEY-----\n" + strings.Repeat("QUJD", 30) + "\n-----END RSA PRIVATE KEY-----\n")
	f.Add("tok\u212aen: 0123456789abcdefghij\n")
	f.Add("apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata:\n  password: aGVsbG93b3JsZDEyMzQ1Njc4\n")
	f.Add("data:\n  token: c2VjcmV0dmFsdWUxMjM0NTY3OA==\nkind: \"secret\"\n---\nkind: ſecret\n")
	sc, err := newScanner()
	if err != nil {
		f.Fatal(err)
	}
	ref, err := detect.NewDetectorDefaultConfig()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		got := hitKeys(sc.scan("x/config.yaml", []byte(doc)))
		want := refKeys(ref, doc)
		if !slices.Equal(got, want) {
			t.Fatalf("windowed %v\nwhole    %v", got, want)
		}
	})
}

func hitKeys(hits []hit, err error) []string {
	out := []string{}
	for _, h := range hits {
		out = append(out, fmt.Sprintf("%s|%d|%s", h.Rule, h.Line, h.Secret))
	}
	if err != nil {
		out = append(out, "error: "+err.Error())
	}
	slices.Sort(out)
	return out
}

func refKeys(d *detect.Detector, doc string) []string {
	out := []string{}
	//lint:ignore SA1019 the reference is gitleaks' own whole-file scan.
	for _, f := range d.Detect(detect.Fragment{Raw: doc, FilePath: "x/config.yaml"}) {
		out = append(out, fmt.Sprintf("%s|%d|%s", f.RuleID, f.StartLine+1, f.Secret))
	}
	slices.Sort(out)
	return out
}

// plant puts s into documents of several shapes: alone, between lines that
// hold other rules' keywords, at the start and end of a long file.
func plant(s string, rng *rand.Rand) []string {
	filler := func(n int) string {
		var b strings.Builder
		words := []string{"name: web", "key: value", "image: nginx", "secretKeyRef: {name: db}", "port: 8080", "token_path: /var/run", "# comment"}
		for i := 0; i < n; i++ {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteByte('\n')
		}
		return b.String()
	}
	return []string{
		s,
		s + "\n" + filler(30),
		filler(30) + s + "\n" + filler(30),
		filler(60) + s,
		filler(5) + "  password: |\n    " + s + "\n" + filler(5),
	}
}

// sample writes a random string that re may match (the caller checks): the
// shortest repetitions, one alternative at random, ASCII where a class allows.
func sample(re *syntax.Regexp, rng *rand.Rand, sb *strings.Builder) {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && rng.IntN(2) == 0 {
				r = unicode.ToUpper(r)
			}
			sb.WriteRune(r)
		}
	case syntax.OpCharClass:
		var ascii []rune
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1] && r < 127; r++ {
				if r >= ' ' || r == '\n' || r == '\t' {
					ascii = append(ascii, r)
				}
			}
		}
		if len(ascii) > 0 {
			sb.WriteRune(ascii[rng.IntN(len(ascii))])
		} else if len(re.Rune) > 0 {
			sb.WriteRune(re.Rune[0])
		}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		sb.WriteByte('x')
	case syntax.OpCapture:
		sample(re.Sub[0], rng, sb)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			sample(s, rng, sb)
		}
	case syntax.OpAlternate:
		sample(re.Sub[rng.IntN(len(re.Sub))], rng, sb)
	case syntax.OpQuest:
		if rng.IntN(2) == 0 {
			sample(re.Sub[0], rng, sb)
		}
	case syntax.OpStar, syntax.OpPlus, syntax.OpRepeat:
		lo, hi := 0, 3
		switch re.Op {
		case syntax.OpPlus:
			lo = 1
		case syntax.OpRepeat:
			lo, hi = re.Min, re.Max
			if hi < 0 {
				hi = lo + 3
			}
		}
		n := lo
		if hi > lo {
			n += rng.IntN(min(hi-lo, 4) + 1)
		}
		for i := 0; i < n; i++ {
			sample(re.Sub[0], rng, sb)
		}
	}
}

func TestExistence(t *testing.T) {
	for _, tc := range []struct {
		pattern  string
		keywords []string
		cheaper  bool // a shorter pattern is given
		texts    []string
	}{
		{`(?i)[\w.-]{0,50}?(?:key|token)[ \t]{0,3}[:=][ \t]*([a-z0-9]{10,})`, []string{"key", "token"}, true,
			[]string{"my_api_key = abcdefghij12", "token:short", "KEY=0123456789", "x"}},
		{`\b(?:key|token)=[a-z]{10}`, []string{"key", "token"}, false, nil},
		{`[a-z]+key=[a-z]{10}`, []string{"key"}, false, nil},
		{`key=[a-z]{10}`, []string{"key"}, false, nil},
	} {
		got := existence(tc.pattern, tc.keywords)
		if (got != "") != tc.cheaper {
			t.Errorf("%s: got %q, want a shorter pattern: %v", tc.pattern, got, tc.cheaper)
			continue
		}
		if got == "" {
			continue
		}
		if strings.Contains(got, "{0,50}") {
			t.Errorf("%s: %q still holds the prefix", tc.pattern, got)
		}
		full, short := regexp.MustCompile(tc.pattern), regexp.MustCompile(got)
		for _, s := range tc.texts {
			if full.MatchString(s) != short.MatchString(s) {
				t.Errorf("%s on %q: whole %v, from the keyword %v", tc.pattern, s, full.MatchString(s), short.MatchString(s))
			}
		}
	}
}

func TestGateOf(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		anchors []string
		ok      bool
		why     string
	}{
		{`(?i)(?:\bkind:[ \t]*["']?\bsecret\b(?s:.){0,200}?\bdata:\s+([a-z0-9]{10,})|\bdata:\s+([a-z0-9]{10,})(?s:.){0,200}?\bkind:[ \t]*\bsecret\b)`,
			[]string{"kind:"}, true, "each branch's run with the most literal text"},
		{`(?i)token(?s:.){0,100}[a-z0-9]{20}`, []string{"token"}, true, "a literal run before a costly span"},
		{`[a-z]{3}secret(?s:.){0,50}x`, []string{"secret"}, true, "a bounded repetition ends a run"},
		{`[a-z]+secret(?s:.){0,50}x`, nil, false, "the run starts with a class, not its anchor"},
		{`(?s:.){0,50}(?:ab|cd)`, nil, false, "no literal of three characters"},
		{`(?m)^password=(?s:.){0,9}`, []string{"password="}, true, "a line anchor stays out of the gate"},
		{`(?:abcdef(?s:.){0,9}|[0-9]+)`, nil, false, "a branch without a run"},
	} {
		g, ok := gateOf(tc.pattern)
		if ok != tc.ok || ok && !slices.Equal(g.anchors, tc.anchors) {
			t.Errorf("%s (%s): got %+v %v, want anchors %v %v", tc.pattern, tc.why, g, ok, tc.anchors, tc.ok)
		}
	}
}
