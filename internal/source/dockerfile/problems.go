package dockerfile

import "golive.dev/golive/internal/source"

// Problems lists the input that could not be read, for the run's report.
func (s *Set) Problems() []source.Problem {
	var out []source.Problem
	for _, f := range s.Files {
		if f.Err != nil {
			out = append(out, source.Problem{File: f.Path, Line: f.ErrLine, Message: f.Err.Error()})
		}
	}
	return out
}
