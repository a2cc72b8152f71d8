package mask

import (
	"net/url"
	"os"
	"strings"
	"testing"
)

func TestIsSecret(t *testing.T) {
	cases := []struct {
		from string // the caller whose rule the case comes from
		name string
		want bool
	}{
		// Evidence keys (report).
		{"report", "access_token", true}, {"report", "GITHUB_TOKEN", true},
		{"report", "Authorization", true}, {"report", "X-Api-Key", true},
		{"report", "apiKey", true}, {"report", "apikey", true},
		{"report", "client_secret", true}, {"report", "password", true},
		{"report", "db_password", true}, {"report", "DB_PASSWORD", true},
		{"report", "secretName", true}, {"report", "Set-Cookie", true},
		{"report", "cookie", true}, {"report", "private_key", true},
		{"report", "PrivateKey", true}, {"report", "AWS_SECRET_ACCESS_KEY", true},
		{"report", "x-auth-token", true}, {"report", "passwd", true},
		{"report", "credentials", true}, {"report", "secretsFound", true},
		{"report", "secrets", true}, {"report", "pin_password", true},
		{"report", "token", true}, {"report", "refreshToken", true},
		{"report", "dsn", true}, {"report", "sig", true}, {"report", "signature", true},
		{"report", "passphrase", true}, {"report", "bearer", true}, {"report", "session_id", true},
		{"report", "max_tokens", false}, {"report", "tokens", false}, {"report", "tokenizer", false},
		{"report", "status", false}, {"report", "url", false}, {"report", "host", false},
		{"report", "expected", false}, {"report", "found", false}, {"report", "keyFile", false},
		// HTTP headers (probe).
		{"probe", "Proxy-Authorization", true}, {"probe", "X-Api-Token", true},
		{"probe", "X-Session-Id", true}, {"probe", "X-Auth", true}, {"probe", "Session", true},
		{"probe", "X-Client-Secret", true}, {"probe", "X-Amz-Signature", true},
		{"probe", "Access-Control-Allow-Credentials", true},
		{"probe", "Ocp-Apim-Subscription-Key", true},
		{"probe", "Content-Type", false}, {"probe", "Server", false}, {"probe", "X-Request-Id", false},
		{"probe", "WWW-Authenticate", false}, {"probe", "Strict-Transport-Security", false},
		// Query parameters (probe, cli).
		{"probe", "key", true}, {"probe", "api_key", true}, {"probe", "sort_key", true},
		{"cli", "access_token", true}, {"cli", "password", true}, {"probe", "page", false},
		{"probe", "keyword", false},
		// Config paths (config).
		{"config", "jwt.secret_key", true}, {"config", "database.password", true},
		{"config", "db.pass", true}, {"config", "smtp.passwd", true},
		{"config", "auth.signing_key", true}, {"config", "redis.auth_key", true},
		{"config", "db.connection_string", true}, {"config", "db.connectionString", true},
		{"config", "ConnectionString", true}, {"config", "tls.key", true},
		{"config", "servers[0].token", true}, {"config", "auth.tokens[1]", true},
		{"config", "aws.access_key_id", true}, {"config", "app.encryption_key", true},
		{"config", "llm.max_tokens", false}, {"config", "log.level", false},
		{"config", "cache.bypass", false}, {"config", "db.pass_through", false},
		{"config", "db.auth_method", false}, {"config", "session.timeout", false},
		{"config", "tls.key_file", false},
		// DSN keywords (db, cli).
		{"db", "password", true}, {"db", "sslpassword", true}, {"db", "passfile", false},
		{"db", "sslmode", false}, {"db", "user", false},
	}
	for _, c := range cases {
		if got := IsSecret(c.name); got != c.want {
			t.Errorf("%s: IsSecret(%q) = %v, want %v", c.from, c.name, got, c.want)
		}
	}
}

