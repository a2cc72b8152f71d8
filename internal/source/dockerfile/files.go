package dockerfile

import (
	"bufio"
	"bytes"
	"path"
	"strings"

	"golive.dev/golive/internal/source/repo"
)

// IsDockerfile says whether a file name is a Dockerfile or Containerfile.
func IsDockerfile(name string) bool {
	n := strings.ToLower(name)
	return n == "dockerfile" || n == "containerfile" ||
		strings.HasPrefix(n, "dockerfile.") || strings.HasPrefix(n, "containerfile.") ||
		strings.HasSuffix(n, ".dockerfile") || strings.HasSuffix(n, ".containerfile")
}

// selectFiles picks the Dockerfiles from the run's repository index, which
// already left out ignored and excluded paths. A file the user named as a
// path is taken when its name or its first instruction says Dockerfile, so
// `golive check build/app.docker` works and `golive check deploy.yaml` does
// not parse YAML as a Dockerfile.
func selectFiles(r *repo.Repo) []*repo.File {
	var out []*repo.File
	for _, f := range r.Files {
		name := path.Base(f.Rel)
		if strings.HasSuffix(strings.ToLower(name), ".dockerignore") {
			continue
		}
		if IsDockerfile(name) || f.Given && startsLikeDockerfile(f) {
			out = append(out, f)
		}
	}
	return out
}

// startsLikeDockerfile reports whether the first instruction of f (after
// comments, parser directives and blank lines) is FROM or ARG.
func startsLikeDockerfile(f *repo.File) bool {
	data, err := f.Content()
	if err != nil {
		return false
	}
	sc := bufio.NewScanner(bytes.NewReader(data[:min(len(data), 64<<10)]))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		word, _, _ := strings.Cut(line, " ")
		word = strings.ToUpper(word)
		return word == "FROM" || word == "ARG"
	}
	return false
}
