package store

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/hypercare/hypercare"
	"github.com/jackc/pgx/v5"
)

// Read-ahead of a request's alert keys (PostgreSQL). A re-sent
// Alertmanager notification of 100 firing alerts looks each one up with
// FindOpenAlert, and on PostgreSQL each lookup was a round trip of its own,
// 100 in turn on the one writer of the notification's service (a re-sent
// batch ran at a tenth of SQLite's rate); a notification of new alerts
// did the same for "none open", with each key's recent alerts. Intake now
// names the request's trigger keys first (Tx.ReadOpenAlertsAhead), and
// one round trip reads, per service, the open alerts of the keys this
// node last found open (openKeyHint), locked as FindOpenAlert locks them,
// and the newest alerts of the other keys, unlocked, as FindOpenAlert's
// own read-ahead reads them (recent_prefetch.go). FindOpenAlert and
// RecentAlertsByKey answer from those reads.
//
// Locks: the alerts expected open are locked in dedup key order (one
// probe per key, in the order of the sorted keys), before the request's other locks, where
// FindOpenAlert would have locked each at its event's turn. Two requests
// reading overlapping keys lock them in one order. Ingest takes an alert
// before its incident, as before; what changes is that a request holds
// its later alerts while an earlier event waits for an incident or a
// grouping lock. A merge or a person's action holding that incident and
// waiting for one of those alerts makes a cycle of the kind ingest
// already had with them (an alert before its incident, see
// ARCHITECTURE.md): PostgreSQL breaks it and the store runs the batch
// again. A new alert's key, whose event takes the grouping lock and
// opens an incident, is read unlocked; where that read finds an open
// alert after all, FindOpenAlert reads it again, locked, at its turn.
//
// Validity: an alert read ahead is locked, so no other transaction
// changes it, and the request's own writes to alert rows all go through
// UpdateAlert and SetAlertSentKey, which drop its entry; FindOpenAlert
// hands out copies, so UpdateAlert still has the row as it stands. A key
// with no open alert answers "none" once, and InsertAlert or an update of
// one of its alerts drops it; like FindOpenAlert's own read of a new key
// it locks nothing, and another node opening the key meanwhile makes the
// request's insert conflict, which intake retries. The open alerts read
// ahead live for one request (runOne clears them): the next request of
// the batch starts without them. The "none" entries live for the batch's
// transaction, as those its BEGIN read (begin.go, keys named with
// hypercare.WithKeysAhead): every write of an alert row drops its key's
// entry, whichever request of the batch makes it (InsertAlert,
// UpdateAlert; retention's deletes drop them all), so a later request
// finds what an earlier one wrote, and a rerun starts a new transaction
// that reads them again.

// openAhead maps a key to its open alert, read ahead and locked.
type openAhead map[alertKey]*hypercare.Alert

// noneAhead maps a key found with no open alert to its newest alerts
// (newest first, at most recentPrefetch), read ahead: what FindOpenAlert
// and then RecentAlertsByKey read for a new alert.
type noneAhead map[alertKey][]hypercare.Alert

