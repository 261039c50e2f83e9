package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/hypercare/hypercare"
)

// New rows held to the batch's next statement (SQLite's writer): new
// incidents, new alerts and timeline entries. Part of what an INSERT
// costs the writer is the statement's, not the row's: starting and
// resetting it, binding, database/sql's bookkeeping (a sixth of the
// alert inserts' time in a profile of batches of new alerts; the B-trees
// each row goes into are the rest, and BENCHMARKS.md has the figures).
// And a new alert from a single event was three statements of its
// request: its incident, its alert, the incident's first timeline entry.
// The inserts now keep the row on the batch instead, and the rows kept go
// out together, as multi-row INSERTs of up to 64 rows per table (a power
// of two each, prepared once per size), as held repeats
// (repeats_later.go) and the event log (events_later.go) do: a batch of
// 32 requests of one new alert each writes its 96 rows in six statements
// rather than 96.
//
// Held rows go out when held repeats do: before any other statement of
// the transaction (tx.statement: every read and every other write starts
// there, so no SQL ever misses the row), at the end of their request
// when it runs alone or in a savepoint (so its failure is its own),
// before retention, and just before COMMIT. Until then the write
// connection's cache answers reads of an alert by key (alertcache.go),
// and the key filter knows it (keyfilter.go), as after the INSERT it
// stands for. Holding counts as a statement: a request that fails after
// it reruns an optimistic batch with savepoints.
//
// A second open alert of a key the cache knows open is refused at once,
// as the INSERT's unique index would have. Any other conflict (a taken
// ID or incident number, an open alert the cache does not hold) fails the
// multi-row statement, which SQLite undoes whole; the rows then go one
// statement each, so the conflict names its row, and fails the request
// whose statement sent them (an earlier request's in an optimistic batch,
// which then runs again with savepoints).

// heldTable is a table whose new rows SQLite's writer holds.
type heldTable int

const (
	// Incidents go first, alerts and timeline entries name them (no key
	// is enforced, but the order is the one the requests wrote).
	heldIncidents heldTable = iota
	heldAlerts
	heldTimeline
	numHeldTables
)

// heldInsert says how a held table's rows are written: its one-row
// insert (ON CONFLICT DO NOTHING, to name a conflict), its columns, and
// how a conflict reads.
type heldInsert struct {
	what, table, cols string
	one               qid
	taken             string
}

// ncols is how many columns a row sets.
func (h heldInsert) ncols() int { return strings.Count(h.cols, ",") + 1 }

// heldInserts are the held tables' inserts. Their limit of 64 rows is
// 1,536 parameters at most (alerts), far below SQLite's 32,766.
func heldInserts(h heldTable) heldInsert {
	switch h {
	case heldIncidents:
		return heldInsert{"incident", "incidents", incidentCols, qInsertIncident, incidentTaken}
	case heldAlerts:
		return heldInsert{"alert", "alerts", alertCols, qInsertAlert, alertTaken}
	default:
		return heldInsert{"timeline entry", "timeline", timelineCols, qAppendTimeline, timelineTaken}
	}
}

// laterRow is one held insert: the row's ID and its one-row insert's
// arguments.
type laterRow struct {
	id   string
	args []any
}

const (
	// maxLaterRows is the largest prepared insert (a power of two), and
	// preparedHeldSizes how many sizes are kept per table.
	maxLaterRows      = 1 << (preparedHeldSizes - 1)
	preparedHeldSizes = 7 // 1, 2, 4, ... 64 rows
	// alertTaken, incidentTaken and timelineTaken are why an insert fails.
	alertTaken    = "an alert with this id, or an open alert with this service and dedup key, already exists"
	incidentTaken = "an incident with this id or number already exists"
	timelineTaken = "a timeline entry with this id already exists"
)

// laterSQL is the INSERT of n rows with anonymous parameters (see
// positional.go). Without ON CONFLICT: a conflict fails the statement,
// which SQLite undoes whole, and insertOneByOne names the row.
func (h heldInsert) laterSQL(n int) string {
	return "INSERT INTO " + h.table + " (" + h.cols + ") VALUES " + placeholderRows(h.ncols(), n)
}

