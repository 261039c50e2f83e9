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
// inserts (and re-triggers' updates, below) are merged, and only runs of
// them with nothing else queued between: another update or a delete
// between two inserts keeps its place,
// so no row is written before one it follows (a re-trigger's insert after
// the resolve of the key's alert, say). Within a run, parents are
// inserted before children (incidents, then alerts and timeline entries,
// which reference them, then the event log), each table's rows in the
// order queued. A merged insert fails when one of its rows is already
// taken (guarded: a unique violation; unguarded: fewer rows affected than
// it has); the batch is then run again unmerged (with
// savepoints when it has several requests), where each request's own
// writes fail as their own and the error names the row (execBatch).

// Re-sent alerts' updates merge too. A re-sent Alertmanager notification
// of 100 firing alerts queued an update of each alert's counters and an
// event log row for each, alternating: no two inserts were consecutive,
// and the 200 statements went out one row each. The updates of a
// re-trigger (qUpdateAlertCounters, qUpdateAlertRepeat) are mergeable as
// well, as one UPDATE … FROM (VALUES …) per statement, ranked after the
// inserts. Moving them there changes nothing another write of the run
// sees: they touch only an open alert's counters and details, which no
// insert reads or references, and the alert rows they update are locked
// already (the read ahead that found them, open_ahead.go), so no lock is
// taken in a new order. Two updates of one alert keep their order: the
// second one ends the run (mergeRun would otherwise put them into one
// statement, which PostgreSQL applies once).

// errMergedRowTaken marks the failure of a merged write (an insert's row
// taken, an update's row not as read, or any other error but a transient
// one): a request alone in its batch
// is run again unmerged (execBatch), so that its error names the row
// that failed; a batch of several is run again with savepoints,
// unmerged, as after any failure.
var errMergedRowTaken = errors.New("a row written with others failed")

// mergeRank orders the tables of a run of merged inserts: parents first,
// then the updates of re-triggered alerts. Writes not listed here are
// never merged.
var mergeRank = map[qid]int{qInsertIncident: 0, qInsertAlert: 1, qAppendTimeline: 2, qInsertEvent: 3,
	qUpdateAlertRepeat: 4, qUpdateAlertCounters: 5}

// numMergeRanks is the number of mergeRank's ranks.
const numMergeRanks = 6

// mergeUpdateTypes are the types of the parameters of the mergeable
// updates, in order: the VALUES list of their multi-row form casts each
// (an untyped parameter there would be text).
var mergeUpdateTypes = map[qid][]string{
	qUpdateAlertRepeat:   {"text", "text", "bigint", "bigint", "bigint", "bigint"},
	qUpdateAlertCounters: {"text", "bigint", "bigint", "bigint", "bigint"},
}

// mergeSizes are the row counts of merged writes, largest first: a
// group of rows goes out as the fewest such statements (37: 32, 4 and
// 1), so each table has a handful of statement texts, each prepared once
// per connection.
var mergeSizes = []int{64, 32, 16, 8, 4, 2}

// multiRowSQLs holds the multi-row texts of the mergeable writes, plain
// and guarded, by table and size.
type multiRowSQLs map[qid]map[int][2]string

// buildMerged returns the multi-row texts of q's mergeable writes. An
// insert's guarded form is the plain multi-row insert (plainGuard), an
// update's the CTE that checks it matched every row (guardedRowsSQL).
func buildMerged(q *[numQueries]string) multiRowSQLs {
	m := multiRowSQLs{}
	for id := range mergeRank {
		m[id] = map[int][2]string{}
		for _, n := range mergeSizes {
			if types := mergeUpdateTypes[id]; types != nil {
				text := multiRowUpdateSQL(q[id], types, n)
				m[id][n] = [2]string{text, guardedRowsSQL(text, n)}
				continue
			}
			plain, _ := plainGuard(q[id]) // every mergeable insert has one
			m[id][n] = [2]string{multiRowSQL(q[id], n), multiRowSQL(plain, n)}
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
	return q[:open] + valuesRows(rows, make([]string, cols)) + q[end:]
}

// multiRowUpdateSQL turns "UPDATE t SET … WHERE …", whose parameters are
// types, into the same update of rows rows, each row's parameters a row
// of a VALUES list joined as v: "$k" becomes v's column pk.
func multiRowUpdateSQL(q string, types []string, rows int) string {
	table, rest, _ := strings.Cut(strings.TrimPrefix(q, "UPDATE "), " SET ")
	set, where, _ := strings.Cut(rest, " WHERE ")
	cols := make([]string, len(types))
	for c := range types {
		cols[c] = "p" + strconv.Itoa(c+1)
	}
	return fmt.Sprintf("UPDATE %s SET %s FROM (VALUES %s) AS v(%s) WHERE %s", table, paramsToColumns(set),
		valuesRows(rows, types), strings.Join(cols, ", "), paramsToColumns(where))
}

// valuesRows is rows tuples of len(types) parameters, numbered on from
// $1, each cast to its type where one is given: "($1, $2), ($3, $4)".
func valuesRows(rows int, types []string) string {
	var b strings.Builder
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c, typ := range types {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(r*len(types) + c + 1))
			if typ != "" {
				b.WriteString("::" + typ)
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}

// paramsToColumns replaces each parameter "$k" of s with "v.pk".
func paramsToColumns(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '$')
		if i < 0 {
			return b.String() + s
		}
		b.WriteString(s[:i])
		b.WriteString("v.p")
		s = s[i+1:]
	}
}

// coalesce returns the queued writes p with each run of consecutive
// mergeable writes merged, or p itself when nothing merges.
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
		j := runEnd(p, i)
		out = s.mergeRun(out, p[i:j])
		i = j
	}
	return out
}

// isMergeable says whether w is a one-row write that may be merged.
func isMergeable(w pendingWrite) bool {
	_, ok := mergeRank[w.id]
	return ok && w.rows == 0
}

// runEnd is the end of the run of mergeable writes that starts at p[i]:
// the first write that is not mergeable, or that updates a row an
// earlier update of the run updates (it starts the next run, after them).
func runEnd(p []pendingWrite, i int) int {
	var updated map[any]bool
	for j := i; j < len(p); j++ {
		w := p[j]
		if !isMergeable(w) {
			return j
		}
		if mergeUpdateTypes[w.id] == nil {
			continue
		}
		if updated[w.args[0]] {
			return j
		}
		if updated == nil {
			updated = make(map[any]bool)
		}
		updated[w.args[0]] = true
	}
	return len(p)
}

// mergesAny says whether p has two mergeable writes of one table in a run.
func mergesAny(p []pendingWrite) bool {
	var seen [numMergeRanks]bool
	for _, w := range p {
		if !isMergeable(w) {
			seen = [numMergeRanks]bool{}
			continue
		}
		rank := mergeRank[w.id]
		if seen[rank] {
			return true
		}
		seen[rank] = true
	}
	return false
}

// mergeRun appends run, a run of mergeable writes, to out as multi-row
// writes, table by table in mergeRank's order.
func (s *Store) mergeRun(out, run []pendingWrite) []pendingWrite {
	var byTable [numMergeRanks][]pendingWrite
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
