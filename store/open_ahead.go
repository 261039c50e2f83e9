package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/hypercare/hypercare"
	"github.com/jackc/pgx/v5"
)

// Read-ahead of a request's open alerts (PostgreSQL). A re-sent
// Alertmanager notification of 100 firing alerts looks each one up with
// FindOpenAlert, and on PostgreSQL each lookup was a round trip of its own,
// 100 in turn on the one writer of the notification's service (a re-sent
// batch ran at a tenth of SQLite's rate). Intake now names the request's
// trigger keys first (Tx.ReadOpenAlertsAhead); the keys this node last
// found open (openKeyHint) are read in one statement per service, locked
// as FindOpenAlert locks them, and FindOpenAlert answers from that read.
//
// Locks: the rows are locked in dedup key order, before the request's
// other locks, where FindOpenAlert would have locked each at its event's
// turn. Two requests reading overlapping keys lock them in one order.
// Ingest takes an alert before its incident, as before; what changes is
// that a request holds its later alerts while an earlier event waits for
// an incident or a grouping lock. A merge or a person's action holding
// that incident and waiting for one of those alerts makes a cycle of the
// kind ingest already had with them (an alert before its incident, see
// ARCHITECTURE.md): PostgreSQL breaks it and the store runs the batch
// again. Only keys expected open are read: a new alert's key, whose
// event takes the grouping lock and opens an incident, is not.
//
// Validity: an alert read ahead is locked, so no other transaction
// changes it, and the request's own writes to alert rows all go through
// UpdateAlert and SetAlertSentKey, which drop it. FindOpenAlert hands an
// entry out once (the caller may change the copy); a second lookup of the
// key reads the row. The map lives for one request (runOne clears it): a
// rerun, or the next request of the batch, starts without it.

// openAhead maps a key to its open alert, read ahead and locked.
type openAhead map[alertKey]*hypercare.Alert

// ReadOpenAlertsAhead reads and locks, in one round trip, the open alerts
// of those of keys this node last found open, for FindOpenAlert to answer
// from. On SQLite it does nothing: the write connection's cache answers.
func (t *tx) ReadOpenAlertsAhead(ctx context.Context, keys []hypercare.AlertKey) error {
	t.ahead = nil
	if err := ctx.Err(); err != nil {
		return err
	}
	if !t.s.d.pipeline {
		return nil
	}
	byService, asked := t.aheadKeys(keys)
	if asked < 2 {
		return nil // FindOpenAlert's own read is one round trip too
	}
	services := make([]string, 0, len(byService))
	for s := range byService {
		services = append(services, s)
	}
	slices.Sort(services) // one lock order across services too
	stmts := make([]stmt, len(services))
	for i, s := range services {
		stmts[i] = stmt{qOpenAlertsAhead, []any{s, byService[s]}}
	}
	t.statements += len(stmts)
	found := make(openAhead, asked)
	err := t.batchWithAll(stmts, func(br pgx.BatchResults) error {
		for range stmts {
			if err := readAhead(br, found); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read %d open alerts ahead: %w", asked, err)
	}
	for s, list := range byService {
		for _, k := range list {
			if _, ok := found[alertCacheKey(s, k)]; !ok {
				// Resolved since: its FindOpenAlert reads the key's
				// recent alerts ahead with its own, as for a new key.
				t.s.openKeys.set(alertCacheKey(s, k), false)
			}
		}
	}
	t.ahead = found
	return nil
}

// aheadKeys groups the keys the hint expects open by service, without
// repeats, and counts them.
func (t *tx) aheadKeys(keys []hypercare.AlertKey) (map[string][]string, int) {
	byService := make(map[string][]string)
	seen := make(map[alertKey]bool, len(keys))
	n := 0
	for _, k := range keys {
		ak := alertCacheKey(k.ServiceID, k.DedupKey)
		if seen[ak] || checkText("read open alerts ahead", "service_id", k.ServiceID, "dedup_key", k.DedupKey) != nil ||
			!t.s.openKeys.open(ak) {
			continue // bad text fails at FindOpenAlert, with its own error
		}
		seen[ak] = true
		byService[k.ServiceID] = append(byService[k.ServiceID], k.DedupKey)
		n++
	}
	return byService, n
}

// readAhead adds one statement's rows to found.
func readAhead(br pgx.BatchResults, found openAhead) error {
	rows, err := br.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		a := new(hypercare.Alert)
		if err := scanAlert(rows, a); err != nil {
			return err
		}
		found[alertCacheKey(a.ServiceID, a.DedupKey)] = a
	}
	return rows.Err()
}

// takeAhead returns a copy of the open alert of the key read ahead, or
// nil. The entry stays, as the row stands, until the request writes the
// alert (dropAhead): UpdateAlert then knows what changed.
func (t *tx) takeAhead(serviceID, dedupKey string) *hypercare.Alert {
	e := t.ahead[alertCacheKey(serviceID, dedupKey)]
	if e == nil {
		return nil
	}
	a := cloneAlert(e, e.CustomDetails)
	return &a
}

// dropAhead forgets what was read ahead of alert a, which the request is
// writing: the row will no longer be what was read. It returns that
// read (the row as it stands until this write), or nil. An alert's
// service and dedup key never change (UpdateAlert does not write them),
// so its entry is found by them.
func (t *tx) dropAhead(a *hypercare.Alert) *hypercare.Alert {
	k := alertCacheKey(a.ServiceID, a.DedupKey)
	e := t.ahead[k]
	if e == nil || e.ID != a.ID {
		return nil
	}
	delete(t.ahead, k)
	return e
}

// dropAheadID is dropAhead for a write that names only the alert's ID.
func (t *tx) dropAheadID(id string) {
	for k, a := range t.ahead {
		if a.ID == id {
			delete(t.ahead, k)
			return
		}
	}
}