// holdAlert keeps the insert of alert a (args: qInsertAlert's) until the
// batch's next statement. It fails at once when the cache holds another
// open alert of a's key.
func (t *tx) holdAlert(ctx context.Context, a *hypercare.Alert, args []any) error {
	if id := t.c.alerts.openID(a.ServiceID, a.DedupKey); id != "" && id != a.ID {
		return hypercare.Errorf(hypercare.CodeConflict, "alert %q: %s", a.ID, alertTaken)
	}
	return t.hold(ctx, heldAlerts, a.ID, args)
}

// hold keeps the insert of row id (args: the table's one-row insert's)
// until the batch's next statement.
func (t *tx) hold(ctx context.Context, h heldTable, id string, args []any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t.statements++
	t.laterRows[h] = append(t.laterRows[h], laterRow{id: id, args: args})
	return nil
}

// flushHeld writes what the batch holds: new rows first, then the
// updates of repeats (which may update them).
func (t *tx) flushHeld() error {
	for h := range numHeldTables {
		if err := t.flushInserts(h); err != nil {
			return err
		}
	}
	return t.flushRepeats()
}

// flushInserts inserts table h's held rows, in the order held. A failure
// is kept as a held update's is (heldErr): it fails the request whose
// statement sent them, even if its fn swallows the error.
func (t *tx) flushInserts(h heldTable) error {
	held := t.laterRows[h]
	if len(held) == 0 {
		return nil
	}
	for len(held) > 0 {
		n := sizedRows(len(held), maxLaterRows)
		if err := t.insertRows(h, held[:n]); err != nil {
			if h == heldIncidents && t.c.numbers != nil && hypercare.ErrorCode(err) == hypercare.CodeConflict {
				t.c.numbers.distrust() // the number may be taken: read the counter again
			}
			// Whatever else is held goes with it: the failing request's
			// own (alone or in a savepoint), or an optimistic batch's,
			// which runs again with savepoints.
			t.dropInserts()
			t.statements++
			t.heldErr = err
			return err
		}
		held = held[n:]
	}
	clear(t.laterRows[h]) // nothing above ran a statement that would flush them again
	t.laterRows[h] = t.laterRows[h][:0]
	return nil
}

// insertRows inserts rows of table h in one statement, or one by one
// after a conflict, to name it.
func (t *tx) insertRows(h heldTable, rows []laterRow) error {
	t.statements++
	in := heldInserts(h)
	st, err := t.c.sized(t.ctx, t.c.inserts[h][:], len(rows), in.laterSQL, in.what+" insert")
	if err != nil {
		return err
	}
	args := make([]any, 0, len(rows)*in.ncols())
	for i := range rows {
		args = append(args, rows[i].args...)
	}
	_, err = st.ExecContext(t.ctx, args...)
	if err != nil && t.s.d.classify(err) == classUnique {
		return t.insertOneByOne(in, rows)
	}
	if err != nil {
		return t.s.dbErr(err, "insert %d %s rows, the first %q", len(rows), in.table, rows[0].id)
	}
	return nil
}

// insertOneByOne inserts rows a row at a time with the table's one-row
// insert, after their multi-row insert failed on a conflict, to name the
// first row that conflicts (with a stored row or one of rows).
func (t *tx) insertOneByOne(in heldInsert, rows []laterRow) error {
	for i := range rows {
		res, err := t.c.exec(t.ctx, in.one, rows[i].args...)
		if err != nil {
			return t.s.dbErr(err, "insert %s %q", in.what, rows[i].id)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("insert %s %q: %w", in.what, rows[i].id, err)
		}
		if n == 0 {
			return hypercare.Errorf(hypercare.CodeConflict, "%s %q: %s", in.what, rows[i].id, in.taken)
		}
	}
	return fmt.Errorf("insert %d %s rows: one conflicted, and then none did", len(rows), in.table)
}

// dropInserts forgets the held inserts of every table: written, or undone
// with their request.
func (t *tx) dropInserts() {
	for h := range t.laterRows {
		clear(t.laterRows[h])
		t.laterRows[h] = t.laterRows[h][:0]
	}
}
