package repo

import "golive.dev/golive/internal/source"

// Problems lists the input that could not be read, for the run's report.
func (r *Repo) Problems() []source.Problem {
	out := make([]source.Problem, 0, len(r.Errors))
	for _, e := range r.Errors {
		out = append(out, source.Problem{File: e.Path, Message: e.Err.Error()})
	}
	return out
}
