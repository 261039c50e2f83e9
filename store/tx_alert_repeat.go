package store

import (
	"bytes"
	"context"
	"slices"
	"time"

	"github.com/hypercare/hypercare"
)

// updateRepeat is UpdateAlert's short form for the bulk of a storm: a
// trigger that repeats its alert (an Alertmanager re-send, a check firing
// again with a new reading in its details) moves only custom_details,
// event_count and last_seen_at, and an identical re-send only the two
// counters. Validating, encoding and binding the row's
// twenty columns cost a SQLite writer more than the row write itself; this
// checks one and binds six.
//
// It applies on SQLite when the write connection's open-alert cache holds
// the row (as the database does: alertcache.go) and a differs from it in
// those three fields only. The statement matches the cached counters too,
// so a row whose counters are not as cached (a cache behind the database)
// is left alone and the full update runs.
//
// The update is held on the batch and written later, once for all of
// the batch's repeats of the alert (repeats_later.go).
//
// On PostgreSQL it applies to an alert the request read ahead (ahead,
// open_ahead.go): that read locked the row and the request has not
// written it since, so the row is as read and the statement, queued,
// matches it (no row matched fails the request, as any queued update).
// A later repeat of the alert in the batch merges into that update while
// it is queued (repeats_queued.go).
func (t *tx) updateRepeat(ctx context.Context, a, ahead *hypercare.Alert) (repeatWrite, error) {
	var prev *hypercare.Alert
	var cached *cachedAlert
	if t.c.alerts != nil {
		if v, ok := t.c.alerts.visible(alertCacheKey(a.ServiceID, a.DedupKey)); ok {
			prev, cached = &v.Alert, v
		}
	} else {
		prev = ahead
	}
	if prev == nil || !repeatOnly(prev, a) {
		return repeatNo, nil
	}
	identical := bytes.Equal(prev.CustomDetails, a.CustomDetails)
	if !identical {
		var c textCheck
		c.details(a)
		if err := c.err("update alert", a.ID); err != nil {
			return repeatNo, err
		}
	}
	if cached != nil {
		if t.holdRepeat(cached) {
			return repeatHeld, nil
		}
		return repeatMerged, nil
	}
	if err := ctx.Err(); err != nil {
		return repeatNo, err
	}
	if t.mergeQueuedRepeat(a, identical) {
		return repeatMerged, nil
	}
	q, args := repeatUpdate(a, !identical, prev.EventCount, micros(prev.LastSeenAt))
	if err := t.updateLater(ctx, q, "alert", a.ID, args...); err != nil {
		return repeatNo, err
	}
	t.queuedRepeat(a.ID)
	return repeatSent, nil
}

// repeatUpdate is the one-row update of a repeat that leaves a's row
// with its counters, and its details too where details says they
// changed, where the row holds the counters count and last
// (microseconds).
func repeatUpdate(a *hypercare.Alert, details bool, count, last int64) (qid, []any) {
	if details {
		return qUpdateAlertRepeat, []any{a.ID, nullJSON(a.CustomDetails), a.EventCount, micros(a.LastSeenAt), count, last}
	}
	return qUpdateAlertCounters, []any{a.ID, a.EventCount, micros(a.LastSeenAt), count, last}
}

// repeatWrite says how updateRepeat wrote an alert.
type repeatWrite int

const (
	repeatNo     repeatWrite = iota // not a repeat: the full update runs
	repeatSent                      // queued (PostgreSQL)
	repeatHeld                      // held until the batch's next statement (SQLite; repeats_later.go)
	repeatMerged                    // merged into the update the batch holds for the alert
)

// repeatOnly says a is prev with at most CustomDetails, EventCount and
// LastSeenAt changed, comparing as the database stores them: times in
// whole microseconds, empty lists as none.
func repeatOnly(prev, a *hypercare.Alert) bool {
	return prev.ID == a.ID && prev.ServiceID == a.ServiceID && prev.IncidentID == a.IncidentID &&
		prev.IntegrationID == a.IntegrationID && prev.DedupKey == a.DedupKey &&
		prev.Status == a.Status && prev.Summary == a.Summary && prev.Severity == a.Severity &&
		prev.Source == a.Source && prev.Component == a.Component && prev.Group == a.Group &&
		prev.Class == a.Class && prev.SymptomOf == a.SymptomOf &&
		prev.RuleUrgency == a.RuleUrgency && prev.RulePriority == a.RulePriority &&
		slices.Equal(prev.Links, a.Links) && slices.Equal(prev.Images, a.Images) &&
		micros(prev.FirstSeenAt) == micros(a.FirstSeenAt) &&
		sameMicros(prev.AcknowledgedAt, a.AcknowledgedAt) && sameMicros(prev.ResolvedAt, a.ResolvedAt)
}

// sameMicros says two optional times are stored alike.
func sameMicros(x, y *time.Time) bool {
	if x == nil || y == nil {
		return x == y
	}
	return micros(*x) == micros(*y)
}
