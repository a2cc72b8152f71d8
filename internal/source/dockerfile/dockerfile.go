// Package dockerfile is the evidence source for Dockerfiles and
// Containerfiles: each is parsed with BuildKit's parser into stages of
// instructions that keep their line numbers.
package dockerfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/repo"
)

// Instruction is one Dockerfile instruction.
type Instruction struct {
	Cmd      string   // upper case: FROM, RUN, USER...
	Args     []string // the arguments as BuildKit split them
	Flags    []string // --from=..., --mount=...
	JSON     bool     // exec form (["a", "b"])
	Heredocs []string // heredoc bodies attached to the instruction
	Line     int
	EndLine  int
	Original string
}

// Text is the instruction's arguments joined, with heredoc bodies.
func (in *Instruction) Text() string {
	s := strings.Join(in.Args, " ")
	for _, h := range in.Heredocs {
		s += "\n" + h
	}
	return s
}

// Pairs returns the key/value pairs of an ENV or LABEL, values unquoted.
// BuildKit gives them as key, value, separator triples.
func (in *Instruction) Pairs() [][2]string {
	var out [][2]string
	for i := 0; i+1 < len(in.Args); i += 3 {
		out = append(out, [2]string{in.Args[i], strings.Trim(in.Args[i+1], `"'`)})
	}
	return out
}

// Flag returns the value of --name=value, if present.
func (in *Instruction) Flag(name string) (string, bool) {
	for _, f := range in.Flags {
		if v, ok := strings.CutPrefix(f, "--"+name+"="); ok {
			return v, true
		}
		if f == "--"+name {
			return "", true
		}
	}
	return "", false
}

// Stage is one build stage, from its FROM to the next.
type Stage struct {
	Index int
	Name  string // AS name, lower case; "" when unnamed
	// Base is the image or stage name as written; Image is Base with build
	// arguments declared before the first FROM substituted.
	Base  string
	Image string
	// Parent is the earlier stage this one builds on, or nil for an image.
	Parent       *Stage
	Line         int
	Instructions []*Instruction
}

// File is one parsed Dockerfile.
type File struct {
	Path     string
	Stages   []*Stage
	MetaArgs map[string]string // ARGs before the first FROM, with their defaults
	// Err is set when the file could not be read or parsed; Line is where.
	Err     error
	ErrLine int
}

// Final returns the stage that makes the image (the last one).
func (f *File) Final() *Stage {
	if len(f.Stages) == 0 {
		return nil
	}
	return f.Stages[len(f.Stages)-1]
}

// Chain returns the stage and the stages it builds on, nearest first: what
// ends up in its image.
func (s *Stage) Chain() []*Stage {
	var out []*Stage
	seen := map[*Stage]bool{}
	for st := s; st != nil && !seen[st]; st = st.Parent {
		seen[st] = true
		out = append(out, st)
	}
	return out
}

// RootImage is the image at the bottom of a stage's chain.
func (s *Stage) RootImage() string {
	c := s.Chain()
	return c[len(c)-1].Image
}

// Set is every Dockerfile under the run's paths.
type Set struct {
	Files []*File
}

// From returns the Dockerfiles of the run's repository index, loaded once
// per run.
func From(ctx context.Context, env *source.Env) (*Set, error) {
	return source.Load(ctx, env, "dockerfile", func(ctx context.Context, in *source.Inputs) (*Set, error) {
		r, err := repo.From(ctx, env)
		if err != nil {
			return nil, err
		}
		return load(ctx, r)
	})
}

const maxFileSize = 4 << 20

func load(ctx context.Context, r *repo.Repo) (*Set, error) {
	set := &Set{}
	for _, f := range selectFiles(r) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Findings name the file as the user can open it from where golive
		// runs, as they did when each source walked on its own.
		p := f.OSPath()
		if f.Size > maxFileSize {
			set.Files = append(set.Files, &File{Path: p, Err: fmt.Errorf("file is %d bytes, larger than a Dockerfile can reasonably be", f.Size)})
			continue
		}
		data, err := f.Content()
		switch {
		case errors.Is(err, repo.ErrBinary):
			set.Files = append(set.Files, &File{Path: p, Err: fmt.Errorf("binary file, not a Dockerfile")})
		case err != nil:
			set.Files = append(set.Files, &File{Path: p, Err: err})
		default:
			set.Files = append(set.Files, Parse(p, data))
		}
	}
	return set, nil
}

