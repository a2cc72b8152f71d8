// Package secrets is the evidence source for secrets committed to the
// repository: gitleaks' detector over every file git would track, NATS
// credentials, and Kubernetes Secret manifests with literal data. Secret
// values never leave this package unmasked.
package secrets

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"golive.dev/golive/internal/mask"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/repo"
)

// Leak is one secret found, already masked.
type Leak struct {
	Rule        string // gitleaks rule id, "nats-credentials" or "kubernetes-secret-literal"
	Description string
	File        string
	Line        int
	Object      string // Secret/namespace/name for manifests
	Key         string // data key for manifests
	Masked      string // the value masked: the rule and location say what it is
}

// FileError is a file that could not be scanned.
type FileError struct {
	File string
	Err  error
}

// Set is what a run's secret scan found.
type Set struct {
	Leaks   []Leak
	Scanned int
	Errors  []FileError
}

// From scans the files of the run's repository index once.
func From(ctx context.Context, env *source.Env) (*Set, error) {
	return source.Load(ctx, env, "secrets", func(ctx context.Context, in *source.Inputs) (*Set, error) {
		r, err := repo.From(ctx, env)
		if err != nil {
			return nil, err
		}
		return load(ctx, r)
	})
}

// maxFileSize skips big files: secrets sit in source and config, and
// scanning data dumps would cost much and find little.
const maxFileSize = 2 << 20

func load(ctx context.Context, r *repo.Repo) (*Set, error) {
	sc, err := newScanner()
	if err != nil {
		return nil, err
	}
	// Files are scanned on every CPU; results are kept in file order so the
	// report does not depend on scheduling.
	files := selectFiles(r)
	type result struct {
		scanned bool
		leaks   []Leak
		errs    []FileError
	}
	results := make([]result, len(files))
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{sc: sc}
			for i := range work {
				rf := files[i]
				// Leaks name the file as the user can open it from where golive runs.
				f := rf.OSPath()
				// Through one buffer, not Content: the scan looks at every file
				// once, and keeping them all would hold the whole tree for the run.
				data, err := w.read.Read(rf)
				if errors.Is(err, repo.ErrBinary) || errors.Is(err, repo.ErrTooLarge) {
					continue
				}
				if err != nil {
					results[i].errs = append(results[i].errs, FileError{File: f, Err: err})
					continue
				}
				results[i].scanned = true
				leaks, err := scanFile(w, f, data)
				if err != nil {
					results[i].errs = append(results[i].errs, FileError{File: f, Err: err})
				}
				results[i].leaks = leaks
			}
		}()
	}
	for i := range files {
		if ctx.Err() != nil {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	set := &Set{}
	for _, res := range results {
		if res.scanned {
			set.Scanned++
		}
		set.Leaks = append(set.Leaks, res.leaks...)
		set.Errors = append(set.Errors, res.errs...)
	}
	return set, nil
}

var natsCreds = regexp.MustCompile(`-----BEGIN (NATS USER JWT|USER NKEY SEED)-----|\bSU[A-Z2-7]{56}\b`)

// scanFile finds the secrets in one file's content.
func scanFile(w *worker, path string, data []byte) ([]Leak, error) {
	var out []Leak
	hits, err := w.scan(path, data)
	enc := encryptedLines(path, data)
	for _, h := range hits {
		if enc[h.Line] {
			continue
		}
		out = append(out, Leak{Rule: h.Rule, Description: h.Description, File: path, Line: h.Line, Masked: mask.Value(h.Secret)})
	}
	for _, loc := range natsCreds.FindAllIndex(data, -1) {
		line := bytes.Count(data[:loc[0]], []byte("\n")) + 1
		out = append(out, Leak{Rule: "nats-credentials", Description: "NATS user credentials or nkey seed", File: path, Line: line, Masked: mask.Value(string(data[loc[0]:loc[1]]))})
	}
	ext := strings.ToLower(filepath.Ext(path))
	if (ext == ".yaml" || ext == ".yml") && bytes.Contains(data, []byte("Secret")) {
		out = append(out, k8sLiterals(path, data)...)
	}
	return out, err
}

// k8sLiterals reports Secret manifests whose data or stringData hold
// values. Helm templates (values from {{ }}) are not literals; YAML that does
// not parse is someone else's to report.
func k8sLiterals(path string, data []byte) (out []Leak) {
	defer func() {
		if recover() != nil {
			out = nil
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) || err != nil {
			return out
		}
		root := &n
		if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
			root = root.Content[0]
		}
		kind := mapGet(root, "kind")
		if kind == nil || kind.Value != "Secret" {
			continue
		}
		obj := "Secret/"
		md := mapGet(root, "metadata")
		if ns := mapGet(md, "namespace"); ns != nil {
			obj += ns.Value
		}
		if nm := mapGet(md, "name"); nm != nil {
			obj += "/" + nm.Value
		}
		for _, field := range []string{"data", "stringData"} {
			m := mapGet(root, field)
			if m == nil || m.Kind != yaml.MappingNode {
				continue
			}
			for i := 0; i+1 < len(m.Content); i += 2 {
				k, v := m.Content[i], m.Content[i+1]
				if v.Kind != yaml.ScalarNode || strings.TrimSpace(v.Value) == "" || strings.Contains(v.Value, "{{") {
					continue
				}
				out = append(out, Leak{Rule: "kubernetes-secret-literal", Description: "Secret manifest with a literal value in " + field,
					File: path, Line: k.Line, Object: obj, Key: k.Value, Masked: mask.Value(v.Value)})
			}
		}
	}
}

// encryptedLines are lines holding encrypted values (SealedSecret
// encryptedData, SOPS ENC[...]): high-entropy by design, not leaks.
func encryptedLines(path string, data []byte) map[int]bool {
	out := map[int]bool{}
	for i, l := range bytes.Split(data, []byte("\n")) {
		if bytes.Contains(l, []byte("ENC[AES256_GCM")) {
			out[i+1] = true
		}
	}
	ext := strings.ToLower(filepath.Ext(path))
	if (ext != ".yaml" && ext != ".yml") || !bytes.Contains(data, []byte("SealedSecret")) {
		return out
	}
	func() {
		defer func() { _ = recover() }()
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var n yaml.Node
			if err := dec.Decode(&n); err != nil {
				return
			}
			root := &n
			if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
				root = root.Content[0]
			}
			if k := mapGet(root, "kind"); k == nil || k.Value != "SealedSecret" {
				continue
			}
			if m := mapGet(mapGet(root, "spec"), "encryptedData"); m != nil {
				for _, c := range m.Content {
					for l := c.Line; l <= c.Line+strings.Count(c.Value, "\n"); l++ {
						out[l] = true
					}
				}
			}
		}
	}()
	return out
}

func mapGet(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
