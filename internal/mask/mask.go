// Package mask holds golive's one rule set for keeping credentials out of
// output: which names mark a value as a credential (evidence keys, HTTP
// headers, query parameters, config paths, DSN keys), what a masked value
// looks like, and how URLs and free text are cleaned. Every place that prints
// something a secret could hide in goes through here, so a rule fixed once is
// fixed everywhere.
//
// It imports nothing from golive: sources, checks and report writers all
// depend on it.
package mask

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
)

// Redacted stands for a credential's value in every output. It carries
// neither the value's length nor any of its characters: a prefix or a length
// narrows a guess, and the rule name or key already says what kind of secret
// it was.
const Redacted = "********"

// Value masks a credential's value. An empty value stays empty: "the token is
// not set" is worth reading and gives nothing away.
func Value(v string) string {
	if v == "" {
		return v
	}
	return Redacted
}

// secretWords mark a name as a credential wherever they stand in it.
// Names are compared word by word so that counts ("max_tokens") and tools
// ("tokenizer") stay readable while "access_token" and "X-Auth-Token" do not.
var secretWords = map[string]bool{
	"token": true, "password": true, "passwords": true, "passwd": true, "pwd": true,
	"passphrase": true, "secret": true, "secrets": true, "authorization": true,
	"cookie": true, "apikey": true, "credential": true, "credentials": true,
	"privatekey": true, "bearer": true, "dsn": true, "sig": true, "signature": true,
}

// lastWords mark a credential only as the name's last word: "tls.key",
// "DB_PASS", "X-Auth" and "session" hold the secret itself, while "keyFile",
// "pass_through", "auth_method" and "session_timeout" describe something else.
var lastWords = map[string]bool{"key": true, "pass": true, "auth": true, "session": true}

// secretPairs are two adjacent words that mean a credential together.
// "tokens" alone is left out because it is mostly a count (prompt_tokens);
// qualified, it is a list of credentials.
var secretPairs = map[[2]string]bool{
	{"api", "key"}: true, {"private", "key"}: true, {"access", "key"}: true,
	{"secret", "key"}: true, {"auth", "key"}: true, {"signing", "key"}: true,
	{"session", "key"}: true, {"client", "secret"}: true, {"set", "cookie"}: true,
	{"session", "id"}: true, {"connection", "string"}: true,
	{"access", "tokens"}: true, {"refresh", "tokens"}: true, {"api", "tokens"}: true,
	{"auth", "tokens"}: true, {"bearer", "tokens"}: true, {"session", "tokens"}: true,
}

// secretSuffixes catch run-together spellings ("dbpassword", "clientsecret",
// "SIGNINGKEY") that split into a single word.
var secretSuffixes = []string{
	"apikey", "privatekey", "accesskey", "authkey", "signingkey", "clientsecret",
	"connectionstring", "password", "passwd", "passphrase", "secret", "token",
}

// IsSecret reports whether a name says its value is a credential: an evidence
// or config key, a dotted config path, an HTTP header, a query parameter or a
// DSN keyword.
func IsSecret(name string) bool {
	words := splitWords(name)
	for i, w := range words {
		if secretWords[w] {
			return true
		}
		if i+1 < len(words) && secretPairs[[2]string{w, words[i+1]}] {
			return true
		}
	}
	if len(words) > 0 && lastWords[words[len(words)-1]] {
		return true
	}
	joined := strings.Join(words, "")
	for _, s := range secretSuffixes {
		if strings.HasSuffix(joined, s) {
			return true
		}
	}
	return false
}

