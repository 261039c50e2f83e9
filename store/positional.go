package store

import (
	"strconv"
	"strings"
)

// positional rewrites q's numbered placeholders $1, $2, … $N to SQLite's
// anonymous "?" when they appear exactly in that order, each once; any
// other q is returned unchanged.
//
// Why: SQLite records every named or numbered parameter ($1, ?1, :a) in
// a list that sqlite3_bind_parameter_name searches linearly, and the
// driver asks for each parameter's name on every execution, so binding a
// statement with n numbered parameters costs O(n²). A 256-row stream
// insert (1,280 parameters) spent more time there than inserting; with
// "?" the driver binds by position at once. Placeholders inside quoted
// literals are left alone; a text with several statements or a comment
// is left as it is (the driver binds every statement of a multi-statement
// text to the same arguments, which "?" would number anew in each).
func positional(q string) string {
	if strings.ContainsAny(q, ";") || strings.Contains(q, "--") || strings.Contains(q, "/*") {
		return q
	}
	var b strings.Builder
	next := 1
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(q[i+1:], c)
			if end < 0 {
				return q
			}
			b.WriteString(q[i : i+end+2])
			i += end + 1
		case c == '$' && i+1 < len(q) && isDigit(q[i+1]):
			j := i + 1
			for j < len(q) && isDigit(q[j]) {
				j++
			}
			if n, err := strconv.Atoi(q[i+1 : j]); err != nil || n != next {
				return q
			}
			next++
			b.WriteByte('?')
			i = j - 1
		case c == '?':
			return q // already positional, or mixed: leave it
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
