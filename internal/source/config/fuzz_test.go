package config

import "testing"

func fuzzFormat(f *testing.F, format Format, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := Parse("fuzz", format, data)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error %T is not a *ParseError: %v", err, err)
			}
			return
		}
		p := MustPath("**.a[*]")
		for _, d := range docs {
			_ = p.Find(d)
			_ = d.Interface()
		}
	})
}

func FuzzYAML(f *testing.F) {
	fuzzFormat(f, YAML, "a: 1\n", "a: &x [1]\nb: *x\n---\nc: {d: e}\n", "<<: {a: 1}\n", "- [a, b]\n")
}

func FuzzJSON(f *testing.F) {
	fuzzFormat(f, JSON, `{"a": [1, 2, {"b": null}]}`, `[]`, `{"a": 1e400}`)
}

func FuzzTOML(f *testing.F) {
	fuzzFormat(f, TOML, "a = 1\n[b]\nc = [1, {d = 2}]\n[[e]]\nf = 1\n", "a.b = 'x'\n", "d = 1979-05-27T07:32:00Z\n")
}

func FuzzEnv(f *testing.F) {
	fuzzFormat(f, Env, "A=1\nexport B=\"x\\ny\"\nC='z'\n", "A=\"\nB\"\n", "# c\n")
}

func FuzzINI(f *testing.F) {
	fuzzFormat(f, INI, "a = 1\n[s]\nb: 2\n", "[s]\n[s]\nx=1\n", ";c\n")
}

func FuzzPath(f *testing.F) {
	for _, s := range []string{"a.b", "a[0]", `a."b.c"[*]`, "**.x"} {
		f.Add(s)
	}
	root, _ := Parse("x.yaml", YAML, []byte("a:\n  b: [1, {c: 2}]\n"))
	f.Fuzz(func(t *testing.T, s string) {
		p, err := CompilePath(s)
		if err != nil {
			return
		}
		_ = p.Find(root[0])
	})
}
