package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/hypercare/hypercare"
)

// Problem is one thing wrong with a config file, located precisely enough
// that an editor can jump to it and a person can fix it without guessing.
type Problem struct {
	// File is the file name as given to Parse or Load.
	File string
	// Line and Column are 1-based; both are 0 when the problem has no
	// position (rare: only when the file has no content to point at).
	Line   int
	Column int
	// Path is the field, e.g. "services[2].integrations[0].key"; empty for
	// problems with the file as a whole (a YAML syntax error).
	Path string
	// Message says what is wrong, never echoing secret values.
	Message string
}

// String formats the problem as "file:line:col: path: message", the shape
// compilers use, so editors and CI annotators recognise it.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", p.Line, p.Column)
	}
	b.WriteString(": ")
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError lists every problem found in a config file, so one run of
// "hypercare config validate" shows everything to fix instead of one
// problem per attempt. Parse returns it for any problem with the content.
type ValidationError struct {
	Problems []Problem
}

// Error prints one problem per line, in file order.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// As lets errors.As turn a ValidationError into a *hypercare.Error with
// code invalid_argument and one detail per problem, so the API and CLI map
// config errors like every other user error, in one place.
func (e *ValidationError) As(target any) bool {
	t, ok := target.(**hypercare.Error)
	if !ok {
		return false
	}
	details := make([]hypercare.FieldError, len(e.Problems))
	for i, p := range e.Problems {
		msg := p.Message
		if p.Line > 0 {
			msg = fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Column, p.Message)
		}
		details[i] = hypercare.FieldError{Field: p.Path, Message: msg}
	}
	*t = hypercare.InvalidFields("invalid config file", details...)
	return true
}

// problems collects problems during one Parse. It keeps at most one
// problem per path, so a field that failed to decode is not also reported
// as, say, missing.
type problems struct {
	file   string
	list   []Problem
	byPath map[string]bool
}

func newProblems(file string) *problems {
	return &problems{file: file, byPath: map[string]bool{}}
}

// add records a problem at pos unless path already has one.
func (ps *problems) add(pos position, path, format string, args ...any) {
	if path != "" && ps.byPath[path] {
		return
	}
	ps.byPath[path] = true
	ps.list = append(ps.list, Problem{
		File: ps.file, Line: pos.line, Column: pos.col,
		Path: path, Message: fmt.Sprintf(format, args...),
	})
}

// has reports whether path already has a problem.
func (ps *problems) has(path string) bool { return ps.byPath[path] }

// err returns the problems as a *ValidationError sorted by position, or
// nil if there are none.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	list := slices.Clone(ps.list)
	slices.SortStableFunc(list, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return &ValidationError{Problems: list}
}
