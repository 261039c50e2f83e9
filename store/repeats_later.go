package store

import (
	"bytes"
	"encoding/json"
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
// A held update goes out before any other statement of the transaction
// (tx.exec, query, queryRow and flush, which every read and every other
// write of the batch goes through, and retention first), at the end of its
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

// flushRepeats writes the held updates, in the order first held.
func (t *tx) flushRepeats() error {
	if len(t.laterRepeats) == 0 {
		return nil
	}
	held := t.laterRepeats
	t.dropRepeats()
	for i := range held {
		if err := t.writeRepeat(&held[i]); err != nil {
			return err
		}
	}
	return nil
}

// dropRepeats forgets the held updates: written, or undone with their
// request.
func (t *tx) dropRepeats() {
	t.laterRepeats = nil
	clear(t.repeatAt)
}

// writeRepeat writes one held update: the counters, and the details if
// they changed, where the row still holds the guard; else the whole row.
func (t *tx) writeRepeat(r *laterRepeat) error {
	a := &r.row.Alert
	q, args := qUpdateAlertCounters, []any{a.ID, a.EventCount, micros(a.LastSeenAt), r.count, r.last}
	if !bytes.Equal(r.details, a.CustomDetails) {
		q, args = qUpdateAlertRepeat, []any{a.ID, nullJSON(a.CustomDetails), a.EventCount, micros(a.LastSeenAt),
			r.count, r.last}
	}
	done, err := t.updateIfMatched(t.ctx, q, a.ID, args...)
	if err == nil && !done {
		err = t.updateWhole(t.ctx, a)
	}
	return err
}
