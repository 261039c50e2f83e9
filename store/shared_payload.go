package store

import (
	"crypto/sha256"

	"github.com/hypercare/hypercare"
)

// Shared event payloads. Alertmanager re-sends every firing alert of a
// group whenever it notifies about the group, each time byte for byte the
// alert it sent before; a storm of re-sends wrote ~1 KB of event payload
// per alert, three fifths of the pages each commit wrote. An event whose
// payload is exactly that of its alert's newest event with a stored
// payload stores none and names that event in payload_from instead
// (migration 0042); reads take the payload from there (eventReadCols).
// When retention deletes an event that kept events still share, its
// payload moves to event_payloads under the same ID (pruneEvents), so a
// shared payload outlives its first event and goes with its last.
//
// Only SQLite's write connection shares: it knows each open alert's
// newest stored payload from its open-alert cache, staged and committed
// with the alert's row, so a reference never names an event a rollback
// undid. PostgreSQL stores every payload; its reads and retention are the
// same SQL.

// payloadRef is an event whose stored payload later events may share:
// its ID and the SHA-256 of the payload (a hash no sender can make two
// payloads collide in, since the payload is the sender's).
type payloadRef struct {
	event string
	sum   [sha256.Size]byte
}

// sharedPayload returns the event whose stored payload e's equals, or "",
// and the payload's hash. It looks only at e's alert as cached.
func (c *alertCache) sharedPayload(e *hypercare.EventRecord) (from string, sum [sha256.Size]byte) {
	sum = sha256.Sum256(e.Payload)
	v, ok := c.visible(alertCacheKey(e.ServiceID, e.DedupKey))
	if ok && v.ID == e.AlertID && v.shared.event != "" && v.shared.sum == sum {
		return v.shared.event, sum
	}
	return "", sum
}

// storedPayload records that e, which the running request has just
// inserted, stores its payload: its alert's later events may share it. It
// stages the alert's entry again, so the reference is dropped with the
// request or the batch if they are undone.
func (c *alertCache) storedPayload(e *hypercare.EventRecord, sum [sha256.Size]byte) {
	k := alertCacheKey(e.ServiceID, e.DedupKey)
	if v, ok := c.visible(k); ok && v.ID == e.AlertID && v.Status != hypercare.StatusResolved {
		v.shared = payloadRef{event: e.ID, sum: sum}
		c.req[k] = v
	}
}

// dropShared forgets every reference to the events retention is deleting,
// in every layer: a later event must not name one whose payload did not
// move to event_payloads (nothing shared it then).
func (c *alertCache) dropShared(ids []string) {
	gone := make(map[string]bool, len(ids))
	for _, id := range ids {
		gone[id] = true
	}
	for _, m := range []map[string]cachedAlert{c.req, c.batch, c.committed} {
		for k, v := range m {
			if gone[v.shared.event] {
				v.shared = payloadRef{}
				m[k] = v
			}
		}
	}
}
