package store

import (
	"fmt"
	"strings"

	"github.com/hypercare/hypercare"
)

// Deferred event inserts (SQLite's writer): an event row is kept on the
// batch and inserted with others in one multi-row statement, prepared
// once per power-of-two row count, at the end of its request (alone in its
// batch, or in a savepoint) or just before COMMIT (an optimistic batch of
// several requests). Nothing in a write transaction reads the event log
// back except the first sharer's mark on a shared payload (sharePayload,
// which marks a row still kept here in place) and retention (which inserts
// what is kept first). A write of 100 events (a 100-alert notification)
// costs 19.4 µs per event this way, 22.7 one statement per event
// (BenchmarkEventLogSQLite). PostgreSQL queues its inserts in the
// pipeline instead (insertLater).

// eventTaken is why InsertEvent fails on an ID already logged, on either
// path.
const eventTaken = "an event with this id already exists"

// laterEvent is one event row kept until its insert: its ID and the
// values of eventLaterSQL's columns.
type laterEvent struct {
	id   string
	args [eventLaterCols]any
}

const (
	// eventLaterCols is how many columns eventLaterSQL sets per row.
	eventLaterCols = 14
	// maxLaterEventRows is the largest prepared insert (a power of two;
	// 896 parameters), and preparedEventSizes how many sizes are kept.
	maxLaterEventRows  = 1 << (preparedEventSizes - 1)
	preparedEventSizes = 7 // 1, 2, 4, ... 64 rows
)

// eventLaterSQL is the INSERT of n events with anonymous parameters (see
// positional.go). Without ON CONFLICT: an ID taken fails the statement,
// which SQLite undoes whole, and insertEventsOneByOne names the ID.
func eventLaterSQL(n int) string {
	return "INSERT INTO events (" + eventCols + ", payload_from, payload_s2, shared_until) VALUES " +
		placeholderRows(eventLaterCols, n)
}

// deferEvent keeps e's row until flushEvents: its payload (compressed
// when that pays, payload_s2.go: rows are deferred on SQLite only), or
// none when it names the event it shares one with, from.
func (t *tx) deferEvent(e *hypercare.EventRecord, from string) {
	var text, compressed any
	if from == "" {
		text, compressed = storedPayloadArgs(e.Payload)
	}
	t.laterEvents = append(t.laterEvents, laterEvent{id: e.ID, args: [eventLaterCols]any{
		e.ID, micros(e.ReceivedAt), e.IntegrationID, e.ServiceID, string(e.Action), e.DedupKey, e.AlertID,
		e.IncidentID, e.Outcome, text, strings.Join(e.Rules, ","), from, compressed, int64(0)}})
}

// markSharedLater sets shared_until of event id if its row is still kept,
// and reports whether it was. It counts as a statement: the row may be an
// earlier request's, so a failure after it reruns the batch with
// savepoints, as the UPDATE it stands for would.
func (t *tx) markSharedLater(id string, until int64) bool {
	for i := len(t.laterEvents) - 1; i >= 0; i-- {
		if t.laterEvents[i].id == id {
			t.laterEvents[i].args[eventLaterCols-1] = until
			t.statements++
			return true
		}
	}
	return false
}

// flushEvents inserts the kept event rows. An ID already taken fails it
// with the conflict insert names (`event "ID": an event with this id
// already exists`), after which the transaction must not commit as it is:
// the caller fails the request or reruns the batch.
func (t *tx) flushEvents() error {
	for rest := t.laterEvents; len(rest) > 0; {
		n := sizedRows(len(rest), maxLaterEventRows)
		chunk := rest[:n]
		rest = rest[n:]
		t.statements++
		st, err := t.c.eventStmt(t.ctx, n)
		if err == nil {
			args := make([]any, 0, eventLaterCols*n)
			for i := range chunk {
				args = append(args, chunk[i].args[:]...)
			}
			_, err = st.ExecContext(t.ctx, args...)
		}
		if err != nil && t.s.d.classify(err) == classUnique {
			return t.insertEventsOneByOne(chunk)
		}
		if err != nil {
			return t.s.dbErr(err, "insert %d events", n)
		}
	}
	t.laterEvents = t.laterEvents[:0]
	return nil
}

// insertEventsOneByOne inserts chunk a row at a time, after its
// multi-row insert failed on a taken ID, to name the first event whose ID
// is taken (by an earlier event or one of the chunk's).
func (t *tx) insertEventsOneByOne(chunk []laterEvent) error {
	st, err := t.c.eventStmt(t.ctx, 1)
	if err != nil {
		return err
	}
	for i := range chunk {
		_, err := st.ExecContext(t.ctx, chunk[i].args[:]...)
		if err != nil && t.s.d.classify(err) == classUnique {
			return hypercare.Errorf(hypercare.CodeConflict, "event %q: %s", chunk[i].id, eventTaken)
		}
		if err != nil {
			return t.s.dbErr(err, "insert event %q", chunk[i].id)
		}
	}
	return fmt.Errorf("insert %d events: an ID was taken, and then none was", len(chunk))
}
