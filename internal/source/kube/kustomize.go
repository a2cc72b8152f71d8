package kube

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

const originAnnotation = "config.kubernetes.io/origin"

var kustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

func kustomizationFile(dir string) string {
	for _, n := range kustomizationNames {
		p := filepath.Join(dir, n)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

// originFS asks kustomize to keep origin annotations on every object (as
// `buildMetadata: [originAnnotations]` would) without touching the user's
// file, so each object can be traced back to the file it came from.
type originFS struct {
	filesys.FileSystem
	root string // the kustomization file of the build root
}

func (f originFS) ReadFile(path string) ([]byte, error) {
	b, err := f.FileSystem.ReadFile(path)
	if err != nil || filepath.Clean(path) != f.root {
		return b, err
	}
	var k map[string]any
	if yaml.Unmarshal(b, &k) != nil || k == nil {
		return b, nil // let kustomize report the error in its own words
	}
	md, _ := k["buildMetadata"].([]any)
	for _, v := range md {
		if v == types.OriginAnnotations {
			return b, nil
		}
	}
	k["buildMetadata"] = append(md, types.OriginAnnotations)
	out, err := yaml.Marshal(k)
	if err != nil {
		return b, nil
	}
	return out, nil
}

// buildKustomization runs kustomize build in-process on dir.
func (bd *builder) buildKustomization(dir string) ([]*Object, []*FileError) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, []*FileError{{File: dir, Err: err}}
	}
	kfile := kustomizationFile(abs)
	fs := originFS{FileSystem: filesys.MakeFsOnDisk(), root: kfile}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	rm, err := k.Run(fs, abs)
	if err != nil {
		return nil, []*FileError{{File: relTo(dir, kfile, abs), Err: fmt.Errorf("kustomize build: %w", err)}}
	}
	var objs []*Object
	var errs []*FileError
	shown := relTo(dir, kfile, abs)
	for _, r := range rm.Resources() {
		b, err := r.AsYAML()
		if err != nil {
			errs = append(errs, &FileError{File: shown, Err: fmt.Errorf("kustomize output: %w", err)})
			continue
		}
		os, es := bd.readManifests(shown, b)
		errs = append(errs, es...)
		for _, o := range os {
			o.Origin, o.Kustomization = FromKustomize, shown
			o.pos = nil
			o.Line = 0
			if origin := o.Annotations[originAnnotation]; origin != "" {
				delete(o.Annotations, originAnnotation)
				if md := o.data.child(o.root, "metadata"); md >= 0 {
					if an := o.data.child(md, "annotations"); an >= 0 {
						o.data.removeKey(an, originAnnotation)
						if o.data.end(an) == an+1 {
							o.data.removeKey(md, "annotations")
						}
					}
				}
				if len(o.Annotations) == 0 {
					o.Annotations = nil
				}
				locateOrigin(o, origin, dir, abs)
			}
			objs = append(objs, o)
		}
	}
	return objs, errs
}

// relTo shows path as the user named the build root (relative stays relative).
func relTo(dir, path, abs string) string {
	if path == "" {
		return dir
	}
	if r, err := filepath.Rel(abs, path); err == nil {
		return filepath.Join(dir, r)
	}
	return path
}

// locateOrigin points o at the document in the file kustomize read it from.
// Overlays may rename objects (namePrefix) and patch fields; positions of
// fields the base does not have fall back to the document's start.
func locateOrigin(o *Object, origin, dir, abs string) {
	var og struct {
		Path string `yaml:"path"`
		Repo string `yaml:"repo"`
	}
	if yaml.Unmarshal([]byte(origin), &og) != nil || og.Path == "" || og.Repo != "" {
		return
	}
	file := filepath.Join(dir, og.Path)
	b, err := readFileLimited(filepath.Join(abs, og.Path))
	if err != nil {
		return
	}
	o.File = file
	var fallback *document
	for _, d := range splitDocuments(b) {
		var h struct {
			Kind     string `yaml:"kind"`
			Metadata struct {
				Name string `yaml:"name"`
			} `yaml:"metadata"`
		}
		if yaml.Unmarshal(d.data, &h) != nil || h.Kind != o.Kind {
			continue
		}
		d := d
		if h.Metadata.Name == o.Name {
			fallback = &d
			break
		}
		if h.Metadata.Name != "" && strings.Contains(o.Name, h.Metadata.Name) && fallback == nil {
			fallback = &d
		}
	}
	if fallback == nil {
		o.Line = 1
		return
	}
	o.Line = fallback.startLine
	for _, l := range bytes.Split(fallback.data, []byte("\n")) {
		t := bytes.TrimSpace(l)
		if len(t) > 0 && t[0] != '#' {
			break
		}
		o.Line++
	}
	o.pos = &docPositions{data: fallback.data, offset: fallback.startLine - 1}
}
