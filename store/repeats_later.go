package store

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Re-triggered alerts' updates held to the end of the batch (SQLite's
// writer). A storm re-sends the same alerts again and again: with 32
// Alertmanager notifications in flight over ten groups, a batch of about
// fifteen re-sends updated each of a group's alerts about twice, each time
// an UPDATE rewriting the alert's row, and each time a stream event. The
// short update of a repeat (updateRepeat) is now kept on the batch instead,
// one per alert: a later repeat of the alert in the batch replaces the
// values to write and keeps the guard, the counters and details the row
// held before the batch wrote it. Nothing is published for it either: the
// held update's stream event stands for both.
//
// Held updates go out together, as multi-row UPDATE … FROM (VALUES …)
// statements of up to 64 rows joined to alerts by primary key, each row
// guarded as the one-row update is: per re-sent alert the update cost
// half as much writer time as one statement per alert.
//
// A held update goes out before any other statement of the transaction
// (tx.statement, where every read and every other write of the batch
// starts, and tx.flush, and retention first), at the end of its
// request when the request runs alone or in a savepoint (so its failure is
// its own), or just before COMMIT. Meanwhile the write connection's cache
// answers every read of the alert (alertcache.go), with the values the
// batch wrote. Holding counts as a statement: a request that fails after
// it reruns an optimistic batch with savepoints, as after the UPDATE it
// stands for. Should the row not hold the guard when it goes out (the
// cache behind the database), the full update of the alert as last
// written runs instead, as updateRepeat's own fallback does.

// laterRepeat is one alert's held update: the row as the batch last wrote
// it, and the guard.
type laterRepeat struct {
	// row is the cache's entry of the alert as last written (entries are
	// never changed once staged).
	row *cachedAlert
	// count and last (microseconds) are the counters, and details the
	// details, the row held before the batch's first held update of it.
	count   int64
	last    int64
	details json.RawMessage
}

// holdRepeat keeps the update of alert id, whose row stands as prev,
// until the batch's next statement. It returns false when the batch
// already holds an update of the alert, which this one replaces: the row
// to write is given later (heldRow), once the cache has staged it.
func (t *tx) holdRepeat(prev *cachedAlert) (first bool) {
	t.statements++
	if _, ok := t.repeatAt[prev.ID]; ok {
		return false
	}
	if t.repeatAt == nil {
		t.repeatAt = make(map[string]int)
	}
	t.repeatAt[prev.ID] = len(t.laterRepeats)
	t.laterRepeats = append(t.laterRepeats, laterRepeat{row: prev, count: prev.EventCount,
		last: micros(prev.LastSeenAt), details: prev.CustomDetails})
	return true
}

// heldRow sets the row the held update of alert id writes.
func (t *tx) heldRow(id string, row *cachedAlert) {
	if i, ok := t.repeatAt[id]; ok && row != nil {
		t.laterRepeats[i].row = row
	}
}

// flushRepeats writes the held updates: those that keep the details,
// then those that change them, each as multi-row updates of up to
// maxRepeatRows rows (a power of two each), in the order first held.
func (t *tx) flushRepeats() error {
	if len(t.laterRepeats) == 0 {
		return nil
	}
	held := t.laterRepeats
	t.dropRepeats()
	var same, changed []*laterRepeat
	for i := range held {
		if r := &held[i]; bytes.Equal(r.details, r.row.CustomDetails) {
			same = append(same, r)
		} else {
			changed = append(changed, r)
		}
	}
	for kind, list := range [2][]*laterRepeat{same, changed} {
		for len(list) > 0 {
			n := sizedRows(len(list), maxRepeatRows)
			if err := t.writeRepeats(kind == 1, list[:n]); err != nil {
				// Maybe an earlier request's update, failing in this one's
				// statement: the batch must not commit as it stands. Kept
				// (as a queued write's failure is), it fails this request
				// even if its fn swallows the error, and as a statement it
				// makes an optimistic batch run again with savepoints,
				// where each request writes its own at its end.
				t.statements++
				t.heldErr = err
				return err
			}
			list = list[n:]
		}
	}
	return nil
}

// writeRepeats writes held updates of one kind (details: they change
// them) in one statement, where each row still holds its guard. Should
// fewer rows match, each row is written whole, as last written: the rows
// that matched already hold those values.
func (t *tx) writeRepeats(details bool, rows []*laterRepeat) error {
	t.statements++
	kind := 0
	if details {
		kind = 1
	}
	st, err := t.c.sized(t.ctx, t.c.repeats[kind][:], len(rows), func(n int) string { return repeatsSQL(details, n) },
		"held repeats")
	if err != nil {
		return err
	}
	args := make([]any, 0, len(rows)*repeatCols(details))
	for _, r := range rows {
		a := &r.row.Alert
		args = append(args, a.ID)
		if details {
			args = append(args, nullJSON(a.CustomDetails))
		}
		args = append(args, a.EventCount, micros(a.LastSeenAt), r.count, r.last)
	}
	res, err := st.ExecContext(t.ctx, args...)
	if err != nil {
		return t.s.dbErr(err, "update %d alerts, the first %q", len(rows), rows[0].row.ID)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update %d alerts, the first %q: %w", len(rows), rows[0].row.ID, err)
	}
	for i := 0; n < int64(len(rows)) && i < len(rows); i++ {
		if err := t.updateWhole(t.ctx, &rows[i].row.Alert); err != nil {
			return err
		}
	}
	return nil
}

const (
	// maxRepeatRows is the largest multi-row update of held repeats (a
	// power of two), and preparedRepeatSizes how many sizes are kept.
	maxRepeatRows       = 1 << (preparedRepeatSizes - 1)
	preparedRepeatSizes = 7 // 1, 2, 4, ... 64 rows
)

// repeatCols is how many parameters a row of repeatsSQL takes.
func repeatCols(details bool) int {
	if details {
		return 6
	}
	return 5
}

// repeatsSQL is the UPDATE of n held repeats with anonymous parameters,
// each row (id, [details,] event_count, last_seen_at, and the guard's
// event_count and last_seen_at) a row of a VALUES list that SQLite
// joins to alerts by its primary key.
func repeatsSQL(details bool, n int) string {
	cols := repeatCols(details)
	set := "event_count = v.column2, last_seen_at = v.column3"
	guard := "alerts.event_count = v.column4 AND alerts.last_seen_at = v.column5"
	if details {
		set = "custom_details = v.column2, event_count = v.column3, last_seen_at = v.column4"
		guard = "alerts.event_count = v.column5 AND alerts.last_seen_at = v.column6"
	}
	return "UPDATE alerts SET " + set + " FROM (VALUES " + placeholderRows(cols, n) +
		") AS v WHERE alerts.id = v.column1 AND " + guard
}

// dropRepeats forgets the held updates: written, or undone with their
// request.
func (t *tx) dropRepeats() {
	t.laterRepeats = nil
	clear(t.repeatAt)
}
