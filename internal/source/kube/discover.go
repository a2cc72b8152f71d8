package kube

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"go.yaml.in/yaml/v3"

	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/repo"
)

// Key is the source key in source.Env.
const Key = "kube"

// From returns the Kubernetes objects of the run, loading them once. The
// files come from the run's repository index, so .gitignore, the default
// excludes and --exclude leave out manifests as they do every other file.
func From(ctx context.Context, env *source.Env) (*Set, error) {
	return source.Load(ctx, env, Key, func(ctx context.Context, in *source.Inputs) (*Set, error) {
		if len(in.Paths) == 0 {
			return Load(ctx, in)
		}
		r, err := repo.From(ctx, env)
		if err != nil {
			return nil, err
		}
		d := newDiscovery()
		d.index(r)
		return d.load(ctx, in, in.Paths)
	})
}

// Load discovers and decodes every Kubernetes object under in.Paths (the
// current folder when there are none), indexing them itself: for callers
// without a run's environment. It fails only when nothing was found:
// per-input problems are in Set.Errors.
func Load(ctx context.Context, in *source.Inputs) (*Set, error) {
	paths := in.Paths
	if len(paths) == 0 {
		paths = []string{"."}
	}
	r, err := repo.LoadWith(ctx, repo.Options{Exclude: in.Exclude}, paths...)
	if err != nil {
		return nil, err
	}
	d := newDiscovery()
	d.index(r)
	return d.load(ctx, in, paths)
}

func newDiscovery() *discovery {
	return &discovery{consumed: map[string]bool{}, kustRefd: map[string]bool{}, seenKust: map[string]bool{}}
}

// load renders, builds and reads what discovery found.
func (d *discovery) load(ctx context.Context, in *source.Inputs, paths []string) (*Set, error) {
	opt := HelmOptions{ValuesFiles: in.HelmValues, Set: in.HelmSet, Release: in.Release, Namespace: in.Namespace, KubeVersion: in.KubeVersion}
	var objs []*Object
	var errs []*FileError
	set := &Set{}
	b := newBuilder() // one key table for the whole run
	for _, dir := range d.charts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		tpls, err := renderChart(dir, opt)
		if err != nil {
			errs = append(errs, asFileError(dir, err))
			continue
		}
		os, es := b.helmObjects(dir, tpls)
		objs, errs = append(objs, os...), append(errs, es...)
		set.Charts = append(set.Charts, dir)
	}
	for _, k := range d.kusts {
		if d.kustRefd[k.abs] || k.component {
			continue
		}
		os, es := b.buildKustomization(k.dir)
		objs, errs = append(objs, os...), append(errs, es...)
		if len(es) == 0 || len(os) > 0 {
			set.Kustomizations = append(set.Kustomizations, k.dir)
		}
	}
	var todo []string
	for _, f := range d.files {
		abs, _ := filepath.Abs(f)
		if !d.consumed[abs] && !d.consumed[filepath.Dir(abs)] {
			todo = append(todo, f)
		}
	}
	res, err := readFiles(ctx, b, todo)
	if err != nil {
		return nil, err
	}
	for i, f := range todo {
		objs, errs = append(objs, res[i].objs...), append(errs, res[i].errs...)
		if len(res[i].objs) > 0 {
			set.Files = append(set.Files, f)
		}
	}
	s := newSet(objs, in.Namespace)
	s.Errors = append(errs, d.errs...)
	s.Charts, s.Kustomizations, s.Files = set.Charts, set.Kustomizations, set.Files
	s.Waivers, s.WaiverErrors = parseWaivers(s)
	if in.ForbidInRepoWaivers {
		// Keep them visible, as errors: a waiver the run refuses must not
		// vanish silently.
		for _, w := range s.Waivers {
			s.WaiverErrors = append(s.WaiverErrors, &FileError{File: w.File, Line: w.Line,
				Err: fmt.Errorf("%s: waiver annotation for %s is not allowed (in-repo waivers are forbidden)", w.Object, w.Item)})
		}
		s.Waivers = nil
	}
	if len(objs) == 0 {
		if len(s.Errors) > 0 {
			return s, fmt.Errorf("no Kubernetes object could be loaded: %w", joinFileErrors(s.Errors))
		}
		return s, &source.Missing{Input: "a repository path with Kubernetes manifests, a Helm chart (Chart.yaml) or a kustomization.yaml",
			Reason: "no Kubernetes objects found under " + strings.Join(paths, ", ")}
	}
	return s, nil
}

type fileResult struct {
	objs []*Object
	errs []*FileError
}

// readFiles decodes manifest files on every CPU: parsing YAML is most of a
// run's cost for large repositories. Results keep the files' order, so
// objects and errors come out as a sequential read would give them.
func readFiles(ctx context.Context, b *builder, files []string) ([]fileResult, error) {
	res := make([]fileResult, len(files))
	workers := min(runtime.GOMAXPROCS(0), len(files))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		bw := b
		if w > 0 {
			bw = newBuilder() // builders are not shared between goroutines
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(files) {
					return
				}
				data, err := readFileLimited(files[i])
				if err != nil {
					res[i].errs = []*FileError{{File: files[i], Err: err}}
					continue
				}
				res[i].objs, res[i].errs = bw.readManifests(files[i], data)
			}
		}()
	}
	wg.Wait()
	return res, ctx.Err()
}

func joinFileErrors(es []*FileError) error {
	errs := make([]error, len(es))
	for i, e := range es {
		errs[i] = e
	}
	return errors.Join(errs...)
}

func asFileError(file string, err error) *FileError {
	var fe *FileError
	if errors.As(err, &fe) {
		return fe
	}
	return &FileError{File: file, Err: err}
}

