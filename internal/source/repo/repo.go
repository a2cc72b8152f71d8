// Package repo indexes the files of the scanned repositories: one walk over
// the given paths that honours .gitignore, skips vendored and VCS folders,
// never loops on symlinks, and reads file contents only when a check asks.
package repo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"golive.dev/golive/internal/source"
)

// MaxContent is the largest file whose content is read; larger files are
// indexed (path, size) but their content is not searched.
const MaxContent = 4 << 20

// ErrBinary and ErrTooLarge are returned by File.Content for files whose
// content is not read.
var (
	ErrBinary   = errors.New("binary file")
	ErrTooLarge = fmt.Errorf("file larger than %d bytes", MaxContent)
)

// skipDirs are never walked: VCS data and vendored dependencies are not the
// service's own evidence and make walks slow.
var skipDirs = map[string]bool{".git": true, ".hg": true, ".svn": true, "vendor": true, "node_modules": true}

// File is one indexed file.
type File struct {
	Root string // the scan root it was found under, as given
	Rel  string // slash path relative to Root; globs match this
	Path string // slash path shown to users: Rel, prefixed by Root when several roots were scanned
	Abs  string
	Size int64

	parts []string // lower-cased segments of Rel, for glob matching

	once sync.Once
	data []byte
	err  error
}

// Content returns the file's bytes, reading them once. Binary and oversize
// files return ErrBinary / ErrTooLarge.
func (f *File) Content() ([]byte, error) {
	f.once.Do(func() {
		if f.Size > MaxContent {
			f.err = ErrTooLarge
			return
		}
		fh, err := os.Open(f.Abs)
		if err != nil {
			f.err = fmt.Errorf("read %s: %w", f.Path, err)
			return
		}
		defer fh.Close()
		data, err := io.ReadAll(io.LimitReader(fh, MaxContent+1))
		if err != nil {
			f.err = fmt.Errorf("read %s: %w", f.Path, err)
			return
		}
		if len(data) > MaxContent {
			f.err = ErrTooLarge
			return
		}
		head := data
		if len(head) > 8000 {
			head = head[:8000]
		}
		if bytes.IndexByte(head, 0) >= 0 {
			f.err = ErrBinary
			return
		}
		f.data = data
	})
	return f.data, f.err
}

// Text returns the content as a string, "" for unreadable files.
func (f *File) Text() string {
	b, err := f.Content()
	if err != nil {
		return ""
	}
	return string(b)
}

// FileError records a path that could not be walked or read.
type FileError struct {
	Path string
	Err  error
}

func (e FileError) Error() string { return e.Path + ": " + e.Err.Error() }

// Repo is the index of every scanned file.
type Repo struct {
	Roots   []string
	Files   []*File // sorted by Path
	Dirs    []string
	Errors  []FileError
	Ignored int // files and folders left out by .gitignore

	byPath    map[string]*File
	kindMu    sync.Mutex
	kindMemo  map[string][]*File
	matchMu   sync.Mutex
	matchMemo map[string][]*File
	ignores   map[string]*ignoreSet // per root: the rules of every .gitignore read
}

// From returns the repository index of the run, walking Inputs.Paths once.
func From(ctx context.Context, env *source.Env) (*Repo, error) {
	return source.Load(ctx, env, "repo", func(ctx context.Context, in *source.Inputs) (*Repo, error) {
		if len(in.Paths) == 0 {
			return nil, source.NotGiven("a repository path", "repository path")
		}
		return Load(ctx, in.Paths...)
	})
}

// Load walks the roots and builds the index. A root that does not exist is
// an error; unreadable entries below a root are recorded in Errors.
func Load(ctx context.Context, roots ...string) (*Repo, error) {
	r := &Repo{byPath: map[string]*File{}, ignores: map[string]*ignoreSet{}}
	for _, root := range roots {
		st, err := os.Stat(root)
		if err != nil {
			return nil, fmt.Errorf("repository path %s: %w", root, err)
		}
		abs, err := filepath.Abs(root)
		if err != nil {
			return nil, fmt.Errorf("repository path %s: %w", root, err)
		}
		r.Roots = append(r.Roots, root)
		if !st.IsDir() {
			r.add(&File{Root: root, Rel: filepath.Base(root), Abs: abs, Size: st.Size()}, len(roots))
			continue
		}
		w := &walker{r: r, root: root, nroots: len(roots), ign: &ignoreSet{}, seen: map[string]bool{}}
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			w.seen[real] = true
		}
		if err := w.walk(ctx, abs, ""); err != nil {
			return nil, err
		}
		r.ignores[root] = w.ign
	}
	sort.Slice(r.Files, func(i, j int) bool { return r.Files[i].Path < r.Files[j].Path })
	sort.Strings(r.Dirs)
	return r, nil
}

