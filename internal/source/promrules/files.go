package promrules

import (
	"path"
	"strings"

	"golive.dev/golive/internal/source/repo"
)

// selectFiles picks the YAML files from the run's repository index, which
// already left out ignored and excluded paths. Rules can live in any YAML
// file (PrometheusRule objects sit among other manifests), so the name says
// no more than that.
func selectFiles(r *repo.Repo) []*repo.File {
	var out []*repo.File
	for _, f := range r.Files {
		ext := strings.ToLower(path.Ext(f.Rel))
		if ext == ".yml" || ext == ".yaml" || f.Given {
			out = append(out, f)
		}
	}
	return out
}