func TestValue(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "",
		"short":                Redacted,
		"ghp_abcdefghijklmnop": Redacted, // secrets kept "ghp_" before
		"abcdefghijklmnop":     Redacted, // docker kept "abc" before
		"hunter2":              Redacted,
		" ":                    Redacted,
	} {
		if got := Value(in); got != want {
			t.Errorf("Value(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestURL(t *testing.T) {
	cases := []struct {
		from, in, want string
	}{
		{"cli", "", ""},
		{"prom", "http://prom:9090", "http://prom:9090"},
		{"prom", "https://u:pw@prom:9090/x", "https://********@prom:9090/x"},
		{"prom", "localhost:9090", "localhost:9090"},
		{"db", "postgres://app:s3cr%40t@db:5432/x?sslmode=require", "postgres://********@db:5432/x?sslmode=require"},
		{"db", "postgresql://app@db/x?password=s3cret", "postgresql://********@db/x?password=********"},
		{"db", "host=db user=app password=s3cret dbname=x", "host=db user=app password=******** dbname=x"},
		{"db", "host=db password='s3 cret' dbname=x", "host=db password=******** dbname=x"},
		{"db", "host=db password = 'it\\'s' dbname=x", "host=db password = ******** dbname=x"},
		{"db", "postgres://app:s3cret@db:bad port/x", "postgres://********@db:bad port/x"},
		{"db", "postgres://app:s3/cret@db/x", "postgres://********@db/x"},
		{"cli", "postgres://app:pw@db:5432/shop?sslmode=disable", "postgres://********@db:5432/shop?sslmode=disable"},
		{"cli", "https://api.example.com/v1?token=abc123&page=2", "https://api.example.com/v1?token=********&page=2"},
		{"cli", "host=db sslpassword=x", "host=db sslpassword=********"},
		{"probe", "https://deploy:hunter22@shop.example.test/", "https://********@shop.example.test/"},
		{"probe", "https://h/cb?api_key=k1;sig=s2&x=1", "https://h/cb?api_key=********;sig=********&x=1"},
		{"probe", "https://h/cb?%74oken=t1", "https://h/cb?%74oken=********"},
		{"probe", "https://h/cb?token=", "https://h/cb?token="},
		{"probe", "https://h/cb#access_token=t1&state=s", "https://h/cb#access_token=********&state=s"},
		{"probe", "https://ghp_0123456789@github.com/o/r", "https://********@github.com/o/r"},
		{"probe", "https://u:p@ss@host/x", "https://********@host/x"},
		{"probe", "//u:p@host/x", "//********@host/x"},
		{"probe", "https://host/a@b", "https://host/a@b"},
		{"probe", "https://h/?next=https://u:p@x/", "https://h/?next=https://********@x/"},
		{"kube", "http://user:pw@10.0.0.7:8080/x", "http://********@10.0.0.7:8080/x"},
		{"kube", "10.0.0.7:8080", "10.0.0.7:8080"},
		{"report", "app:pw@tcp(db)/x", "********@tcp(db)/x"},
	}
	for _, c := range cases {
		if got := URL(c.in); got != c.want {
			t.Errorf("%s: URL(%q) = %q, want %q", c.from, c.in, got, c.want)
		}
	}
}

func TestText(t *testing.T) {
	cases := []struct {
		from, in, want string
	}{
		{"report", "curl -H 'Authorization: Bearer abc.def.ghi123'", "curl -H 'Authorization: Bearer ********'"},
		{"report", "Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic ********"},
		{"report", "Bearer authentication is required", "Bearer authentication is required"},
		{"report", `Bearer realm="api", error="invalid_token"`, `Bearer realm="api", error="invalid_token"`},
		{"report", "postgres://app:pw@db/x", "postgres://********@db/x"},
		{"config", "postgres://u:hunter2@db/x", "postgres://********@db/x"},
		{"config", "redis://:hunter2@cache:6379", "redis://********@cache:6379"},
		{"report", "connect to https://u:p@ss@h/x failed", "connect to https://********@h/x failed"},
		{"report", "GET https://h/cb?code=1&access_token=t1 -> 302", "GET https://h/cb?code=1&access_token=******** -> 302"},
		{"report", "see https://example.com/docs?page=2", "see https://example.com/docs?page=2"},
		{"report", "text/html;charset=utf-8", "text/html;charset=utf-8"},
		{"report", "Deployment/shop/web", "Deployment/shop/web"},
	}
	for _, c := range cases {
		if got := Text(c.in); got != c.want {
			t.Errorf("%s: Text(%q) = %q, want %q", c.from, c.in, got, c.want)
		}
	}
}

// docs/report-format.md is written by hand; this keeps its list of secret
// words from falling behind the code.
func TestDocsListTheRules(t *testing.T) {
	b, err := os.ReadFile("../../docs/report-format.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	start := strings.Index(doc, "## Secrets")
	end := strings.Index(doc[start+1:], "\n## ")
	if start < 0 || end < 0 {
		t.Fatal("docs/report-format.md has no Secrets section")
	}
	doc = doc[start : start+1+end]
	var missing []string
	for w := range secretWords {
		if !strings.Contains(doc, w) {
			missing = append(missing, w)
		}
	}
	for w := range lastWords {
		if !strings.Contains(doc, w) {
			missing = append(missing, w)
		}
	}
	for _, w := range secretSuffixes {
		if !strings.Contains(doc, w) {
			missing = append(missing, w)
		}
	}
	for p := range secretPairs {
		if !strings.Contains(doc, p[0]+" "+p[1]) {
			missing = append(missing, p[0]+" "+p[1])
		}
	}
	if len(missing) > 0 {
		t.Errorf("docs/report-format.md does not mention %v", missing)
	}
}

// FuzzMaskURL feeds URL what users type as --target, --prometheus and
// --database: whatever net/url reads as the password or as the value of a
// secret query parameter must not come out.
func FuzzMaskURL(f *testing.F) {
	for _, s := range []string{
		"postgres://a:b@h/d", "host=h password=p", "password='x y'", "postgres://:@/",
		"https://u:pw@prom:9090/x", "http://h/?token=abc&x=1", "https://h/cb?api_key=k;sig=s#access_token=t",
		"//u:p@h", "https://u:p@ss@h/x?%74oken=t", "postgres://app:s3cret@db:bad port/x", "https://h/?a=1&token=x+y%20z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		out := URL(raw)
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		var secrets []string
		if p, ok := u.User.Password(); ok {
			secrets = append(secrets, p)
		}
		for k, vs := range u.Query() {
			if IsSecret(k) {
				secrets = append(secrets, vs...)
			}
		}
		if len(secrets) > 0 || u.User != nil {
			m, err := url.Parse(out)
			if err != nil {
				t.Fatalf("URL(%q) = %q, which no longer parses: %v", raw, out, err)
			}
			if p, ok := m.User.Password(); ok {
				t.Errorf("URL(%q) = %q keeps password %q", raw, out, p)
			}
			if u.User != nil && m.User.String() != url.User(Redacted).String() {
				t.Errorf("URL(%q) = %q keeps user info %q", raw, out, m.User)
			}
			for k, vs := range m.Query() {
				for _, v := range vs {
					if IsSecret(k) && v != "" && v != Redacted {
						t.Errorf("URL(%q) = %q keeps %s=%q", raw, out, k, v)
					}
				}
			}
		}
		// The output is pieces of the input with Redacted in between, so a
		// secret without '*' in it can only come out if the input spells it
		// somewhere else too; spelled once, unescaped, that one place is its own.
		plain := !strings.ContainsAny(raw, "%+")
		for _, s := range secrets {
			if s == "" || strings.Contains(s, "*") {
				continue
			}
			if n := strings.Count(raw, s); (n == 0 || n == 1 && plain) && strings.Contains(out, s) {
				t.Errorf("URL(%q) = %q shows the secret %q", raw, out, s)
			}
		}
	})
}

// FuzzText checks that the cheap tests Text runs before each regexp never
// skip a string the regexp would change: Text's output must be left as it
// is by all three passes run unconditionally.
func FuzzText(f *testing.F) {
	for _, s := range []string{
		"curl -H 'Authorization: Bearer abc.def.ghi123'", "BASIC dXNlcjpwYXNzd29yZA==", "postgres://app:pw@db/x",
		"GET https://h/cb?code=1&access_token=t1 -> 302", "text/html;charset=utf-8", "#sig=x", "bEaReR 12345678",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		again := maskTextParams(maskTextUserinfo(maskAuth(out)))
		if again != out {
			t.Errorf("Text(%q) = %q, but the passes still change it to %q", s, out, again)
		}
	})
}