func (r *Repo) add(f *File, nroots int) {
	f.Path = f.Rel
	f.parts = strings.Split(strings.ToLower(f.Rel), "/")
	if nroots > 1 {
		f.Path = filepath.ToSlash(filepath.Join(f.Root, f.Rel))
	}
	r.Files = append(r.Files, f)
	r.byPath[f.Path] = f
}

type walker struct {
	r      *Repo
	root   string
	nroots int
	ign    *ignoreSet
	seen   map[string]bool // real paths of directories entered, against symlink loops
}

func (w *walker) walk(ctx context.Context, dir, rel string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		w.r.Errors = append(w.r.Errors, FileError{Path: w.display(rel), Err: err})
		return nil
	}
	// The folder's own .gitignore applies to its entries, so read it first.
	for _, e := range entries {
		if e.Name() == ".gitignore" && e.Type().IsRegular() {
			data, err := os.ReadFile(filepath.Join(dir, ".gitignore"))
			if err != nil {
				w.r.Errors = append(w.r.Errors, FileError{Path: w.display(join(rel, ".gitignore")), Err: err})
				break
			}
			w.ign.rules = append(w.ign.rules, parseIgnore(rel, data)...)
		}
	}
	for _, e := range entries {
		name := e.Name()
		childRel := join(rel, name)
		abs := filepath.Join(dir, name)
		isDir := e.IsDir()
		var size int64
		if e.Type()&fs.ModeSymlink != 0 {
			st, err := os.Stat(abs)
			if err != nil {
				// A dangling link is not evidence of anything; note it and go on.
				w.r.Errors = append(w.r.Errors, FileError{Path: w.display(childRel), Err: err})
				continue
			}
			isDir = st.IsDir()
			size = st.Size()
			if !isDir && !st.Mode().IsRegular() {
				continue
			}
		} else if !isDir && !e.Type().IsRegular() {
			continue // sockets, devices, pipes
		}
		if isDir && skipDirs[name] {
			continue
		}
		if w.ign.ignored(childRel, isDir) {
			w.r.Ignored++
			continue
		}
		if isDir {
			real, err := filepath.EvalSymlinks(abs)
			if err != nil {
				w.r.Errors = append(w.r.Errors, FileError{Path: w.display(childRel), Err: err})
				continue
			}
			if w.seen[real] {
				continue
			}
			w.seen[real] = true
			w.r.Dirs = append(w.r.Dirs, w.display(childRel))
			if err := w.walk(ctx, abs, childRel); err != nil {
				return err
			}
			continue
		}
		if size == 0 {
			info, err := e.Info()
			if err != nil {
				w.r.Errors = append(w.r.Errors, FileError{Path: w.display(childRel), Err: err})
				continue
			}
			size = info.Size()
		}
		w.r.add(&File{Root: w.root, Rel: childRel, Abs: abs, Size: size}, w.nroots)
	}
	return nil
}

func (w *walker) display(rel string) string {
	if w.nroots > 1 {
		return filepath.ToSlash(filepath.Join(w.root, rel))
	}
	if rel == "" {
		return "."
	}
	return rel
}

func join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// File returns the file with the given display path.
func (r *Repo) File(p string) (*File, bool) {
	f, ok := r.byPath[strings.TrimPrefix(filepath.ToSlash(p), "./")]
	return f, ok
}

// Paths lists every indexed file's display path.
func (r *Repo) Paths() []string {
	out := make([]string, len(r.Files))
	for i, f := range r.Files {
		out[i] = f.Path
	}
	return out
}

// Glob returns the files matching any of the patterns (see Glob).
func (r *Repo) Glob(patterns ...string) ([]*File, error) {
	gs := make([]*Glob, 0, len(patterns))
	for _, p := range patterns {
		g, err := CompileGlob(p)
		if err != nil {
			return nil, err
		}
		gs = append(gs, g)
	}
	return r.Match(gs...), nil
}

