package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golive.dev/golive/internal/verdict"
)

// Mask replaces a credential's value in every output.
const Mask = "********"

// secretWords are words that, found in an evidence key, mark its value as a
// credential. Keys are split into words first so that "max_tokens" or
// "tokenizer" stay readable while "access_token" and "X-Auth-Token" do not.
var secretWords = map[string]bool{
	"token": true, "password": true, "passwd": true, "pwd": true, "passphrase": true,
	"secret": true, "secrets": true, "passwords": true, "authorization": true, "cookie": true, "apikey": true,
	"credential": true, "credentials": true, "privatekey": true, "bearer": true,
	"dsn": true, "sig": true, "signature": true,
}

// secretPairs are two-word names that mean a credential together.
var secretPairs = map[[2]string]bool{
	{"api", "key"}: true, {"private", "key"}: true, {"access", "key"}: true,
	{"secret", "key"}: true, {"client", "secret"}: true, {"set", "cookie"}: true,
	{"session", "id"}: true,
}

// keyWords splits a key on punctuation and camelCase: "X-Api-Key" and
// "xApiKey" both give [x api key].
func keyWords(key string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(key)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1]))):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return words
}

// secretKey reports whether an evidence key names a credential.
func secretKey(key string) bool {
	words := keyWords(key)
	for i, w := range words {
		if secretWords[w] {
			return true
		}
		if i+1 < len(words) && secretPairs[[2]string{w, words[i+1]}] {
			return true
		}
	}
	// Run-together spellings ("apikey", "privatekey", "clientsecret").
	joined := strings.Join(words, "")
	for _, s := range []string{"apikey", "privatekey", "accesskey", "clientsecret", "password", "secret", "token"} {
		if strings.HasSuffix(joined, s) {
			return true
		}
	}
	return false
}

// inlineSecretRE finds credentials carried inside ordinary strings: an
// Authorization header value, or user:password in a URL. A scheme's value
// must hold a digit or token punctuation so prose ("Bearer authentication")
// is left alone.
var inlineSecretRE = regexp.MustCompile(`(?i)\b(bearer|basic)\s+[a-z0-9._~+/=-]*[0-9._~+/=-][a-z0-9._~+/=-]*|://[^/\s:@]+:[^/\s@]+@`)

func maskInline(s string) string {
	return inlineSecretRE.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasPrefix(m, "://") {
			user := m[3 : strings.Index(m[3:], ":")+3]
			return "://" + user + ":" + Mask + "@"
		}
		sp := strings.IndexFunc(m, unicode.IsSpace)
		if len(strings.TrimSpace(m[sp:])) < 8 {
			return m
		}
		return m[:sp+1] + Mask
	})
}

// maskValue returns v with every credential masked. v can hold anything a
// check put there (maps, slices, structs, numbers); values that are not plain
// JSON are first turned into JSON so that their fields are seen too.
func maskValue(v any, secret bool) any {
	switch t := v.(type) {
	case nil:
		return nil
	case string:
		if secret {
			if t == "" {
				return t
			}
			return Mask
		}
		return maskInline(t)
	case bool:
		return t
	case json.Number, float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		if secret {
			return Mask
		}
		return t
	case map[string]any:
		out := make(map[string]any, len(t))
		// A header list like [{name: Authorization, value: ...}] hides the
		// credential's name in a sibling field.
		namedSecret := false
		for _, k := range []string{"name", "key", "header"} {
			if n, ok := t[k].(string); ok && secretKey(n) {
				namedSecret = true
			}
		}
		for k, val := range t {
			s := secret || secretKey(k) || (namedSecret && (k == "value" || k == "values"))
			out[k] = maskValue(val, s)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = maskValue(val, secret)
		}
		return out
	case []string:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = maskValue(val, secret)
		}
		return out
	case map[string]string:
		out := make(map[string]any, len(t))
		for k, val := range t {
			out[k] = maskValue(val, secret || secretKey(k))
		}
		return out
	}
	// Anything else (a struct, a typed map or slice, a Duration): go through
	// JSON so nested fields are masked like plain ones.
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		if secret {
			return Mask
		}
		return maskInline(fmt.Sprintf("%v", v))
	}
	var plain any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&plain); err != nil {
		return Mask
	}
	return maskValue(plain, secret)
}