// splitWords splits a name on punctuation and camelCase: "X-Api-Key",
// "xApiKey" and "x.api_key" all give [x api key].
func splitWords(name string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
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

// URL masks the credentials a URL or a database DSN carries: the whole user
// info (a lone user name is often a token, as in https://TOKEN@host), the
// values of query and fragment parameters whose name IsSecret (OAuth puts
// access_token in the fragment), and in key=value DSNs the values of secret
// keywords. Everything else is kept byte for byte, so the result still points
// at the same place.
func URL(raw string) string {
	if raw == "" {
		return raw
	}
	// net/url reads an authority only after "scheme://" or a leading "//".
	start := strings.Index(raw, "://") + 3
	if strings.HasPrefix(raw, "//") {
		start = 2
	} else if start < 3 {
		raw = maskBareUserinfo(raw)
		if kvStart.MatchString(raw) {
			return Text(maskKeyValues(raw))
		}
		// A relative URL ("?token=..."), or a host:port.
		return Text(maskParams(raw))
	}
	return Text(maskParams(maskUserinfo(raw, start)))
}

// maskUserinfo replaces what stands before the host's '@'. The authority ends
// where net/url ends it (the first '/', '?' or '#'), but when the URL does
// not parse, a password holding one of those may have cut it short, so
// everything up to the last '@' goes.
func maskUserinfo(raw string, start int) string {
	at := -1
	if _, err := url.Parse(raw); err != nil {
		at = strings.LastIndex(raw[start:], "@")
	} else {
		end := len(raw)
		if i := strings.IndexAny(raw[start:], "/?#"); i >= 0 {
			end = start + i
		}
		at = strings.LastIndex(raw[start:end], "@")
	}
	if at < 0 {
		return raw
	}
	return raw[:start] + Redacted + raw[start+at:]
}

// maskBareUserinfo handles scheme-less DSNs such as user:pass@tcp(db)/x.
func maskBareUserinfo(s string) string {
	at := strings.LastIndex(s, "@")
	if at < 0 || strings.ContainsFunc(s[:at], unicode.IsSpace) || !strings.Contains(s[:at], ":") {
		return s
	}
	return Redacted + s[at:]
}

// maskParams masks secret parameters in the query and in the fragment. Both
// '&' and ';' separate parameters: some servers accept either.
func maskParams(raw string) string {
	q := strings.IndexAny(raw, "?#")
	if q < 0 {
		return raw
	}
	var b strings.Builder
	b.WriteString(raw[:q+1])
	rest := raw[q+1:]
	for {
		i := strings.IndexAny(rest, "&;#")
		part := rest
		if i >= 0 {
			part = rest[:i]
		}
		if name, val, ok := strings.Cut(part, "="); ok && secretParam(name) {
			part = name + "=" + Value(val)
		}
		b.WriteString(part)
		if i < 0 {
			break
		}
		b.WriteByte(rest[i])
		rest = rest[i+1:]
	}
	return b.String()
}

// secretParam reads a parameter name as a server would, escapes decoded, so
// that "%74oken" is a token too.
func secretParam(name string) bool {
	if n, err := url.QueryUnescape(name); err == nil {
		name = n
	}
	return IsSecret(name)
}

// kvStart tells a key=value DSN from a relative URL.
var kvStart = regexp.MustCompile(`^\s*[A-Za-z_][A-Za-z0-9_.-]*\s*=`)

// kvPair finds keyword=value pairs of a libpq-style DSN; a quoted value may
// hold spaces and escaped quotes.
var kvPair = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_.-]*)(\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

func maskKeyValues(s string) string {
	return kvPair.ReplaceAllStringFunc(s, func(m string) string {
		sub := kvPair.FindStringSubmatch(m)
		if !IsSecret(sub[1]) {
			return m
		}
		return sub[1] + sub[2] + Redacted
	})
}

// authScheme finds an Authorization credential in prose. Its value must hold
// a digit or token punctuation so that "Bearer authentication" is left alone.
// Case is folded by hand: (?i) would also fold "ſ" and "K" (Kelvin), which
// the cheap test in Text does not see.
var authScheme = regexp.MustCompile(`\b([Bb][Ee][Aa][Rr][Ee][Rr]|[Bb][Aa][Ss][Ii][Cc])\s+[A-Za-z0-9._~+/=-]*[0-9._~+/=-][A-Za-z0-9._~+/=-]*`)

// textUserinfo finds the user info of a URL in prose, up to the last '@'
// before the host so that an unescaped '@' in a password is covered.
var textUserinfo = regexp.MustCompile(`://[^/\s?#]*@`)

// textParam finds a query parameter in prose.
var textParam = regexp.MustCompile(`([?&;#])([^=&;#?\s]+)=([^&;#\s]*)`)

// Text masks the credentials that hide inside ordinary strings (messages,
// commands, endpoints): Bearer and Basic credentials, the user info of URLs
// and the values of secret query parameters.
func Text(s string) string {
	// Most strings hold none of these; the cheap tests spare a report of
	// many findings three regexp passes per string.
	if hasFold(s, "bearer") || hasFold(s, "basic") {
		s = maskAuth(s)
	}
	if strings.Contains(s, "://") {
		s = maskTextUserinfo(s)
	}
	if strings.ContainsAny(s, "?&;#") && strings.Contains(s, "=") {
		s = maskTextParams(s)
	}
	return s
}

func maskAuth(s string) string {
	return authScheme.ReplaceAllStringFunc(s, func(m string) string {
		sp := strings.IndexFunc(m, unicode.IsSpace)
		// Shorter values are words of prose, not credentials.
		if len(strings.TrimSpace(m[sp:])) < 8 {
			return m
		}
		return m[:sp+1] + Redacted
	})
}

func maskTextUserinfo(s string) string {
	return textUserinfo.ReplaceAllString(s, "://"+Redacted+"@")
}

func maskTextParams(s string) string {
	return textParam.ReplaceAllStringFunc(s, func(m string) string {
		sub := textParam.FindStringSubmatch(m)
		if !secretParam(sub[2]) {
			return m
		}
		return sub[1] + sub[2] + "=" + Value(sub[3])
	})
}

// hasFold reports whether s contains the lower-case ASCII word w in any
// ASCII case.
func hasFold(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		j := 0
		for j < len(w) && s[i+j]|0x20 == w[j] {
			j++
		}
		if j == len(w) {
			return true
		}
	}
	return false
}
