package store

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Guarded writes (PostgreSQL). A queued write whose "no row affected"
// is a failure (pendingWrite.missing: an insert that finds its key
// taken, an update that finds no row) raises no SQL error, so a COMMIT
// sent behind it in the same round trip would commit the failing
// request's other writes before the client read that no row was
// affected. A batch's end used to spend a round trip of its own reading
// those writes first. Sent as guarded statements instead,
//
//	WITH w AS (<the write> RETURNING 1) SELECT 1 / COUNT(*) FROM w
//
// such a write fails in the server when it affects no row (division by
// zero), which aborts the transaction: PostgreSQL skips the rest of the
// pipeline, the COMMIT included, and the client maps the error back to
// the write's own (pendingWrite.missing). So the queued writes, the
// stream insert and COMMIT go in one round trip again.

// An insert that does nothing on a conflict (… ON CONFLICT DO NOTHING,
// "no row affected" meaning the row is taken) needs no such wrapper:
// its guarded form is the same insert without the ON CONFLICT clause,
// which fails in the server with unique_violation (23505) where the
// other would have inserted nothing, and aborts the transaction just the
// same (plainGuard). That saves PostgreSQL the speculative insertion
// ON CONFLICT makes and the CTE around it: eight-row alert inserts took
// 1.24× as long in the CTE as plain (bench/pg-insert-forms.sh;
// BENCHMARKS.md, "PostgreSQL: fewer, larger batches"). A unique violation of such an insert is its "taken", and
// maps back to pendingWrite.missing like the division by zero.

// onConflictNothing ends the inserts whose guarded form is plainGuard's.
const onConflictNothing = " ON CONFLICT DO NOTHING"

// plainGuard returns q without its ON CONFLICT DO NOTHING, and true, when
// q is an insert ending with it.
func plainGuard(q string) (string, bool) {
	if !strings.HasPrefix(strings.ToUpper(q), "INSERT ") || !strings.HasSuffix(q, onConflictNothing) {
		return q, false
	}
	return strings.TrimSuffix(q, onConflictNothing), true
}

// guardedRowsSQL is q, a write of rows rows, made to fail with SQLSTATE
// 22012 when it affects fewer (guardedSQL's form for a merged write).
func guardedRowsSQL(q string, rows int) string {
	return fmt.Sprintf("WITH w AS (%s RETURNING 1) SELECT 1 / (COUNT(*) = %d)::int FROM w", q, rows)
}

// guardedSQL is q made to fail, with SQLSTATE 22012, when it affects no
// row. q is an INSERT or UPDATE without a RETURNING clause.
func guardedSQL(q string) string {
	return "WITH w AS (" + q + " RETURNING 1) SELECT 1 / COUNT(*) FROM w"
}

// buildGuards returns the guarded text of every write in q that can have
// one (an INSERT or UPDATE that returns nothing; the rest stay ""), and
// which of them are inserts without their ON CONFLICT (plainGuard).
func buildGuards(q *[numQueries]string) (g [numQueries]string, plain [numQueries]bool) {
	for id, text := range q {
		up := strings.ToUpper(strings.TrimSpace(text))
		write := strings.HasPrefix(up, "INSERT ") || strings.HasPrefix(up, "UPDATE ")
		if !write || strings.Contains(up, "RETURNING") || strings.Contains(up, ";") {
			continue
		}
		if g[id], plain[id] = plainGuard(text); !plain[id] {
			g[id] = guardedSQL(text)
		}
	}
	return g, plain
}

// guardFailed reports whether err is guarded write w's "no row
// affected": guardedSQL's division by zero, or the unique violation of
// an insert guarded plain (plainGuard).
func (s *Store) guardFailed(w pendingWrite, err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == "22012" || e.Code == "23505" && s.plainGuards[w.id])
}

// guarded says whether w goes out as its guarded text when guarded.
func (s *Store) guarded(w pendingWrite) bool {
	return w.missing != nil && s.guards[w.id] != ""
}

// pendingUnguarded reports whether a queued write would fail, when it
// affects no row, only as the client reads its result: one with a
// missing error and no guarded form.
func (t *tx) pendingUnguarded() bool {
	for _, w := range t.pending {
		if w.missing != nil && !t.s.guarded(w) {
			return true
		}
	}
	return false
}
