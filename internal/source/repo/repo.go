// Package repo indexes the files of the scanned repositories: one walk over
// the given paths that honours .gitignore, source.DefaultExcludes and the
// user's --exclude globs, never loops on symlinks, and reads file contents
// only when a check asks. Every source that reads repository files selects
// them from this index, so they all see the same files and the tree is
// walked once per run.
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
	"sync/atomic"

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

// skipDirs are VCS folders that DefaultExcludes does not name (it names
// .git): never the service's own evidence.
var skipDirs = map[string]bool{".hg": true, ".svn": true}

// File is one indexed file.
type File struct {
	Root string // the scan root it was found under, as given
	Rel  string // slash path relative to Root; globs match this
	Path string // slash path shown to users: Rel, prefixed by Root when several roots were scanned
	Abs  string
	Size int64

	// Given is set for a root that is a file (golive check deploy.yaml):
	// Rel is then its base name and Path the path as given.
	Given bool

	parts []string // lower-cased segments of Rel, for glob matching

	once   sync.Once
	loaded atomic.Bool // set once data and err are kept
	data   []byte
	err    error
}

// OSPath is the file's path as the user can open it from where golive runs:
// the root as given joined with Rel.
func (f *File) OSPath() string {
	if f.Given {
		return f.Root
	}
	return filepath.Join(f.Root, filepath.FromSlash(f.Rel))
}

// Content returns the file's bytes, reading them once and keeping them for
// every later caller. Binary and oversize files return ErrBinary /
// ErrTooLarge.
func (f *File) Content() ([]byte, error) {
	f.once.Do(func() {
		f.data, f.err = f.read()
		f.loaded.Store(true)
	})
	return f.data, f.err
}

// Read is Content for callers that look at every file once (a secret scan):
// it shares bytes already kept but does not keep what it reads, so a scan
// of the whole tree does not hold the whole tree in memory.
func (f *File) Read() ([]byte, error) { return f.ReadInto(nil) }

// Searchable reports why the file cannot be searched (ErrTooLarge,
// ErrBinary, a read error), reading no more than it takes to tell.
func (f *File) Searchable() error {
	if f.loaded.Load() {
		return f.err
	}
	if f.Size > MaxContent {
		return ErrTooLarge
	}
	fh, err := os.Open(f.Abs)
	if err != nil {
		return fmt.Errorf("read %s: %w", f.Path, err)
	}
	defer fh.Close()
	head := make([]byte, binaryProbe)
	n, err := io.ReadFull(fh, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("read %s: %w", f.Path, err)
	}
	if bytes.IndexByte(head[:n], 0) >= 0 {
		return ErrBinary
	}
	return nil
}

// binaryProbe is how much of a file is looked at for a NUL byte, the sign
// of a binary file.
const binaryProbe = 8000

func (f *File) read() ([]byte, error) { return f.readInto(nil) }

// ReadInto is Read into buf's storage, grown as needed, for a caller that
// reads many files one after the other and keeps none (a search): one
// buffer serves them all. The result is only valid until buf is reused,
// and must not be changed (it may be the bytes Content kept).
func (f *File) ReadInto(buf []byte) ([]byte, error) {
	data, _, err := f.readShared(buf)
	return data, err
}

// readShared is ReadInto saying whether the bytes are the ones Content
// kept (which must not become anyone's buffer).
func (f *File) readShared(buf []byte) (data []byte, kept bool, err error) {
	if f.loaded.Load() {
		return f.data, true, f.err
	}
	data, err = f.readInto(buf)
	return data, false, err
}

func (f *File) readInto(buf []byte) ([]byte, error) {
	if f.Size > MaxContent {
		return nil, ErrTooLarge
	}
	fh, err := os.Open(f.Abs)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Path, err)
	}
	defer fh.Close()
	// Sized from the walk, as os.ReadFile does: io.ReadAll's doubling would
	// allocate about twice the file, for every file of every search.
	data := buf[:0]
	if want := int(min(f.Size, MaxContent)) + 512; cap(data) < want {
		data = make([]byte, 0, want)
	}
	for {
		n, err := fh.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if len(data) > MaxContent {
			return nil, ErrTooLarge
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f.Path, err)
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // the file grew since the walk
		}
	}
	if bytes.IndexByte(data[:min(len(data), binaryProbe)], 0) >= 0 {
		return nil, ErrBinary
	}
	return data, nil
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
	// Excluded counts the files and folders left out by DefaultExcludes and
	// the user's exclude globs (a folder counts once, its content not at all).
	Excluded int

	excludes  []exclude
	seenAbs   map[string]bool // with several roots: files already indexed, so overlapping roots do not list a file twice
	byPath    map[string]*File
	kindMu    sync.Mutex
	kindMemo  map[string][]*File
	matchMu   sync.Mutex
	matchMemo map[string][]*File
	ignores   map[string]*ignoreSet // per root: the rules of every .gitignore read
}