type kust struct {
	dir, abs  string
	component bool
}

type discovery struct {
	charts   []string
	kusts    []kust
	files    []string
	consumed map[string]bool // absolute files and dirs a chart or kustomization reads
	kustRefd map[string]bool // kustomization dirs another kustomization includes
	seenKust map[string]bool
	errs     []*FileError
}

// skipDirs are never manifests of the service being checked.
var skipDirs = map[string]bool{".git": true, "node_modules": true, "vendor": true, ".terraform": true, "testdata": true, "__pycache__": true, ".venv": true}

// index finds charts, kustomizations and manifest files among the files of
// a repository index.
func (d *discovery) index(r *repo.Repo) {
	skipped := func(rel string) bool {
		segs := strings.Split(rel, "/")
		for _, s := range segs[:len(segs)-1] {
			if skipDirs[s] || strings.HasPrefix(s, ".") {
				return true
			}
		}
		return false
	}
	// Charts first: everything under a chart (templates, values, subcharts)
	// belongs to it, and a chart inside another is one of its subcharts.
	var charts []string
	for _, f := range r.Files {
		if f.Given {
			continue
		}
		if path.Base(f.Rel) == "Chart.yaml" && !skipped(f.Rel) {
			charts = append(charts, filepath.Dir(f.OSPath()))
		}
	}
	sort.Strings(charts) // a chart sorts before the charts inside it
	inChart := func(p string) bool {
		for _, c := range d.charts {
			if p == c || strings.HasPrefix(p, c+string(filepath.Separator)) {
				return true
			}
		}
		return false
	}
	for _, c := range charts {
		if !inChart(c) {
			d.charts = append(d.charts, c)
		}
	}
	for _, f := range r.Files {
		p := f.OSPath()
		if f.Given {
			d.given(p)
			continue
		}
		if skipped(f.Rel) || inChart(filepath.Dir(p)) {
			continue
		}
		switch base := path.Base(f.Rel); {
		case base == "kustomization.yaml" || base == "kustomization.yml" || base == "Kustomization":
			d.addKust(filepath.Dir(p))
		default:
			switch strings.ToLower(path.Ext(base)) {
			case ".yaml", ".yml", ".json":
				d.files = append(d.files, p)
			}
		}
	}
}

// given sorts a root that is a file.
func (d *discovery) given(p string) {
	switch filepath.Base(p) {
	case "Chart.yaml":
		d.charts = append(d.charts, filepath.Dir(p))
	case "kustomization.yaml", "kustomization.yml", "Kustomization":
		d.addKust(filepath.Dir(p))
	default:
		d.files = append(d.files, p)
	}
}

// addKust records a kustomization and marks what it reads, so that its
// inputs are not also read as raw manifests (patches would look like
// incomplete objects, bases would be counted twice).
func (d *discovery) addKust(dir string) {
	abs, err := filepath.Abs(dir)
	if err != nil || d.seenKust[abs] {
		return
	}
	d.seenKust[abs] = true
	kf := kustomizationFile(abs)
	b, err := readFileLimited(kf)
	if err != nil {
		d.errs = append(d.errs, &FileError{File: kf, Err: err})
		return
	}
	k := kust{dir: dir, abs: abs}
	d.consumed[abs] = true
	var y map[string]any
	if err := yaml.Unmarshal(b, &y); err != nil {
		d.kusts = append(d.kusts, k) // kustomize will report it at build
		return
	}
	k.component = y["kind"] == "Component"
	d.kusts = append(d.kusts, k)
	var refs []string
	for _, f := range []string{"resources", "bases", "components", "crds", "patchesStrategicMerge", "configurations", "generators", "transformers", "validators"} {
		if l, ok := y[f].([]any); ok {
			for _, v := range l {
				if s, ok := v.(string); ok {
					refs = append(refs, s)
				}
			}
		}
	}
	for _, f := range []string{"patches", "patchesJson6902", "replacements"} {
		if l, ok := y[f].([]any); ok {
			for _, v := range l {
				if m, ok := v.(map[string]any); ok {
					if s, ok := m["path"].(string); ok {
						refs = append(refs, s)
					}
				}
			}
		}
	}
	for _, r := range refs {
		if strings.Contains(r, "://") || strings.HasPrefix(r, "github.com/") || strings.Contains(r, "?ref=") {
			continue
		}
		p := filepath.Clean(filepath.Join(abs, r))
		st, err := os.Stat(p)
		if err != nil {
			continue // kustomize reports it when building
		}
		if st.IsDir() {
			d.kustRefd[p] = true
			d.consumed[p] = true
			if kustomizationFile(p) != "" {
				rel, _ := filepath.Rel(abs, p)
				d.addKust(filepath.Join(dir, rel))
			}
			continue
		}
		d.consumed[p] = true
	}
}

// readFileLimited reads a regular file, refusing huge ones with a clear error.
func readFileLimited(p string) ([]byte, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxFileSize {
		return nil, fmt.Errorf("file is %d bytes, larger than the %d MB limit for manifests", st.Size(), maxFileSize>>20)
	}
	b, err := os.ReadFile(p) // sized from the file, unlike io.ReadAll
	if err != nil {
		return nil, err
	}
	if isBinary(b) {
		return nil, nil
	}
	return b, nil
}

func isBinary(b []byte) bool {
	n := len(b)
	if n > 8000 {
		n = 8000
	}
	for _, c := range b[:n] {
		if c == 0 {
			return true
		}
	}
	return false
}

// SortedObjects returns objects ordered by file then line, for stable output.
func SortedObjects(objs []*Object) []*Object {
	out := append([]*Object(nil), objs...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out
}
