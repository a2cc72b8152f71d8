package config

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/repo"
)

// File is one config file, parsed on first use.
type File struct {
	Path   string // display path (repo-relative, or as given for --values files)
	Rel    string // path matched by globs
	Format Format

	// Given is set for files passed with --values: they are Helm values
	// whatever their name.
	Given bool

	src  *repo.File // nil for files given outside the repository
	abs  string
	once sync.Once
	docs []*Node
	err  error
}

// Docs returns the parsed documents, parsing once. The error is a
// *ParseError naming file:line, or a read error.
func (f *File) Docs() ([]*Node, error) {
	f.once.Do(func() {
		var data []byte
		var err error
		if f.src != nil {
			data, err = f.src.Content()
		} else {
			data, err = readLimited(f.abs)
		}
		if err != nil {
			f.err = fmt.Errorf("read %s: %w", f.Path, err)
			return
		}
		f.docs, f.err = Parse(f.Path, f.Format, data)
	})
	return f.docs, f.err
}

var (
	manifestAPIVersion = regexp.MustCompile(`(?m)^apiVersion:[ \t]*\S`)
	manifestKind       = regexp.MustCompile(`(?m)^kind:[ \t]*\S`)
)

// LooksLikeManifest reports whether a YAML file holds Kubernetes-style objects
// (a top-level apiVersion and kind), judged from its text without parsing:
// such files are objects for the Kubernetes source, not settings, and a large
// manifest tree must not be parsed a second time as config.
func (f *File) LooksLikeManifest() bool {
	if f.Format != YAML || f.src == nil {
		return false
	}
	// Read, not Content: the answer is all that is needed, and keeping the
	// text of every manifest would hold the whole tree for the run.
	data, err := f.src.Read()
	if err != nil {
		return false
	}
	return manifestAPIVersion.Match(data) && manifestKind.Match(data)
}

func readLimited(p string) ([]byte, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if st.Size() > repo.MaxContent {
		return nil, repo.ErrTooLarge
	}
	return os.ReadFile(p)
}

// Result is one value a query found.
type Result struct {
	File *File
	Doc  int // document index within the file (multi-document YAML)
	Path string
	Node *Node
}

// Line is the line of the value's key.
func (r Result) Line() int { return r.Node.Line }

// Query runs the path over every document of the file.
func (f *File) Query(p *Path) ([]Result, error) {
	docs, err := f.Docs()
	if err != nil {
		return nil, err
	}
	var out []Result
	for i, d := range docs {
		for _, h := range p.Find(d) {
			out = append(out, Result{File: f, Doc: i, Path: h.Path, Node: h.Node})
		}
	}
	return out, nil
}

// Set is every config file of the run: the repository's files with a known
// config extension, and the Helm values files given with --values.
type Set struct {
	Files []*File
	Repo  *repo.Repo

	matchMu   sync.Mutex
	matchMemo map[string][]*File
}

// From returns the run's config set.
func From(ctx context.Context, env *source.Env) (*Set, error) {
	return source.Load(ctx, env, "config", func(ctx context.Context, in *source.Inputs) (*Set, error) {
		var r *repo.Repo
		if len(in.Paths) > 0 {
			var err error
			if r, err = repo.From(ctx, env); err != nil {
				return nil, err
			}
		}
		if r == nil && len(in.HelmValues) == 0 {
			return nil, source.NotGiven("a repository path or --values", "config files")
		}
		return NewSet(r, in.HelmValues), nil
	})
}

// NewSet selects the config files of r (which may be nil) and adds extra
// files given by path.
func NewSet(r *repo.Repo, extra []string) *Set {
	s := &Set{Repo: r}
	seen := map[string]bool{}
	if r != nil {
		// Chart templates are Go templates, not config: they rarely parse as
		// YAML and their values come from the values files anyway.
		templates := map[string]bool{}
		for _, f := range r.Files {
			if strings.EqualFold(path.Base(f.Rel), "Chart.yaml") {
				templates[path.Join(path.Dir(f.Rel), "templates")] = true
			}
		}
		for _, f := range r.Files {
			format := DetectFormat(f.Rel)
			if format == "" || underAny(f.Rel, templates) {
				continue
			}
			seen[f.Abs] = true
			s.Files = append(s.Files, &File{Path: f.Path, Rel: f.Rel, Format: format, src: f, abs: f.Abs})
		}
	}
	for _, p := range extra {
		abs, err := filepath.Abs(p)
		if err == nil && seen[abs] {
			continue
		}
		format := DetectFormat(p)
		if format == "" {
			format = YAML // Helm values files are YAML whatever their name
		}
		rel := filepath.ToSlash(filepath.Clean(p))
		s.Files = append(s.Files, &File{Path: rel, Rel: rel, Format: format, abs: abs, Given: true})
	}
	return s
}

func underAny(rel string, dirs map[string]bool) bool {
	for d := path.Dir(rel); d != "." && d != "/" && d != ""; d = path.Dir(d) {
		if dirs[d] {
			return true
		}
	}
	return false
}

// Match returns the files whose relative path matches any glob. Files given
// with --values also match every glob that would match a chart's
// values.yaml, so Helm values queries see them.
func (s *Set) Match(globs ...*repo.Glob) []*File {
	key := repo.GlobsKey(globs)
	s.matchMu.Lock()
	defer s.matchMu.Unlock()
	if fs, ok := s.matchMemo[key]; ok {
		return fs
	}
	if s.matchMemo == nil {
		s.matchMemo = map[string][]*File{}
	}
	out := s.match(globs)
	s.matchMemo[key] = out
	return out
}

func (s *Set) match(globs []*repo.Glob) []*File {
	var out []*File
	for _, f := range s.Files {
		for _, g := range globs {
			if g.Match(f.Rel) || f.Given && (g.Match("values.yaml") || g.Match("chart/values.yaml")) {
				out = append(out, f)
				break
			}
		}
	}
	return slices.Clip(out)
}

// Glob compiles patterns and returns the matching files.
func (s *Set) Glob(patterns ...string) ([]*File, error) {
	gs := make([]*repo.Glob, 0, len(patterns))
	for _, p := range patterns {
		g, err := repo.CompileGlob(p)
		if err != nil {
			return nil, err
		}
		gs = append(gs, g)
	}
	return s.Match(gs...), nil
}