// ReadOpenAlertsAhead reads, in one round trip, the open alerts (locked)
// of those of keys this node last found open, and the newest alerts of
// the others, for FindOpenAlert and RecentAlertsByKey to answer from. On
// SQLite it does nothing: the write connection's cache answers.
func (t *tx) ReadOpenAlertsAhead(ctx context.Context, keys []hypercare.AlertKey) error {
	t.ahead = nil
	if err := ctx.Err(); err != nil {
		return err
	}
	if !t.s.d.pipeline {
		return nil
	}
	open, fresh, asked := t.aheadKeys(keys)
	if asked < 2 {
		return nil // FindOpenAlert's own read is one round trip too
	}
	stmts := aheadStatements(open, fresh)
	t.statements += len(stmts)
	found, recent := make(openAhead, asked), make(noneAhead)
	read := t.batchWithAll
	if t.queuedOnlyRepeats() {
		read = t.batchBesideQueue // the queue stays: its repeats may merge (repeats_queued.go)
	}
	err := read(stmts, func(br pgx.BatchResults) error {
		for _, st := range stmts {
			into := found.add
			if st.id == qRecentAhead {
				into = recent.add
			}
			if err := readAhead(br, into); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read %d alert keys ahead: %w", asked, err)
	}
	t.keep(open, fresh, found, recent)
	return nil
}

// keep records what ReadOpenAlertsAhead read: the open alerts found, and
// the keys expected new that have none open, with their newest alerts.
// A key expected open and found resolved is no longer expected open.
func (t *tx) keep(open, fresh map[string][]string, found openAhead, recent noneAhead) {
	t.s.forgetClosed(open, found)
	t.ahead = found
	if t.none == nil {
		t.none = make(noneAhead)
	}
	t.none.keepFresh(fresh, recent)
}

// add files a, its key's open alert, under its key.
func (o openAhead) add(a *hypercare.Alert) { o[alertCacheKey(a.ServiceID, a.DedupKey)] = a }

// add files a, one of its key's newest alerts (newest first), under its key.
func (n noneAhead) add(a *hypercare.Alert) {
	k := alertCacheKey(a.ServiceID, a.DedupKey)
	n[k] = append(n[k], *a)
}

// keepFresh keeps, of the keys fresh (by service) whose newest alerts
// recent holds, those with no open alert. A key with one is read again,
// locked, by its FindOpenAlert.
func (n noneAhead) keepFresh(fresh map[string][]string, recent noneAhead) {
	for s, list := range fresh {
		for _, k := range list {
			ak := alertCacheKey(s, k)
			if !hasOpen(recent[ak]) {
				n[ak] = recent[ak]
			}
		}
	}
}

// aheadStatements are the reads of ReadOpenAlertsAhead, by service in
// order (one lock order across services too): the keys expected open,
// then the others.
func aheadStatements(open, fresh map[string][]string) []stmt {
	services := slices.Collect(maps.Keys(open))
	for s := range fresh {
		if _, ok := open[s]; !ok {
			services = append(services, s)
		}
	}
	slices.Sort(services)
	var stmts []stmt
	for _, s := range services {
		if keys := open[s]; len(keys) > 0 {
			slices.Sort(keys) // the order the read locks them in
			stmts = append(stmts, stmt{qOpenAlertsAhead, []any{s, keys}})
		}
		if keys := fresh[s]; len(keys) > 0 {
			stmts = append(stmts, stmt{qRecentAhead, []any{s, keys, recentPrefetch}})
		}
	}
	return stmts
}

// hasOpen says whether an alert of list is not resolved.
func hasOpen(list []hypercare.Alert) bool {
	for i := range list {
		if list[i].Status != hypercare.StatusResolved {
			return true
		}
	}
	return false
}

// aheadKeys groups keys by service, without repeats: those the hint
// expects open, and the others. It counts both. Keys the batch read
// ahead at its BEGIN and no write has touched since are left out: their
// entries still hold.
func (t *tx) aheadKeys(keys []hypercare.AlertKey) (open, fresh map[string][]string, n int) {
	open, fresh = make(map[string][]string), make(map[string][]string)
	seen := make(map[alertKey]bool, len(keys))
	for _, k := range keys {
		ak := alertCacheKey(k.ServiceID, k.DedupKey)
		if _, read := t.none[ak]; read || t.held[ak] != nil {
			continue
		}
		if seen[ak] || checkText("read open alerts ahead", "service_id", k.ServiceID, "dedup_key", k.DedupKey) != nil {
			continue // bad text fails at FindOpenAlert, with its own error
		}
		seen[ak] = true
		if t.s.openKeys.open(ak) {
			open[k.ServiceID] = append(open[k.ServiceID], k.DedupKey)
		} else {
			fresh[k.ServiceID] = append(fresh[k.ServiceID], k.DedupKey)
		}
		n++
	}
	return open, fresh, n
}

// readAhead hands one statement's rows to into.
func readAhead(br pgx.BatchResults, into func(*hypercare.Alert)) error {
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
		into(a)
	}
	return rows.Err()
}

// takeNone answers FindOpenAlert for a key read ahead with no open alert,
// once, and leaves its newest alerts for RecentAlertsByKey (as
// findOpenReadingAhead does) while the request runs no other statement.
func (t *tx) takeNone(serviceID, dedupKey string) bool {
	k := alertCacheKey(serviceID, dedupKey)
	list, ok := t.none[k]
	if !ok {
		return false
	}
	delete(t.none, k)
	t.recent = recentAhead{serviceID: serviceID, dedupKey: dedupKey, alerts: list, statements: t.statements, valid: true}
	return true
}

// takeAhead returns a copy of the open alert of the key read ahead (by
// the request, or locked with its batch's BEGIN), or nil. The entry
// stays, as the row stands, until the request writes the alert
// (dropAhead): UpdateAlert then knows what changed.
func (t *tx) takeAhead(serviceID, dedupKey string) *hypercare.Alert {
	k := alertCacheKey(serviceID, dedupKey)
	e := t.ahead[k]
	if e == nil {
		e = t.held[k]
	}
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
	delete(t.none, k)
	for _, m := range [...]openAhead{t.ahead, t.held} {
		if e := m[k]; e != nil && e.ID == a.ID {
			delete(m, k)
			return e
		}
	}
	return nil
}

// dropAheadID is dropAhead for a write that names only the alert's ID:
// its entry, open or among a key's newest alerts, is dropped.
func (t *tx) dropAheadID(id string) {
	t.unkeep(id)
	for _, m := range [...]openAhead{t.ahead, t.held} {
		for k, a := range m {
			if a.ID == id {
				delete(m, k)
				break
			}
		}
	}
	for k, list := range t.none {
		if slices.ContainsFunc(list, func(a hypercare.Alert) bool { return a.ID == id }) {
			delete(t.none, k)
		}
	}
}