// Parse reads one Dockerfile. It never fails: a file that does not parse
// comes back with Err and ErrLine set.
func Parse(path string, data []byte) (f *File) {
	f = &File{Path: path, MetaArgs: map[string]string{}}
	defer func() {
		if p := recover(); p != nil {
			f = &File{Path: path, Err: fmt.Errorf("dockerfile parser panicked: %v", p)}
		}
	}()
	if bytes.IndexByte(data, 0) >= 0 {
		f.Err = fmt.Errorf("binary file, not a Dockerfile")
		return f
	}
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		f.Err, f.ErrLine = fmt.Errorf("parse: %w", err), errLine(err)
		return f
	}
	var cur *Stage
	byName := map[string]*Stage{}
	for _, n := range res.AST.Children {
		in := &Instruction{
			Cmd: strings.ToUpper(n.Value), Flags: n.Flags, JSON: n.Attributes["json"],
			Line: n.StartLine, EndLine: n.EndLine, Original: n.Original,
		}
		for a := n.Next; a != nil; a = a.Next {
			in.Args = append(in.Args, a.Value)
		}
		for _, h := range n.Heredocs {
			in.Heredocs = append(in.Heredocs, h.Content)
		}
		if in.Cmd == "FROM" {
			// BuildKit's typed instructions package would validate this, but it
			// pulls in modules the project does not carry; FROM is the one
			// instruction whose shape the checks rely on.
			if len(in.Args) == 0 || (len(in.Args) > 1 && (len(in.Args) != 3 || !strings.EqualFold(in.Args[1], "as"))) {
				f.Err, f.ErrLine = fmt.Errorf("FROM wants IMAGE [AS NAME], got %q", strings.Join(in.Args, " ")), in.Line
				return f
			}
			cur = &Stage{Index: len(f.Stages), Line: in.Line}
			if len(in.Args) > 0 {
				cur.Base = in.Args[0]
			}
			if len(in.Args) >= 3 && strings.EqualFold(in.Args[1], "as") {
				cur.Name = strings.ToLower(in.Args[2])
			}
			cur.Image = expand(cur.Base, f.MetaArgs)
			if p, ok := byName[strings.ToLower(cur.Image)]; ok {
				cur.Parent = p
			}
			if cur.Name != "" {
				byName[cur.Name] = cur
			}
			byName[fmt.Sprint(cur.Index)] = cur
			f.Stages = append(f.Stages, cur)
		}
		if cur == nil {
			if in.Cmd == "ARG" {
				for _, a := range in.Args {
					k, v, _ := strings.Cut(a, "=")
					f.MetaArgs[k] = strings.Trim(v, `"'`)
				}
			}
			continue
		}
		cur.Instructions = append(cur.Instructions, in)
	}
	if len(f.Stages) == 0 {
		f.Err = fmt.Errorf("no FROM instruction")
	}
	return f
}

var argRef = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}?`)

// expand substitutes meta ARGs ($X, ${X}, ${X:-default}) in a FROM image.
func expand(s string, args map[string]string) string {
	return argRef.ReplaceAllStringFunc(s, func(m string) string {
		sub := argRef.FindStringSubmatch(m)
		if v, ok := args[sub[1]]; ok && v != "" {
			return v
		}
		if sub[2] != "" {
			return sub[3]
		}
		return m
	})
}

var lineRe = regexp.MustCompile(`(?i)line (\d+)`)

func errLine(err error) int {
	var le *parser.LocationError
	if errors.As(err, &le) {
		for _, r := range le.Locations {
			if len(r) > 0 {
				return r[0].Start.Line
			}
		}
	}
	if m := lineRe.FindStringSubmatch(err.Error()); m != nil {
		var n int
		fmt.Sscan(m[1], &n)
		return n
	}
	return 0
}
