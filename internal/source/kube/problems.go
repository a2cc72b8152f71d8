package kube

import "golive.dev/golive/internal/source"

// Problems lists manifests, charts and kustomizations that could not be read
// or rendered, and waiver annotations that were rejected.
func (s *Set) Problems() []source.Problem {
	out := make([]source.Problem, 0, len(s.Errors)+len(s.WaiverErrors))
	for _, group := range [][]*FileError{s.Errors, s.WaiverErrors} {
		for _, e := range group {
			out = append(out, source.Problem{File: e.File, Line: e.Line, Message: e.Err.Error()})
		}
	}
	return out
}
