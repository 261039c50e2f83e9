package store

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Multi-row inserts (PostgreSQL). A batch of new alerts queues, per
// request, the incident, its alert, a timeline entry and the event log
// row, each a one-row INSERT; PostgreSQL spends as much on setting each
// statement up (its plan, its executor, the indexes it opens) as on
// writing the row. When the queue is sent, each run of consecutive
// queued inserts becomes one multi-row INSERT per table, 64 rows at most:
// a batch of 32 new alerts sends 4 inserts where it sent 128. Only
// inserts are merged, and only runs of them with nothing else queued
// between: an update or a delete between two inserts keeps its place,
// so no row is written before one it follows (a re-trigger's insert after
// the resolve of the key's alert, say). Within a run, parents are
// inserted before children (incidents, then alerts and timeline entries,
// which reference them, then the event log), each table's rows in the
// order queued. A merged insert affects fewer rows than it has when one
// is already taken; the batch is then run again unmerged (with
// savepoints when it has several requests), where each request's own
// writes fail as their own and the error names the row (execBatch).

// errMergedRowTaken marks the failure of a merged insert (a row taken,
// or any other error but a transient one): a request alone in its batch
// is run again unmerged (execBatch), so that its error names the row
// that failed; a batch of several is run again with savepoints,
// unmerged, as after any failure.
var errMergedRowTaken = errors.New("a row inserted with others failed")

// mergeRank orders the tables of a run of merged inserts: parents first.
// Writes not listed here are never merged.
var mergeRank = map[qid]int{qInsertIncident: 0, qInsertAlert: 1, qAppendTimeline: 2, qInsertEvent: 3}

// mergeSizes are the row counts of merged inserts, largest first: a
// group of rows goes out as the fewest such statements (37: 32, 4 and
// 1), so each table has a handful of statement texts, each prepared once
// per connection.
var mergeSizes = []int{64, 32, 16, 8, 4, 2}

// multiRowSQLs holds the multi-row texts of the mergeable inserts, plain
// and guarded, by table and size.
type multiRowSQLs map[qid]map[int][2]string

// buildMerged returns the multi-row texts of q's mergeable inserts.
func buildMerged(q *[numQueries]string) multiRowSQLs {
	m := multiRowSQLs{}
	for id := range mergeRank {
		m[id] = map[int][2]string{}
		for _, n := range mergeSizes {
			text := multiRowSQL(q[id], n)
			guard := fmt.Sprintf("WITH w AS (%s RETURNING 1) SELECT 1 / (COUNT(*) = %d)::int FROM w", text, n)
			m[id][n] = [2]string{text, guard}
		}
	}
	return m
}

// multiRowSQL turns "INSERT … VALUES ($1, …, $k) <rest>" into the same
// insert of rows tuples, their parameters numbered on.
func multiRowSQL(q string, rows int) string {
	open := strings.Index(q, " VALUES (") + len(" VALUES ")
	end := open + strings.IndexByte(q[open:], ')') + 1
	cols := strings.Count(q[open:end], "$")
	var b strings.Builder
	b.WriteString(q[:open])
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(r*cols + c + 1))
		}
		b.WriteByte(')')
	}
	b.WriteString(q[end:])
	return b.String()
}

// coalesce returns the queued writes p with each run of consecutive
// mergeable inserts merged, or p itself when nothing merges.
func (s *Store) coalesce(p []pendingWrite) []pendingWrite {
	if s.merged == nil || !mergesAny(p) {
		return p
	}
	out := make([]pendingWrite, 0, len(p))
	for i := 0; i < len(p); {
		if !isMergeable(p[i]) {
			out = append(out, p[i])
			i++
			continue
		}
		j := i
		for j < len(p) && isMergeable(p[j]) {
			j++
		}
		out = s.mergeRun(out, p[i:j])
		i = j
	}
	return out
}

// isMergeable says whether w is a one-row insert that may be merged.
func isMergeable(w pendingWrite) bool {
	_, ok := mergeRank[w.id]
	return ok && w.rows == 0
}

// mergesAny says whether p has two mergeable inserts of one table in a run.
func mergesAny(p []pendingWrite) bool {
	var seen [4]bool
	for _, w := range p {
		rank, ok := mergeRank[w.id]
		if !ok || w.rows != 0 {
			seen = [4]bool{}
			continue
		}
		if seen[rank] {
			return true
		}
		seen[rank] = true
	}
	return false
}

// mergeRun appends run, a run of mergeable inserts, to out as multi-row
// inserts, table by table in mergeRank's order.
func (s *Store) mergeRun(out, run []pendingWrite) []pendingWrite {
	var byTable [4][]pendingWrite
	for _, w := range run {
		r := mergeRank[w.id]
		byTable[r] = append(byTable[r], w)
	}
	for _, rows := range byTable {
		for len(rows) > 0 {
			n := 1
			for _, size := range mergeSizes {
				if size <= len(rows) {
					n = size
					break
				}
			}
			out = append(out, s.mergeRows(rows[:n]))
			rows = rows[n:]
		}
	}
	return out
}

// mergeRows is rows (of one table) as one write.
func (s *Store) mergeRows(rows []pendingWrite) pendingWrite {
	if len(rows) == 1 {
		return rows[0]
	}
	first := rows[0]
	args := make([]any, 0, len(rows)*len(first.args))
	for _, w := range rows {
		args = append(args, w.args...)
	}
	texts := s.merged[first.id][len(rows)]
	w := pendingWrite{id: first.id, args: args, rows: len(rows), text: texts[0], guardedText: texts[1],
		what: fmt.Sprintf("%s and %d more", first.what, len(rows)-1), key: first.key}
	if first.missing != nil {
		w.missing = func() error {
			return fmt.Errorf("%w (%d rows, the first %q): %w", errMergedRowTaken, len(rows), first.key, first.missing())
		}
	}
	return w
}
