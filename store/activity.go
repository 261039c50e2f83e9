package store

import "github.com/hypercare/hypercare"

// Integration activity (SQLite, migration 0044): when each integration
// last sent an event is one row per integration in integration_activity,
// written once per integration at COMMIT with the latest event of the
// batch, instead of an index entry per event (events_integration_at,
// which PostgreSQL keeps). Every event used to pay that index insert, and
// a commit of re-sent Alertmanager batches about 9 of its 137 WAL pages,
// for one read per integration (LastEventAt: the readiness report's
// silent integrations). On PostgreSQL concurrent writers would all
// update the same row and wait for each other's commits.

// seenEvent is one inserted event's integration and time (µs), kept by
// the batch until COMMIT.
type seenEvent struct {
	integration string
	at          int64
}

// sawEvent notes e for the batch's integration activity (SQLite's writer
// only). A request that fails drops its notes with its writes (runOne).
func (t *tx) sawEvent(e *hypercare.EventRecord) {
	if t.s.d.activity {
		t.seen = append(t.seen, seenEvent{e.IntegrationID, micros(e.ReceivedAt)})
	}
}

// saveActivity writes, before COMMIT, the latest event time of each
// integration the batch's committed requests saw; a later time already
// stored stays (events may arrive out of order).
func (t *tx) saveActivity() error {
	for i, e := range t.seen {
		if e.integration == "" {
			continue // folded into an earlier entry
		}
		for j := i + 1; j < len(t.seen); j++ {
			if o := &t.seen[j]; o.integration == e.integration {
				e.at = max(e.at, o.at)
				o.integration = ""
			}
		}
		if _, err := t.exec(t.ctx, qSaveActivity, e.integration, e.at); err != nil {
			return t.s.dbErr(err, "save when integration %q last sent an event", e.integration)
		}
	}
	t.seen = t.seen[:0]
	return nil
}
