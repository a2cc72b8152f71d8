// Package yamlerr turns go.yaml.in/yaml/v3 errors into problems at file:line,
// the form every golive error about a user's file takes.
package yamlerr

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Located is one problem at a line of a file.
type Located struct {
	File string
	Line int
	Msg  string
}

func (l Located) Error() string {
	if l.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", l.File, l.Line, l.Msg)
	}
	return fmt.Sprintf("%s: %s", l.File, l.Msg)
}

var (
	lineRe         = regexp.MustCompile(`^line (\d+): (.*)$`)
	unknownFieldRe = regexp.MustCompile(`field (\S+) not found in type \S+`)
	cannotRe       = regexp.MustCompile(`cannot unmarshal !!(\w+) ` + "`" + `([^` + "`" + `]*)` + "`" + ` into (\S+)`)
)

// Split returns every problem inside a yaml error, each with its line.
func Split(file string, err error) []Located {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		out := make([]Located, 0, len(te.Errors))
		for _, e := range te.Errors {
			out = append(out, one(file, e))
		}
		return out
	}
	return []Located{one(file, err.Error())}
}

// Wrap is Split joined into one error.
func Wrap(file string, err error) error {
	if err == nil {
		return nil
	}
	locs := Split(file, err)
	errs := make([]error, len(locs))
	for i, l := range locs {
		errs[i] = l
	}
	return errors.Join(errs...)
}

func one(file, msg string) Located {
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if m := lineRe.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	if m := unknownFieldRe.FindStringSubmatch(msg); m != nil {
		msg = "unknown field " + m[1]
	} else if m := cannotRe.FindStringSubmatch(msg); m != nil {
		msg = fmt.Sprintf("%q is a %s where %s is wanted", m[2], m[1], friendlyType(m[3]))
	}
	return Located{File: file, Line: line, Msg: msg}
}

func friendlyType(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map["):
		return "a mapping"
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "int") || strings.HasPrefix(goType, "uint"):
		return "a whole number"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	}
	return "a mapping"
}
