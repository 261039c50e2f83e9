package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hypercare/hypercare"
)

// FindOpenAlert returns the unresolved alert with serviceID and dedupKey,
// or nil when there is none. On PostgreSQL the row is locked.
func (t *tx) FindOpenAlert(ctx context.Context, serviceID, dedupKey string) (*hypercare.Alert, error) {
	if err := checkText("find open alert", "service_id", serviceID, "dedup_key", dedupKey); err != nil {
		return nil, err
	}
	if a, ok, err := t.cachedOpenAlert(ctx, serviceID, dedupKey); ok || err != nil {
		return a, err
	}
	if t.c.keys != nil && t.c.keys.absent(serviceID, dedupKey) {
		return nil, nil
	}
	if t.s.d.pipeline {
		if a := t.takeAhead(serviceID, dedupKey); a != nil {
			t.recent = recentAhead{}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			return a, nil
		}
		if t.takeNone(serviceID, dedupKey) {
			return nil, ctx.Err()
		}
		return t.findOpenReadingAhead(ctx, serviceID, dedupKey)
	}
	a, err := t.readOpenAlert(ctx, qFindOpenAlert, "find open alert", serviceID, dedupKey)
	if a != nil && t.c.alerts != nil {
		t.c.alerts.read(a)
	}
	return a, err
}

// cachedOpenAlert answers FindOpenAlert from the write connection's
// open-alert cache (SQLite, alertcache.go); ok is false when it cannot.
func (t *tx) cachedOpenAlert(ctx context.Context, serviceID, dedupKey string) (a *hypercare.Alert, ok bool, err error) {
	if t.c.alerts == nil {
		return nil, false, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	a, ok = t.c.alerts.find(serviceID, dedupKey)
	return a, ok, nil
}

// FindOpenAlertSkipLocked is FindOpenAlert for a write that must never
// wait on a row lock: on PostgreSQL an open alert another transaction has
// locked reads as none (FOR UPDATE SKIP LOCKED). A writer whose requests
// only ever lock their own alert rows this way can be part of no deadlock.
// SQLite has one writer and no row locks: it is FindOpenAlert.
func (t *tx) FindOpenAlertSkipLocked(ctx context.Context, serviceID, dedupKey string) (*hypercare.Alert, error) {
	if t.c.alerts != nil { // SQLite: no row locks to skip
		return t.FindOpenAlert(ctx, serviceID, dedupKey)
	}
	if err := checkText("find open alert", "service_id", serviceID, "dedup_key", dedupKey); err != nil {
		return nil, err
	}
	if a := t.takeAhead(serviceID, dedupKey); a != nil { // locked by this transaction: never skipped
		return a, ctx.Err()
	}
	return t.readOpenAlert(ctx, qFindOpenAlertSkipLocked, "find unlocked open alert", serviceID, dedupKey)
}

// readOpenAlert runs q, a read of the open alert of (serviceID,
// dedupKey), and returns it, or nil when there is none.
func (t *tx) readOpenAlert(ctx context.Context, q qid, what, serviceID, dedupKey string) (*hypercare.Alert, error) {
	a := new(hypercare.Alert)
	err := scanAlert(t.queryRow(ctx, q, serviceID, dedupKey), a)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s %q on service %q: %w", what, dedupKey, serviceID, err)
	}
	return a, nil
}

