package store

import "testing"

func TestPositional(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"INSERT INTO t (a, b) VALUES ($1, $2)", "INSERT INTO t (a, b) VALUES (?, ?)"},
		{"SELECT a FROM t WHERE b = $1 AND c <> 'x$2' LIMIT $2", "SELECT a FROM t WHERE b = ? AND c <> 'x$2' LIMIT ?"},
		{"UPDATE t SET a = $2 WHERE id = $1", "UPDATE t SET a = $2 WHERE id = $1"},                            // out of order
		{"SELECT $1 + $1", "SELECT $1 + $1"},                                                                  // repeated
		{"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)", "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"}, // two digits
		{"SELECT 'unterminated $1", "SELECT 'unterminated $1"},
		{"SELECT ?, $1", "SELECT ?, $1"},
		{"COMMIT", "COMMIT"},
		{"UPDATE t SET a = $1; UPDATE u SET b = $2", "UPDATE t SET a = $1; UPDATE u SET b = $2"}, // two statements
		{"SELECT $1 -- note", "SELECT $1 -- note"},
	} {
		if got := positional(c.in); got != c.want {
			t.Errorf("positional(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
