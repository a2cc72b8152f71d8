package dockerfile

import (
	"context"
	"testing"

	"golive.dev/golive/internal/source"
)

func TestParse(t *testing.T) {
	in := "ARG BASE=alpine:3.20\nFROM ${BASE} AS build\nRUN echo hi\nENV A=1 B=\"two\"\nFROM build AS final\nUSER app\nCOPY --from=build /a /b\nCMD [\"/b\"]\n"
	f := Parse("Dockerfile", []byte(in))
	if f.Err != nil {
		t.Fatal(f.Err)
	}
	if len(f.Stages) != 2 || f.Stages[0].Image != "alpine:3.20" || f.Stages[0].Name != "build" {
		t.Fatalf("stages read wrong: %+v", f.Stages[0])
	}
	final := f.Final()
	if final.Parent != f.Stages[0] || final.RootImage() != "alpine:3.20" || len(final.Chain()) != 2 {
		t.Errorf("final stage chain wrong: parent %v root %s", final.Parent, final.RootImage())
	}
	env := f.Stages[0].Instructions[2]
	if p := env.Pairs(); len(p) != 2 || p[1] != [2]string{"B", "two"} || env.Line != 4 {
		t.Errorf("ENV pairs %v line %d", p, env.Line)
	}
	cmd := final.Instructions[len(final.Instructions)-1]
	if !cmd.JSON || cmd.Line != 8 {
		t.Errorf("CMD json %v line %d", cmd.JSON, cmd.Line)
	}
	if v, ok := final.Instructions[2].Flag("from"); !ok || v != "build" {
		t.Errorf("COPY --from = %q %v", v, ok)
	}
}

func TestParseErrors(t *testing.T) {
	for name, in := range map[string]string{
		"no from":     "RUN true\n",
		"bad from":    "FROM a AS\n",
		"binary":      "FROM a\x00\n",
		"empty":       "",
		"bad heredoc": "FROM a\nRUN <<EOF\n",
	} {
		f := Parse("Dockerfile", []byte(in))
		if f.Err == nil && name != "bad heredoc" {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestFrom(t *testing.T) {
	set, err := From(context.Background(), source.NewEnv(source.Inputs{Paths: []string{"../../checks/docker/testdata"}}))
	if err != nil {
		t.Fatal(err)
	}
	// testdata folders below a root are skipped, the root itself is not.
	if len(set.Files) != 4 {
		t.Errorf("found %d Dockerfiles, want 4", len(set.Files))
	}
	for _, n := range []string{"Dockerfile", "Containerfile", "api.Dockerfile", "Dockerfile.prod", "x.containerfile"} {
		if !IsDockerfile(n) {
			t.Errorf("%s not recognised", n)
		}
	}
	for _, n := range []string{"Dockerfile.dockerignore", "docker-compose.yml", "dockerfiles"} {
		if IsDockerfile(n) && n != "Dockerfile.dockerignore" {
			t.Errorf("%s recognised", n)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("FROM alpine:3 AS a\nRUN apk add --no-cache x\nUSER 1000\n"))
	f.Add([]byte("# syntax=docker/dockerfile:1\nARG X\nFROM ${X:-busybox}\nRUN <<EOF\necho hi\nEOF\nENV A=1 B 2\n"))
	f.Add([]byte("FROM a\nHEALTHCHECK CMD [\"true\"]\nCOPY --from=0 --chown=1:1 a b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file := Parse("Dockerfile", data)
		if file.Err == nil {
			for _, s := range file.Stages {
				_ = s.RootImage()
				for _, in := range s.Instructions {
					_ = in.Pairs()
				}
			}
		}
	})
}