// FindOpenAlertToResolve is FindOpenAlert for a resolve or an acknowledge,
// which update the alert's incident (its counts, its status) or follow an
// open symptom on
// the incident it is a symptom of. On PostgreSQL that incident is locked
// first (queued, so it goes with the alert's read in one round trip): a
// merge, a split, a promotion or a person's resolve locks the incident and
// then its alerts and symptoms, and a resolve that locked the alert and
// then the incident waited for one in a cycle, which PostgreSQL broke
// after its deadlock_timeout by aborting a batch. SQLite has one writer
// and no row locks: it is FindOpenAlert.
func (t *tx) FindOpenAlertToResolve(ctx context.Context, serviceID, dedupKey string) (*hypercare.Alert, error) {
	if !t.s.d.nodes || t.c.alerts != nil {
		return t.FindOpenAlert(ctx, serviceID, dedupKey)
	}
	if err := checkText("find open alert", "service_id", serviceID, "dedup_key", dedupKey); err != nil {
		return nil, err
	}
	if t.c.keys != nil && t.c.keys.absent(serviceID, dedupKey) {
		return nil, nil
	}
	if err := t.lockIncidentOf(ctx, qLockUpstreamOfOpenAlert, "lock the incident of open alert", serviceID, dedupKey); err != nil {
		return nil, err
	}
	a, err := t.FindOpenAlert(ctx, serviceID, dedupKey)
	if err != nil || a == nil {
		return a, err
	}
	return a, t.lockMovedIncident(ctx, a)
}

// lockMovedIncident locks, without waiting, the incident a (just read and
// locked by a resolve or acknowledge) belongs to or is a symptom of (PG
// only; queued with the next statement when the dialect pipelines).
// Usually lockIncidentOf locked it before a (held: taken at once); but a
// merge holding that incident may have moved a to another one while the
// lookup waited for it, and locking that one now, after a, waited in a
// cycle with one that holds it and locks its alerts (a promotion, a
// merge). Held by another, the request fails with hypercare.ErrRunAlone:
// undone (a's lock released) and run again in a transaction of its own,
// which locks the new incident first.
func (t *tx) lockMovedIncident(ctx context.Context, a *hypercare.Alert) error {
	id := a.SymptomOf
	if id == "" {
		id = a.IncidentID
	}
	if id == "" {
		return nil
	}
	busy := fmt.Errorf("alert %q: its incident %q is locked by another transaction: %w", a.DedupKey, id, hypercare.ErrRunAlone)
	const what = "lock the incident of the alert read"
	if !t.s.d.pipeline {
		if _, err := t.exec(ctx, qLockMovedUpstream, id); err != nil {
			if lockNotAvailable(err) {
				return fmt.Errorf("%w: %w", busy, err)
			}
			return t.s.dbErr(err, "%s %q", what, a.ID)
		}
		return nil
	}
	return t.later(ctx, pendingWrite{id: qLockMovedUpstream, args: []any{id}, what: what, key: a.ID, busy: busy})
}

// lockIncidentOf runs q, which locks the incident the open alert of
// (serviceID, key) belongs to or is a symptom of (PG only), queued with
// the next statement when the dialect pipelines: no round trip of its own.
// It may lock nothing (no such alert, or a suppressed one).
func (t *tx) lockIncidentOf(ctx context.Context, q qid, what, serviceID, key string) error {
	name := serviceID + "/" + key
	if !t.s.d.pipeline {
		if _, err := t.exec(ctx, q, serviceID, key); err != nil {
			return t.s.dbErr(err, "%s %q", what, name)
		}
		return nil
	}
	return t.later(ctx, pendingWrite{id: q, args: []any{serviceID, key}, what: what, key: name})
}

// FindOpenAlertBySentKey returns the newest unresolved alert on serviceID
// whose trigger was sent with sentKey before a rule rewrote it, or nil. On
// PostgreSQL the row is locked, as FindOpenAlert's is.
func (t *tx) FindOpenAlertBySentKey(ctx context.Context, serviceID, sentKey string) (*hypercare.Alert, error) {
	if err := checkText("find open alert by sent key", "service_id", serviceID, "sent_key", sentKey); err != nil {
		return nil, err
	}
	a := new(hypercare.Alert)
	err := scanAlert(t.queryRow(ctx, qFindOpenAlertBySentKey, serviceID, sentKey), a)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find open alert sent with key %q on service %q: %w", sentKey, serviceID, err)
	}
	// Not put in the open-alert cache (SQLite) as FindOpenAlert's reads
	// are: the row may be one this transaction wrote, not yet committed;
	// writing it back (UpdateAlert) stages it there as any write does.
	return a, nil
}

