package store

import (
	"github.com/hypercare/hypercare"
)

// Re-triggered alerts' updates queued once per batch (PostgreSQL). With
// 32 Alertmanager notifications in flight over ten groups, a batch holds
// several re-sends of one group. Each request read its alerts ahead in a
// round trip of its own, which sent the queued writes first, so the
// second re-send of an alert read the row the first had just written and
// queued a second update of it: two round trips and two row versions
// where one of each would do.
//
// Now the row a repeat's update writes stays with the batch, among the
// alerts its BEGIN locked (held, open_ahead.go): the read ahead that
// found it locked the row, so nobody else changes it until the batch
// ends, and the batch knows what it wrote. A later request of the batch
// finds the alert there without a read, and its repeat merges into the
// update still queued for the alert (its values, the first update's
// guard) instead of queuing another, as SQLite's writer holds one update
// per alert (repeats_later.go). The merge applies only while that update
// is queued and is the last write of the alert: sending the queue, or
// any other write of the alert, ends it. So a later request's read ahead
// of other keys does not send a queue of nothing but repeats' updates and
// event rows: those touch no row it reads (a repeat's alert is kept, and
// a kept key is not read again; the event log is not read), and they
// queue no lock of a row not already this transaction's. Once a queued
// repeat's alert is no longer kept (another write of it, a failed
// repeat, retention dropping every kept row), the queue goes first again
// (unkeep). A request that fails takes the
// rows it kept with it: its savepoint's rollback undid its writes and
// released the locks its own reads took.

// keepWritten keeps a, just written by a repeat's update of a row this
// transaction locked (read as prev), as the batch's read of its key. The
// update leaves sent_key alone: the row keeps prev's.
func (t *tx) keepWritten(a, prev *hypercare.Alert) {
	k := alertCacheKey(a.ServiceID, a.DedupKey)
	if t.held == nil {
		t.held = make(openAhead)
	}
	row := cloneAlert(a, nil)
	if prev != nil {
		row.SentKey = prev.SentKey
	}
	t.held[k] = &row
	t.heldWritten = append(t.heldWritten, k)
}

// unkeep ends the merge into alert id's queued repeat update, if there
// is one: its kept row is gone (another write of the alert, a failed
// repeat, retention), so a later read of the alert must see the queued
// update, sent first, and a later repeat queue an update of its own.
func (t *tx) unkeep(id string) {
	if _, ok := t.repeatQueued[id]; ok {
		delete(t.repeatQueued, id)
		t.unkept = true
	}
}

// unkeepAll is unkeep for every alert: every kept row is gone.
func (t *tx) unkeepAll() {
	if len(t.repeatQueued) > 0 {
		clear(t.repeatQueued)
		t.unkept = true
	}
}

// dropWritten forgets the rows the running request kept (keepWritten):
// it failed.
func (t *tx) dropWritten() {
	for _, k := range t.heldWritten {
		if a := t.held[k]; a != nil {
			t.unkeep(a.ID)
		}
		delete(t.held, k)
	}
	t.heldWritten = t.heldWritten[:0]
}

// queuedRepeat records that the last queued write is the repeat update
// of alert id.
func (t *tx) queuedRepeat(id string) {
	if len(t.pending) == 0 || t.pending[len(t.pending)-1].key != id {
		return
	}
	if t.repeatQueued == nil {
		t.repeatQueued = make(map[string]int)
	}
	t.repeatQueued[id] = len(t.pending) - 1
}

// mergeQueuedRepeat merges the update of alert a, a repeat of the row as
// last written (identical: with its details), into the update queued
// for it, if there is one: a's values, the queued update's guard. It
// counts as a statement, as the update it stands for.
func (t *tx) mergeQueuedRepeat(a *hypercare.Alert, identical bool) bool {
	i, ok := t.repeatQueued[a.ID]
	if !ok || i >= len(t.pending) {
		return false
	}
	w := &t.pending[i]
	if w.key != a.ID || (w.id != qUpdateAlertCounters && w.id != qUpdateAlertRepeat) || w.rows != 0 {
		return false
	}
	count, ok1 := w.args[len(w.args)-2].(int64) // the guard, as repeatUpdate queued it
	last, ok2 := w.args[len(w.args)-1].(int64)
	if !ok1 || !ok2 {
		return false
	}
	w.id, w.args = repeatUpdate(a, w.id == qUpdateAlertRepeat || !identical, count, last)
	t.statements++
	return true
}

// queuedOnlyRepeats says the queue holds only repeats' updates of rows
// the batch still keeps (locked, as written) and event rows, if anything.
func (t *tx) queuedOnlyRepeats() bool {
	if t.unkept {
		return false
	}
	for _, w := range t.pending {
		if w.id != qUpdateAlertCounters && w.id != qUpdateAlertRepeat && w.id != qInsertEvent {
			return false
		}
	}
	return t.flushErr == nil
}
