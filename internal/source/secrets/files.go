package secrets

import "golive.dev/golive/internal/source/repo"

// selectFiles picks the files worth scanning from the run's repository
// index. The index already leaves out what .gitignore ignores (ignored files
// are not committed, so they cannot leak through the repository) and the
// excluded folders; what is left here is size: empty files hold nothing and
// big ones are data dumps, costly to scan and unlikely to hold a credential.
func selectFiles(r *repo.Repo) []*repo.File {
	var out []*repo.File
	for _, f := range r.Files {
		if f.Size > 0 && f.Size <= maxFileSize {
			out = append(out, f)
		}
	}
	return out
}