// FindOpenAlertBySentKeyToResolve is FindOpenAlertBySentKey for a
// resolve or an acknowledge, as FindOpenAlertToResolve is FindOpenAlert's:
// on PostgreSQL the incident the alert belongs to or is a symptom of is
// locked before the alert (a statement queued with the alert's read), the
// order merges and promotions lock an incident and its alerts in. Locking
// the alert first made a lock cycle with them that PostgreSQL broke by
// aborting a batch after its deadlock_timeout. SQLite:
// FindOpenAlertBySentKey.
func (t *tx) FindOpenAlertBySentKeyToResolve(ctx context.Context, serviceID, sentKey string) (*hypercare.Alert, error) {
	if !t.s.d.nodes || t.c.alerts != nil {
		return t.FindOpenAlertBySentKey(ctx, serviceID, sentKey)
	}
	if err := checkText("find open alert by sent key", "service_id", serviceID, "sent_key", sentKey); err != nil {
		return nil, err
	}
	if err := t.lockIncidentOf(ctx, qLockUpstreamOfSentKey, "lock the incident of open alert sent as", serviceID, sentKey); err != nil {
		return nil, err
	}
	a, err := t.FindOpenAlertBySentKey(ctx, serviceID, sentKey)
	if err != nil || a == nil {
		return a, err
	}
	return a, t.lockMovedIncident(ctx, a)
}

// SetAlertSentKey records the key alertID's trigger was sent with.
func (t *tx) SetAlertSentKey(ctx context.Context, alertID, sentKey string) error {
	if err := checkText("set alert sent key", "id", alertID, "sent_key", sentKey); err != nil {
		return err
	}
	t.dropAheadID(alertID)
	if _, err := t.exec(ctx, qSetAlertSentKey, alertID, sentKey); err != nil {
		return t.s.dbErr(err, "record the key alert %q was sent with", alertID)
	}
	if t.c.alerts != nil {
		t.c.alerts.forget(alertID)
	}
	return nil
}

// InsertAlert inserts a new alert. A second open alert with the same
// service and dedup key is a conflict.
func (t *tx) InsertAlert(ctx context.Context, a *hypercare.Alert) error {
	if err := checkAlert("insert alert", a); err != nil {
		return err
	}
	args, err := alertArgs(a, true)
	if err != nil {
		return fmt.Errorf("insert alert %q: %w", a.ID, err)
	}
	delete(t.none, alertCacheKey(a.ServiceID, a.DedupKey))
	if t.c.holdInserts {
		err = t.holdAlert(ctx, a, args)
	} else {
		err = t.insertLater(ctx, qInsertAlert, "alert", a.ID, alertTaken, args...)
	}
	if err == nil && t.c.alerts != nil {
		t.c.alerts.wrote(a)
	}
	if err == nil && t.c.keys != nil {
		t.c.keys.added(a.ServiceID, a.DedupKey)
	}
	return t.published(err, hypercare.StreamAlert, hypercare.StreamCreated, streamIncident(a), a.ID)
}

// UpdateAlert writes every mutable field of a (all but service and dedup
// key, which identify it).
func (t *tx) UpdateAlert(ctx context.Context, a *hypercare.Alert) error {
	ahead := t.dropAhead(a)
	w, err := t.updateRepeat(ctx, a, ahead)
	if w == repeatNo {
		t.unkeep(a.ID) // a write of its own, or none: no later repeat merges into an earlier one
	}
	if w == repeatNo && err == nil {
		err = t.updateWhole(ctx, a)
	}
	if err == nil && t.s.d.pipeline && (w == repeatSent || w == repeatMerged) {
		t.keepWritten(a, ahead) // the row it locked, as written (repeats_queued.go)
	}
	if err == nil && t.c.alerts != nil {
		row := t.c.alerts.wrote(a)
		if w == repeatHeld || w == repeatMerged {
			t.heldRow(a.ID, row)
		}
	}
	if w == repeatMerged {
		return err // the batch's held update of the alert published its event
	}
	return t.published(err, hypercare.StreamAlert, hypercare.StreamUpdated, streamIncident(a), a.ID)
}