// maskEvidence returns a masked copy of an evidence map.
func maskEvidence(ev map[string]any) map[string]any {
	if ev == nil {
		return nil
	}
	m, _ := maskValue(ev, false).(map[string]any)
	return m
}

// sanitize returns a deep copy of r whose finding evidence is masked. The
// caller's report is never modified.
func sanitize(r *verdict.Report) *verdict.Report {
	c := *r
	c.Inputs.Paths = slices.Clone(r.Inputs.Paths)
	c.Inputs.Packs = slices.Clone(r.Inputs.Packs)
	c.Inputs.Targets = slices.Clone(r.Inputs.Targets)
	c.Inputs.Prometheus = maskInline(r.Inputs.Prometheus)
	c.Inputs.Database = maskInline(r.Inputs.Database)
	for i, t := range c.Inputs.Targets {
		c.Inputs.Targets[i] = maskInline(t)
	}
	if r.Inputs.Other != nil {
		c.Inputs.Other = make(map[string]string, len(r.Inputs.Other))
		for k, v := range r.Inputs.Other {
			if secretKey(k) && v != "" {
				v = Mask
			}
			c.Inputs.Other[k] = maskInline(v)
		}
	}
	c.Gate.Reasons = orEmpty(slices.Clone(r.Gate.Reasons))
	c.Inputs.Paths = orEmpty(c.Inputs.Paths)
	c.Inputs.Packs = orEmpty(c.Inputs.Packs)
	c.Expired = slices.Clone(r.Expired)
	c.Problems = slices.Clone(r.Problems)
	// Arrays and maps the contract requires are written as [] and {}, never
	// null, whoever built the report.
	c.Packs = make([]verdict.PackResult, len(r.Packs))
	for i, p := range r.Packs {
		p.Counts = orEmptyMap(maps.Clone(p.Counts))
		cats := make([]verdict.CategoryResult, len(p.Categories))
		for j, cat := range p.Categories {
			cat.Counts = orEmptyMap(maps.Clone(cat.Counts))
			cats[j] = cat
		}
		if p.Categories != nil {
			p.Categories = cats
		}
		items := make([]verdict.ItemResult, len(p.Items))
		for j, it := range p.Items {
			it.Refs = orEmpty(slices.Clone(it.Refs))
			it.Checks = orEmpty(slices.Clone(it.Checks))
			if it.Attestation != nil {
				a := *it.Attestation
				it.Attestation = &a
			}
			fs := make([]verdict.Finding, len(it.Findings))
			for k, f := range it.Findings {
				f.Evidence = maskEvidence(f.Evidence)
				f.Endpoint = maskInline(f.Endpoint)
				if f.Waiver != nil {
					w := *f.Waiver
					f.Waiver = &w
				}
				fs[k] = f
			}
			it.Findings = fs
			items[j] = it
		}
		p.Items = items
		c.Packs[i] = p
	}
	return &c
}

// evidenceJSON renders a value as JSON with sorted keys and without HTML
// escaping (each format escapes for itself). indent "" gives one line.
func evidenceJSON(v any, indent string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%q", fmt.Sprint(v))
	}
	return strings.TrimRight(buf.String(), "\n")
}

// evidenceKeys returns the keys of an evidence map in sorted order.
func evidenceKeys(ev map[string]any) []string {
	return slices.Sorted(maps.Keys(ev))
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func orEmptyMap(m map[verdict.Status]int) map[verdict.Status]int {
	if m == nil {
		return map[verdict.Status]int{}
	}
	return m
}
