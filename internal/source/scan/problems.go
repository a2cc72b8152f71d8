package scan

import "golive.dev/golive/internal/source"

// Problems lists the input that could not be read, for the run's report.
func (s *Set) Problems() []source.Problem {
	out := make([]source.Problem, 0, len(s.Errors))
	for _, e := range s.Errors {
		out = append(out, source.Problem{File: e.File, Message: e.Err.Error()})
	}
	return out
}
