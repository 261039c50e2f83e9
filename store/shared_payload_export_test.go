package store

import (
	"context"
	"slices"

	"github.com/hypercare/hypercare"
)

// ShareForTest makes event sharer share event shared's payload as SQLite's
// writer would (payload NULL, payload_from, the shared event's
// shared_until), so a test runs reads and retention of shared payloads on
// PostgreSQL too, whose writers never share.
func (s *Store) ShareForTest(ctx context.Context, sharer, shared string, untilMicros int64) error {
	return s.Write(ctx, "test", func(htx hypercare.Tx) error {
		t := htx.(*tx)
		if _, err := t.execText(ctx, "UPDATE events SET payload = NULL, payload_from = $2 WHERE id = $1", sharer, shared); err != nil {
			return err
		}
		_, err := t.execText(ctx, "UPDATE events SET shared_until = $2 WHERE id = $1", shared, untilMicros)
		return err
	})
}

// DeferEventsForTest turns SQLite's multi-row event inserts off (false:
// one statement per event, as before they existed) or on, so a benchmark
// compares both in one run.
func (s *Store) DeferEventsForTest(on bool) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.wconn.deferEvents = on
}

// ReadAheadForTest returns the IDs of the open alerts tx's running request
// read ahead and holds (ReadOpenAlertsAhead), sorted.
func ReadAheadForTest(htx hypercare.Tx) []string { return aheadIDs(htx.(*tx).ahead) }

// aheadIDs are the IDs of the alerts m holds, sorted.
func aheadIDs(m openAhead) []string {
	var ids []string
	for _, a := range m {
		ids = append(ids, a.ID)
	}
	slices.Sort(ids)
	return ids
}

// ReadAheadSQL is the text of the reads ahead of a batch's keys
// (PostgreSQL; open_ahead.go), by name, for TestReadAheadProbesEachKey.
func (s *Store) ReadAheadSQL() map[string]string {
	return map[string]string{"open alerts ahead": s.q[qOpenAlertsAhead], "recent alerts ahead": s.q[qRecentAhead],
		"numbers drawn ahead": s.q[qDrawNumbersAhead]}
}

// BatchNoneForTest returns the keys ("service/dedup key") tx's batch
// holds read ahead with no open alert (begin.go, open_ahead.go), sorted.
func BatchNoneForTest(htx hypercare.Tx) []string {
	var keys []string
	for k := range htx.(*tx).none {
		keys = append(keys, k.service+"/"+k.dedup)
	}
	slices.Sort(keys)
	return keys
}

// DrawnForTest returns how many incident numbers tx's batch drew with its
// BEGIN and has not handed out (begin.go).
func DrawnForTest(htx hypercare.Tx) int { return len(htx.(*tx).drawn) }

// HeldForTest returns the IDs of the open alerts tx's batch locked with
// its BEGIN (begin.go), sorted.
func HeldForTest(htx hypercare.Tx) []string { return aheadIDs(htx.(*tx).held) }

// ExecForTest runs q in tx (a test's setup in the store's own schema).
func ExecForTest(htx hypercare.Tx, q string, args ...any) error {
	_, err := htx.(*tx).execText(context.Background(), q, args...)
	return err
}

// PendingForTest is how many writes the transaction has queued
// (PostgreSQL's pipeline).
func PendingForTest(htx hypercare.Tx) int { return len(htx.(*tx).pending) }