// updateWhole writes every mutable column of a. On SQLite it first tries
// the update that leaves the indexed columns alone (qUpdateAlertContent):
// SQLite rewrites the entries of every index whose columns an UPDATE sets,
// changed or not (six on alerts), and a repeated trigger changes only its
// alert's content and counters. That statement applies only where the
// row's indexed columns already hold a's values, so the row ends exactly
// as the full update leaves it; when it matches no row (a state change,
// or no such alert) the full update runs.
func (t *tx) updateWhole(ctx context.Context, a *hypercare.Alert) error {
	if err := checkAlert("update alert", a); err != nil {
		return err
	}
	args, err := alertArgs(a, false)
	if err != nil {
		return fmt.Errorf("update alert %q: %w", a.ID, err)
	}
	done := false
	if t.s.d.contentUpdate {
		done, err = t.updateIfMatched(ctx, qUpdateAlertContent, a.ID, args...)
	}
	if !done && err == nil {
		err = t.updateLater(ctx, qUpdateAlert, "alert", a.ID, args...)
	}
	return err
}

// updateIfMatched runs an UPDATE of alert id whose WHERE clause may match
// no row and says whether it updated one.
func (t *tx) updateIfMatched(ctx context.Context, q qid, id string, args ...any) (bool, error) {
	res, err := t.exec(ctx, q, args...)
	if err != nil {
		return false, t.s.dbErr(err, "update alert %q", id)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("update alert %q: %w", id, err)
	}
	return n == 1, nil
}

// alertArgs returns the arguments of qInsertAlert (insert) or
// qUpdateAlert, which shares the insert's order minus service_id and
// dedup_key.
func alertArgs(a *hypercare.Alert, insert bool) ([]any, error) {
	links, err := jsonList("links", a.Links)
	if err != nil {
		return nil, err
	}
	images, err := jsonList("images", a.Images)
	if err != nil {
		return nil, err
	}
	args := make([]any, 0, 24)
	args = append(args, a.ID)
	if insert {
		args = append(args, a.ServiceID)
	}
	args = append(args, nullText(a.IncidentID), a.IntegrationID)
	if insert {
		args = append(args, a.DedupKey)
	}
	args = append(args, string(a.Status), a.Summary, string(a.Severity), a.Source, a.Component,
		a.Group, a.Class, nullJSON(a.CustomDetails), links, images, a.EventCount,
		micros(a.FirstSeenAt), micros(a.LastSeenAt), nullMicros(a.AcknowledgedAt),
		nullMicros(a.ResolvedAt), a.SymptomOf, string(a.RuleUrgency), a.RulePriority)
	if insert { // sent_key is set once, when the alert opens
		args = append(args, a.SentKey)
	}
	return args, nil
}

// AlertsOfIncident returns the incident's alerts, oldest first.
func (t *tx) AlertsOfIncident(ctx context.Context, incidentID string) ([]hypercare.Alert, error) {
	if err := checkText("alerts of incident", "incident_id", incidentID); err != nil {
		return nil, err
	}
	rows, err := t.query(ctx, qAlertsOfIncident, incidentID)
	if err != nil {
		return nil, fmt.Errorf("alerts of incident %q: %w", incidentID, err)
	}
	alerts, err := collect(rows, scanAlert)
	if err != nil {
		return nil, fmt.Errorf("alerts of incident %q: %w", incidentID, err)
	}
	return alerts, nil
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(rowScanner, *T) error) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// streamIncident is the incident an alert's stream event belongs to: the
// one holding it, or for a symptom (held by none) the incident it is a
// symptom of, whose page shows it and follows ?incident= for it.
func streamIncident(a *hypercare.Alert) string {
	if a.IncidentID == "" {
		return a.SymptomOf
	}
	return a.IncidentID
}
