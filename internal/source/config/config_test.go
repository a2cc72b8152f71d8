package config

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golive.dev/golive/internal/source"
)

func TestParseAndQuery(t *testing.T) {
	cases := []struct {
		name, file, data, path string
		want                   string
		line                   int
	}{
		{"yaml nested", "values.yaml", "mpl:\n  mode: strict\n  enforceSchema: true\n", "mpl.mode", "strict", 2},
		{"yaml multidoc", "a.yaml", "a: 1\n---\nlog:\n  level: info\n", "log.level", "info", 4},
		{"yaml anchors", "a.yaml", "base: &b\n  level: warn\nprod:\n  <<: *b\n", "prod.level", "warn", 2},
		{"yaml list", "a.yaml", "servers:\n  - url: http://a\n  - url: https://b\n", "servers[1].url", "https://b", 3},
		{"yaml case-insensitive", "a.yaml", "autoscaling:\n  minReplicas: 2\n", "Autoscaling.minreplicas", "2", 2},
		{"yaml deep", "a.yaml", "x:\n  y:\n    logLevel: debug\n", "**.log*level", "debug", 3},
		{"json", "c.json", "{\n  \"log\": {\n    \"level\": \"info\"\n  },\n  \"n\": [1, 2.5]\n}", "n[1]", "2.5", 5},
		{"json key line", "c.json", "{\n  \"log\": {\n    \"level\": \"info\"\n  }\n}", "log.level", "info", 3},
		{"toml table", "agent.toml", "[agent]\nname = \"x\"\n\n[agent.logging]\nlevel = \"INFO\"\n", "agent.logging.level", "INFO", 5},
		{"toml dotted", "agent.toml", "a.b.c = 3\n", "a.b.c", "3", 1},
		{"toml array table", "a.toml", "[[tools]]\nname = \"a\"\n[[tools]]\nname = \"b\"\n", "tools[1].name", "b", 4},
		{"toml inline", "a.toml", "[server]\ncors = { allowed_origins = [\"https://x\"] }\n", "server.cors.allowed_origins[0]", "https://x", 2},
		{"toml table line", "a.toml", "x = 1\n[agent.security.pii_detection]\nenabled = true\n", "agent.security.pii_detection", "{enabled}", 2},
		{"env", ".env.production", "# c\nexport LOG_LEVEL=info # comment\nURL=\"a\nb\"\nK='x#y'\n", "LOG_LEVEL", "info", 2},
		{"env multiline", ".env", "URL=\"a\nb\"\nK='x#y'\n", "K", "x#y", 3},
		{"ini", "app.ini", "top = 1\n[server]\nport = 8080\n", "server.port", "8080", 3},
		{"ini default", "app.ini", "top = 1\n[server]\nport = 8080\n", "top", "1", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			docs, err := Parse(c.file, DetectFormat(c.file), []byte(c.data))
			if err != nil {
				t.Fatal(err)
			}
			p, err := CompilePath(c.path)
			if err != nil {
				t.Fatal(err)
			}
			var hits []Hit
			for _, d := range docs {
				hits = append(hits, p.Find(d)...)
			}
			if len(hits) != 1 {
				t.Fatalf("hits = %+v", hits)
			}
			if got := hits[0].Node.String(); got != c.want {
				t.Errorf("value = %q, want %q", got, c.want)
			}
			if hits[0].Node.Line != c.line {
				t.Errorf("line = %d, want %d", hits[0].Node.Line, c.line)
			}
		})
	}
}

func TestParseErrorsNameLine(t *testing.T) {
	cases := []struct {
		file, data string
		line       int
	}{
		{"a.yaml", "a: 1\nb: [\n", 2},
		{"a.yaml", "a: 1\n  b: 2\n", 2},
		{"a.json", "{\n\"a\": 1,\n\"b\": }\n", 3},
		{"a.toml", "a = 1\nb = \n", 2},
		{"a.toml", "a = 1\na = 2\n", 2},
		{".env", "A=1\nnot a pair\n", 2},
		{".env", "A=\"open\n", 1},
	}
	for _, c := range cases {
		_, err := Parse(c.file, DetectFormat(c.file), []byte(c.data))
		pe, ok := err.(*ParseError)
		if !ok {
			t.Errorf("%s %q: err = %v, want *ParseError", c.file, c.data, err)
			continue
		}
		if pe.Line != c.line || pe.File != c.file || !strings.HasPrefix(pe.Error(), c.file+":") {
			t.Errorf("%s %q: %v (line %d), want line %d", c.file, c.data, pe, pe.Line, c.line)
		}
	}
}

func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	if _, err := Parse("bomb.yaml", YAML, []byte(b.String())); err == nil {
		t.Fatal("alias bomb accepted")
	}
}

func TestPathSyntax(t *testing.T) {
	for _, ok := range []string{"a", "a.b", "a[0]", "a[*].b", "**.b", `a."b.c"`, `a["b.c"].d`} {
		if _, err := CompilePath(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", ".a", "a.", "a..b", "a[", "a[x]", `a."b`, "a[0]b"} {
		if _, err := CompilePath(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestSetFromRepoAndValues(t *testing.T) {
	root := t.TempDir()
	must := func(p, c string) {
		abs := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(abs), 0o755)
		if err := os.WriteFile(abs, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	must("chart/values.yaml", "mpl:\n  mode: permissive\n")
	must("config/bad.toml", "x = \n")
	must("config/agent.toml", "[log]\nlevel = \"INFO\"\n")
	extra := filepath.Join(t.TempDir(), "prod.yaml")
	os.WriteFile(extra, []byte("mpl:\n  mode: strict\n"), 0o644)
	env := source.NewEnv(source.Inputs{Paths: []string{root}, HelmValues: []string{extra}})
	s, err := From(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	vals, _ := s.Glob("**/values*.yaml")
	if len(vals) != 2 {
		t.Fatalf("values files = %d", len(vals))
	}
	bad, _ := s.Glob("config/bad.toml")
	if _, err := bad[0].Docs(); err == nil || !strings.Contains(err.Error(), "config/bad.toml:1") {
		t.Errorf("bad toml err = %v", err)
	}
	good, _ := s.Glob("config/*.toml")
	var res []Result
	for _, f := range good {
		r, _ := f.Query(MustPath("log.level"))
		res = append(res, r...)
	}
	if len(res) != 1 || res[0].Node.String() != "INFO" || res[0].File.Rel != "config/agent.toml" {
		t.Errorf("query = %+v", res)
	}
}

func TestDisplayMasks(t *testing.T) {
	if got := Display("jwt.secret_key", scalar("abcdefgh", 1)); strings.Contains(got, "abc") {
		t.Errorf("secret shown: %s", got)
	}
	if got := Display("db.url", scalar("postgres://u:hunter2@db/x", 1)); strings.Contains(got, "hunter2") {
		t.Errorf("password shown: %s", got)
	}
	list := &Node{Kind: List, Items: []*Node{scalar("tok-1", 1), scalar("tok-2", 2)}}
	if got := Display("auth.api_tokens", list); strings.Contains(got, "tok-") {
		t.Errorf("list of secrets shown: %s", got)
	}
	if got := Display("db.password", scalar("", 1)); got != "" {
		t.Errorf("empty secret shown as %q, want it empty", got)
	}
}