// Match returns the files matching any of the compiled globs. Many checks
// ask the same patterns of one repository, so results are memoized per run;
// the slice returned is shared and clipped, so appending to it copies.
func (r *Repo) Match(globs ...*Glob) []*File {
	key := GlobsKey(globs)
	r.matchMu.Lock()
	if fs, ok := r.matchMemo[key]; ok {
		r.matchMu.Unlock()
		return fs
	}
	r.matchMu.Unlock()
	var out []*File
	for _, f := range r.Files {
		for _, g := range globs {
			if g.matchParts(f.parts) {
				out = append(out, f)
				break
			}
		}
	}
	out = slices.Clip(out)
	r.matchMu.Lock()
	if r.matchMemo == nil {
		r.matchMemo = map[string][]*File{}
	}
	r.matchMemo[key] = out
	r.matchMu.Unlock()
	return out
}

// GlobsKey identifies a set of globs by their sources.
func GlobsKey(globs []*Glob) string {
	var b strings.Builder
	for _, g := range globs {
		b.WriteString(g.src)
		b.WriteByte(0)
	}
	return b.String()
}

// MatchDirs returns the folders (display paths) matching any glob.
func (r *Repo) MatchDirs(globs ...*Glob) []string {
	var out []string
	for _, d := range r.Dirs {
		rel := d
		if len(r.Roots) > 1 {
			rel = relToRoot(r.Roots, d)
		}
		for _, g := range globs {
			if g.Match(rel) {
				out = append(out, d)
				break
			}
		}
	}
	return out
}

func relToRoot(roots []string, p string) string {
	for _, root := range roots {
		pre := filepath.ToSlash(filepath.Clean(root)) + "/"
		if strings.HasPrefix(p, pre) {
			return p[len(pre):]
		}
	}
	return p
}

// MatchRegexp returns the files whose relative path matches re.
func (r *Repo) MatchRegexp(re *regexp.Regexp) []*File {
	var out []*File
	for _, f := range r.Files {
		if re.MatchString(f.Rel) {
			out = append(out, f)
		}
	}
	return out
}

// IgnoredPath reports whether the .gitignore files of root ignore rel (a slash
// path relative to that root), whether or not such a file exists.
func (r *Repo) IgnoredPath(root, rel string, isDir bool) bool {
	s := r.ignores[root]
	if s == nil {
		return false
	}
	// A path is ignored when it or any parent folder is.
	parts := strings.Split(rel, "/")
	for i := 1; i < len(parts); i++ {
		if s.ignored(strings.Join(parts[:i], "/"), true) {
			return true
		}
	}
	return s.ignored(rel, isDir)
}

// Match is one line of a file that matched a pattern.
type Match struct {
	File *File
	Line int
	Text string // the line, trimmed and cut to 200 bytes
}

// Grep searches the files' contents line by line. Unreadable, binary and
// oversize files are skipped; max bounds the matches returned (0: no bound).
func Grep(files []*File, re *regexp.Regexp, max int) []Match {
	var out []Match
	for _, f := range files {
		data, err := f.Content()
		if err != nil || !re.Match(data) {
			continue
		}
		line := 1
		for len(data) > 0 {
			i := bytes.IndexByte(data, '\n')
			var l []byte
			if i < 0 {
				l, data = data, nil
			} else {
				l, data = data[:i], data[i+1:]
			}
			if re.Match(l) {
				out = append(out, Match{File: f, Line: line, Text: clip(strings.TrimSpace(string(l)), 200)})
				if max > 0 && len(out) >= max {
					return out
				}
			}
			line++
		}
	}
	return out
}

// GrepFirst returns the first match in f, if any. Patterns spanning lines
// (with (?s)) are located at the line where the match starts.
func GrepFirst(f *File, re *regexp.Regexp) (Match, bool) {
	data, err := f.Content()
	if err != nil {
		return Match{}, false
	}
	loc := re.FindIndex(data)
	if loc == nil {
		return Match{}, false
	}
	line := 1 + bytes.Count(data[:loc[0]], []byte{'\n'})
	start := bytes.LastIndexByte(data[:loc[0]], '\n') + 1
	end := bytes.IndexByte(data[loc[0]:], '\n')
	if end < 0 {
		end = len(data)
	} else {
		end += loc[0]
	}
	return Match{File: f, Line: line, Text: clip(strings.TrimSpace(string(data[start:end])), 200)}, true
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