// From returns the repository index of the run, walking Inputs.Paths once
// and leaving out Inputs.Exclude besides .gitignore and DefaultExcludes.
func From(ctx context.Context, env *source.Env) (*Repo, error) {
	return source.Load(ctx, env, "repo", func(ctx context.Context, in *source.Inputs) (*Repo, error) {
		if len(in.Paths) == 0 {
			return nil, source.NotGiven("a repository path", "repository path")
		}
		return LoadWith(ctx, Options{Exclude: in.Exclude}, in.Paths...)
	})
}

// Options tune a walk.
type Options struct {
	// Exclude are globs (see Glob) relative to each root, of files and
	// folders to leave out on top of source.DefaultExcludes. A folder that
	// matches is not entered; a pattern ending in "/" matches only folders.
	Exclude []string
}

// exclude is one compiled exclusion glob.
type exclude struct {
	g       *Glob
	dirOnly bool
}

func compileExcludes(user []string) ([]exclude, error) {
	var out []exclude
	for i, p := range append(append([]string{}, source.DefaultExcludes...), user...) {
		t := strings.TrimSpace(p)
		dirOnly := strings.HasSuffix(t, "/")
		g, err := CompileGlob(strings.TrimRight(t, "/"))
		if err != nil {
			if i < len(source.DefaultExcludes) {
				panic(err) // a bad built-in pattern is a bug
			}
			return nil, fmt.Errorf("exclude %q: %w", p, err)
		}
		out = append(out, exclude{g: g, dirOnly: dirOnly})
	}
	return out, nil
}

// excluded reports whether an entry (its lower-cased root-relative
// segments) is left out by an exclusion glob.
func (r *Repo) excluded(parts []string, isDir bool) bool {
	for _, e := range r.excludes {
		if (isDir || !e.dirOnly) && e.g.matchParts(parts) {
			return true
		}
	}
	return false
}

// Load walks the roots with the default exclusions; see LoadWith.
func Load(ctx context.Context, roots ...string) (*Repo, error) {
	return LoadWith(ctx, Options{}, roots...)
}

// LoadWith walks the roots and builds the index. A root that does not exist
// is an error; unreadable entries below a root are recorded in Errors. A
// root that is a file is indexed as given, whatever its name and whatever
// the exclusions and .gitignore say: the user named it.
func LoadWith(ctx context.Context, opt Options, roots ...string) (*Repo, error) {
	ex, err := compileExcludes(opt.Exclude)
	if err != nil {
		return nil, err
	}
	r := &Repo{byPath: map[string]*File{}, ignores: map[string]*ignoreSet{}, excludes: ex}
	if len(roots) > 1 {
		r.seenAbs = map[string]bool{}
	}
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
			if !st.Mode().IsRegular() {
				return nil, fmt.Errorf("repository path %s: not a regular file or folder", root)
			}
			base := filepath.Base(abs)
			r.add(&File{Root: root, Rel: base, Path: filepath.ToSlash(filepath.Clean(root)), Abs: abs, Size: st.Size(),
				Given: true, parts: []string{strings.ToLower(base)}})
			continue
		}
		w := &walker{r: r, root: root, nroots: len(roots), ign: &ignoreSet{}, seen: map[string]bool{}}
		real, err := filepath.EvalSymlinks(abs)
		if err != nil {
			real = abs
		}
		w.seen[real] = true
		if err := w.walk(ctx, abs, real, "", nil); err != nil {
			return nil, err
		}
		r.ignores[root] = w.ign
	}
	sort.Slice(r.Files, func(i, j int) bool { return r.Files[i].Path < r.Files[j].Path })
	sort.Strings(r.Dirs)
	return r, nil
}

