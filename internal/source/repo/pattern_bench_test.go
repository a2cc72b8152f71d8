package repo

import (
	"bytes"
	"testing"

	"golive.dev/golive/bench/kubeset"
)

// kubeFiles is the benchmarks' generated set of Kubernetes manifests
// (bench/kubeset): n files of 20 five-object apps.
func kubeFiles(n int) []*File {
	var files []*File
	if _, err := kubeset.Generate(n*100, func(name string, data []byte) error {
		files = append(files, memFile("deploy/"+name, bytes.Clone(data)))
		return nil
	}); err != nil {
		panic(err)
	}
	return files
}

// BenchmarkGrepFirst searches generated manifests for patterns the packs
// run over YAML, none of which matches: the common case, where every file
// is searched to the end. "regexp" is the search without the prefilter.
// json-log is the prefilter's worst case: both words are in every file, so
// the regexp still runs and the literal scans are pure overhead.
func BenchmarkGrepFirst(b *testing.B) {
	files := kubeFiles(100)
	var size int64
	for _, f := range files {
		data, _ := f.Content()
		size += int64(len(data))
	}
	for _, bc := range []struct{ name, expr string }{
		{"feature-flags", `(?i)(launchdarkly|unleash|flagsmith|growthbook|openfeature|split\.io|configcat|flipt|feature[_-]?flags?)`},
		{"helm-rollback", `(?i)(helm\s+rollback|rollout\s+undo)`},
		{"severity-route", `(?i)severity\s*(=~?|:)\s*\"?[^\"\n]*(critical|warning)`},
		{"json-log", `(?i)\bjson\b.*log`},
	} {
		p := MustCompilePattern(bc.expr)
		for _, v := range []struct {
			name string
			p    *Pattern
		}{{"regexp", &Pattern{re: p.re}}, {"prefilter", p}} {
			b.Run(bc.name+"/"+v.name, func(b *testing.B) {
				b.SetBytes(size)
				b.ReportAllocs()
				for b.Loop() {
					for _, f := range files {
						if _, ok := GrepFirst(f, v.p); ok {
							b.Fatalf("%s matches %s", bc.expr, f.Path)
						}
					}
				}
			})
		}
	}
}
