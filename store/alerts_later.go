package store

import (
	"context"
	"fmt"

	"github.com/hypercare/hypercare"
)

// New alerts' inserts held to the batch's next statement (SQLite's
// writer). An Alertmanager notification of 100 new alerts in one group
// inserted 100 alert rows one statement each, and part of what an INSERT
// costs the writer is the statement's, not the row's: starting and
// resetting it, database/sql's bookkeeping (a sixth of the inserts' time
// in a profile; the nine B-trees each row goes into are the rest, and
// BENCHMARKS.md has the figures). InsertAlert now keeps
// the row on the batch instead, and the rows kept go out together, as
// multi-row INSERTs of up to 64 rows (a power of two each, prepared once
// per size), as held repeats (repeats_later.go) and the event log
// (events_later.go) do.
//
// A held insert goes out when held repeats do: before any other statement
// of the transaction (tx.statement: every read and every other write
// starts there, so no SQL ever misses the row), at the end of its request
// when the request runs alone or in a savepoint (so its failure is its
// own), before retention, and just before COMMIT. Until then the write
// connection's cache answers reads of the alert by key (alertcache.go),
// and the key filter knows it (keyfilter.go), as after the INSERT it
// stands for. Holding counts as a statement: a request that fails after
// it reruns an optimistic batch with savepoints.
//
// A second open alert of a key the cache knows open is refused at once,
// as the INSERT's unique index would have. Any other conflict (a taken
// ID, an open alert the cache does not hold) fails the multi-row
// statement, which SQLite undoes whole; the rows then go one statement
// each, so the conflict names its alert, and fails the request whose
// statement sent them (an earlier request's in an optimistic batch, which
// then runs again with savepoints).

// laterAlert is one held insert: the alert's ID and qInsertAlert's
// arguments.
type laterAlert struct {
	id   string
	args []any
}

const (
	// alertInsertCols is how many columns an alert row sets.
	alertInsertCols = 24
	// maxLaterAlertRows is the largest prepared insert (a power of two;
	// 1,536 parameters), and preparedAlertSizes how many sizes are kept.
	maxLaterAlertRows  = 1 << (preparedAlertSizes - 1)
	preparedAlertSizes = 7 // 1, 2, 4, ... 64 rows
	// alertTaken is why an alert insert fails.
	alertTaken = "an alert with this id, or an open alert with this service and dedup key, already exists"
)

// alertLaterSQL is the INSERT of n alerts with anonymous parameters (see
// positional.go). Without ON CONFLICT: a conflict fails the statement,
// which SQLite undoes whole, and insertAlertsOneByOne names the alert.
func alertLaterSQL(n int) string {
	return "INSERT INTO alerts (" + alertCols + ") VALUES " + placeholderRows(alertInsertCols, n)
}

// holdAlert keeps the insert of alert a (args: qInsertAlert's) until the
// batch's next statement. It fails at once when the cache holds another
// open alert of a's key.
func (t *tx) holdAlert(ctx context.Context, a *hypercare.Alert, args []any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if id := t.c.alerts.openID(a.ServiceID, a.DedupKey); id != "" && id != a.ID {
		return hypercare.Errorf(hypercare.CodeConflict, "alert %q: %s", a.ID, alertTaken)
	}
	t.statements++
	t.laterAlerts = append(t.laterAlerts, laterAlert{id: a.ID, args: args})
	return nil
}

// flushHeld writes what the batch holds: new alerts first, then the
// updates of repeats (which may update them).
func (t *tx) flushHeld() error {
	if err := t.flushAlerts(); err != nil {
		return err
	}
	return t.flushRepeats()
}

// flushAlerts inserts the held alerts, in the order held. A failure is
// kept as a held update's is (heldErr): it fails the request whose
// statement sent them, even if its fn swallows the error.
func (t *tx) flushAlerts() error {
	held := t.laterAlerts
	if len(held) == 0 {
		return nil
	}
	defer t.dropAlerts() // nothing here runs a statement that would flush them again
	for len(held) > 0 {
		n := sizedRows(len(held), maxLaterAlertRows)
		if err := t.insertAlerts(held[:n]); err != nil {
			t.statements++
			t.heldErr = err
			return err
		}
		held = held[n:]
	}
	return nil
}

// insertAlerts inserts rows in one statement, or one by one after a
// conflict, to name it.
func (t *tx) insertAlerts(rows []laterAlert) error {
	t.statements++
	st, err := t.c.sized(t.ctx, t.c.alertIns[:], len(rows), alertLaterSQL, "alert insert")
	if err != nil {
		return err
	}
	args := make([]any, 0, len(rows)*alertInsertCols)
	for i := range rows {
		args = append(args, rows[i].args...)
	}
	_, err = st.ExecContext(t.ctx, args...)
	if err != nil && t.s.d.classify(err) == classUnique {
		return t.insertAlertsOneByOne(rows)
	}
	if err != nil {
		return t.s.dbErr(err, "insert %d alerts, the first %q", len(rows), rows[0].id)
	}
	return nil
}

// insertAlertsOneByOne inserts rows a row at a time with qInsertAlert,
// after their multi-row insert failed on a conflict, to name the first
// alert that conflicts (with a stored alert or one of rows).
func (t *tx) insertAlertsOneByOne(rows []laterAlert) error {
	for i := range rows {
		res, err := t.c.exec(t.ctx, qInsertAlert, rows[i].args...)
		if err != nil {
			return t.s.dbErr(err, "insert alert %q", rows[i].id)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("insert alert %q: %w", rows[i].id, err)
		}
		if n == 0 {
			return hypercare.Errorf(hypercare.CodeConflict, "alert %q: %s", rows[i].id, alertTaken)
		}
	}
	return fmt.Errorf("insert %d alerts: one conflicted, and then none did", len(rows))
}

// dropAlerts forgets the held inserts: written, or undone with their
// request.
func (t *tx) dropAlerts() {
	clear(t.laterAlerts)
	t.laterAlerts = t.laterAlerts[:0]
}
