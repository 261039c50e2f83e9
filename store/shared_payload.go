package store

import (
	"context"
	"crypto/sha256"
	"time"

	"github.com/hypercare/hypercare"
)

// Shared event payloads. Alertmanager re-sends every firing alert of a
// group whenever it notifies about the group, each time byte for byte the
// alert it sent before; a storm of re-sends wrote ~1 KB of event payload
// per alert, half the pages each commit wrote. An event whose payload is
// exactly that of its alert's newest event with a stored payload, received
// within shareWindow of it, stores none and names that event in
// payload_from (migration 0042); reads take the payload from there
// (eventReadCols). The first sharer sets the shared event's shared_until,
// the end of its window. When retention deletes a shared event, its
// payload moves to event_payloads under the same ID with that end
// (pruner.events), and goes once no event received up to then is left.
//
// Only SQLite's write connection shares: it knows each open alert's
// newest stored payload from its open-alert cache, staged and committed
// with the alert's row, so a reference never names an event a rollback
// undid. PostgreSQL stores every payload; its reads and retention are the
// same SQL.

// shareWindow bounds how long after an event later events may share its
// payload: what lets retention release a kept payload by time alone,
// without an index of sharers (one keyed by the shared event would take a
// random insert per sharer, the page churn sharing saves). An
// Alertmanager group re-sent every group_interval (5 minutes by default)
// shares one stored payload in twelve.
const shareWindow = time.Hour

// payloadRef is an event whose stored payload later events may share:
// its ID, the SHA-256 of the payload (a hash no sender can make two
// payloads collide in), the end of its window (micros) and whether an
// event has shared it yet (its shared_until is set).
type payloadRef struct {
	event  string
	sum    [sha256.Size]byte
	until  int64
	shared bool
}

// sharedPayload returns the event whose stored payload e's equals, within
// its window, and the payload's hash. It looks only at e's alert as
// cached; ref.event is "" when there is none.
func (c *alertCache) sharedPayload(e *hypercare.EventRecord) (ref payloadRef, sum [sha256.Size]byte) {
	sum = sha256.Sum256(e.Payload)
	v, ok := c.visible(alertCacheKey(e.ServiceID, e.DedupKey))
	if ok && v.ID == e.AlertID && v.shared.event != "" && v.shared.sum == sum && micros(e.ReceivedAt) <= v.shared.until {
		return v.shared, sum
	}
	return payloadRef{}, sum
}

// setRef stages e's alert's entry with ref, so the reference is dropped
// with the request or the batch if they are undone.
func (c *alertCache) setRef(e *hypercare.EventRecord, ref payloadRef) {
	k := alertCacheKey(e.ServiceID, e.DedupKey)
	if v, ok := c.visible(k); ok && v.ID == e.AlertID && v.Status != hypercare.StatusResolved {
		staged := *v // staged entries are never changed in place
		staged.shared = ref
		c.req[k] = &staged
	}
}

// dropShared forgets every reference to the events retention is deleting,
// in every layer: a later event must not name one whose payload was not
// kept (nothing had shared it).
func (c *alertCache) dropShared(ids []string) {
	gone := make(map[string]bool, len(ids))
	for _, id := range ids {
		gone[id] = true
	}
	for _, m := range []map[alertKey]*cachedAlert{c.req, c.batch, c.committed} {
		for k, v := range m {
			if gone[v.shared.event] {
				kept := *v
				kept.shared = payloadRef{}
				m[k] = &kept
			}
		}
	}
}

// sharePayload decides, on SQLite, whether e stores its payload or shares
// an earlier event's: it returns the event to name ("": store it) and what
// to record once e is inserted (recordPayload). The first sharer of an
// event sets its shared_until.
func (t *tx) sharePayload(ctx context.Context, e *hypercare.EventRecord) (from string, stored payloadRef, err error) {
	if t.c.alerts == nil || e.AlertID == "" || len(e.Payload) == 0 {
		return "", payloadRef{}, nil
	}
	ref, sum := t.c.alerts.sharedPayload(e)
	if ref.event == "" {
		return "", payloadRef{event: e.ID, sum: sum, until: micros(e.ReceivedAt.Add(shareWindow))}, nil
	}
	if !ref.shared {
		if !t.markSharedLater(ref.event, ref.until) {
			if err := t.update(ctx, qShareEventPayload, "event", ref.event, ref.event, ref.until); err != nil {
				return "", payloadRef{}, err
			}
		}
		ref.shared = true
		t.c.alerts.setRef(e, ref)
	}
	return ref.event, payloadRef{}, nil
}