// add indexes f; Path and parts are set by the caller for a given file.
func (r *Repo) add(f *File) {
	if r.seenAbs != nil {
		if r.seenAbs[f.Abs] {
			return
		}
		r.seenAbs[f.Abs] = true
	}
	r.Files = append(r.Files, f)
	r.byPath[f.Path] = f
	// Lookups by root-relative path work too; with several roots the first
	// root's file wins, as it is listed first.
	if _, taken := r.byPath[f.Rel]; !taken {
		r.byPath[f.Rel] = f
	}
}

type walker struct {
	r      *Repo
	root   string
	nroots int
	ign    *ignoreSet
	seen   map[string]bool // real paths of directories entered, against symlink loops
}

// walk indexes dir (abs path; real is the same with symlinks resolved), whose
// root-relative slash path is rel and lower-cased segments parts.
func (w *walker) walk(ctx context.Context, dir, real, rel string, parts []string) error {
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
		link := e.Type()&fs.ModeSymlink != 0
		var size int64
		if link {
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
			w.r.Excluded++
			continue
		}
		childParts := append(parts[:len(parts):len(parts)], strings.ToLower(name))
		if w.r.excluded(childParts, isDir) {
			w.r.Excluded++
			continue
		}
		if w.ign.ignored(childRel, isDir) {
			w.r.Ignored++
			continue
		}
		if isDir {
			// Only a link can lead back to a folder already walked, so only
			// links pay for resolving their real path.
			childReal := filepath.Join(real, name)
			if link {
				if childReal, err = filepath.EvalSymlinks(abs); err != nil {
					w.r.Errors = append(w.r.Errors, FileError{Path: w.display(childRel), Err: err})
					continue
				}
			}
			if w.seen[childReal] {
				continue
			}
			w.seen[childReal] = true
			w.r.Dirs = append(w.r.Dirs, w.display(childRel))
			if err := w.walk(ctx, abs, childReal, childRel, childParts); err != nil {
				return err
			}
			continue
		}
		if !link {
			info, err := e.Info()
			if err != nil {
				w.r.Errors = append(w.r.Errors, FileError{Path: w.display(childRel), Err: err})
				continue
			}
			size = info.Size()
		}
		w.r.add(&File{Root: w.root, Rel: childRel, Path: w.display(childRel), Abs: abs, Size: size, parts: childParts})
	}
	return nil
}

// display is how a file is named in findings: the path the user can open
// from where golive runs (the root as given joined with the relative path),
// the same form every other source uses.
func (w *walker) display(rel string) string {
	return filepath.ToSlash(filepath.Join(w.root, rel))
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

// RelPaths lists every indexed file relative to its root: what CEL
// expressions in packs see, independent of where golive was started.
func (r *Repo) RelPaths() []string {
	out := make([]string, len(r.Files))
	for i, f := range r.Files {
		out[i] = f.Rel
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
		rel := relToRoot(r.Roots, d)
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
func Grep(files []*File, p *Pattern, max int) []Match {
	return new(Searcher).Grep(files, p, max)
}

// GrepFirst returns the first match in f, if any. Patterns spanning lines
// (with (?s)) are located at the line where the match starts.
func GrepFirst(f *File, p *Pattern) (Match, bool) {
	return new(Searcher).First(f, p)
}

// Searcher searches files one after the other through one read buffer: a
// search over thousands of files allocates nothing per file, and keeps none
// of them (Content would keep them all for the run).
type Searcher struct{ buf []byte }

// Grep is the package's Grep through s's buffer.
func (s *Searcher) Grep(files []*File, p *Pattern, max int) []Match {
	var out []Match
	for _, f := range files {
		data, err := s.Read(f)
		if err != nil || !p.Match(data) {
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
			if p.Match(l) {
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

// First is the package's GrepFirst through s's buffer.
func (s *Searcher) First(f *File, p *Pattern) (Match, bool) {
	data, err := s.Read(f)
	if err != nil {
		return Match{}, false
	}
	return FirstIn(f, data, p)
}

// FirstIn is GrepFirst over data, f's content as read already: one read for
// several patterns.
func FirstIn(f *File, data []byte, p *Pattern) (Match, bool) {
	loc := p.FindIndex(data)
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

// Read reads f through the buffer (see File.ReadInto): the bytes are valid
// until the next read.
func (s *Searcher) Read(f *File) ([]byte, error) {
	data, kept, err := f.readShared(s.buf)
	if !kept && cap(data) > cap(s.buf) {
		s.buf = data[:0]
	}
	return data, err
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
