package notify

import (
	"context"

	"github.com/hypercare/hypercare"
)

// The look before a send. A page's attempt learns whether it was
// cancelled since its claim (its incident acknowledged, resolved, merged
// or reassigned: Tx.CancelNotifications) from the page's own status, read
// with its incident (incident). Whatever else the attempt reads from the
// store comes before that read, or is followed by another look (lastLook),
// so the status an attempt sends on is the last thing it read: between it
// and the send there is only work in memory (building the message), no
// round trip and no wait. A cancel that commits before that read keeps the
// page from going out; one that commits after it finds the send under way
// (the provider may already have the page), and the page is recorded sent,
// since it was. No check can close that last gap: a send to a provider
// cannot be taken back, so the cancel and the send are ordered by that
// read, as they are by a write.

// incident is page n's incident, and whether n was cancelled since its
// claim: as the night check just read them; or, for a first page handed
// over by Deliver that waited for nothing, the incident as the write that
// leased the page left it (a cancel can only have come since, in the
// moment before the send); else both read now, in one statement
// (Store.GetPageIncident).
//
// The page's own status is what tells that a reassignment cancelled it
// (Tx.CancelNotifications): it changes nothing on the incident row, so
// stale cannot see it (nor an acknowledgement's cancel once the ack
// timeout re-triggered the incident). Reading it with the incident costs
// one primary-key probe in the statement the attempt made anyway, no
// round trip. The paths that make no read (a first page, the night
// check's read reused) are those that did not wait since their incident
// was read; waiting (for a send slot, behind the person's paced sends, for
// the lock across nodes) makes the attempt read again (process); a store
// read after this one makes it look again before the send (lastLook).
func (e pass) incident(ctx context.Context, n *hypercare.Notification) (*hypercare.Incident, bool, error) {
	if e.read != nil && e.read.ID == n.IncidentID {
		return e.read, false, nil
	}
	if inc, ok := e.opened[n.IncidentID]; ok {
		return inc, false, nil
	}
	inc, status, err := e.store.GetPageIncident(ctx, n.IncidentID, n.ID)
	return inc, status == hypercare.NotificationCancelled, err
}

// dropCancelled ends the attempt of page n, found cancelled since its
// claim (incident): it is not sent and, the cancel having recorded it
// already, nothing is written; it counts as cancelled.
func (e *Engine) dropCancelled(n *hypercare.Notification) {
	n.Status = hypercare.NotificationCancelled
	e.count(n, outcomeCancelled)
}

// lastLook reads page n's status and incident again just before its send,
// when the attempt read something else from the store after its look
// (incident): the person's recent sends for a throttle or digest, the
// service's name for the message. A cancel landing during those reads
// (a round trip each, on PostgreSQL a network one) would otherwise let the
// page go out. It reports whether the attempt is over: the page was found
// cancelled (dropped, nothing written) or its incident resolved or
// acknowledged since the page was made (recorded cancelled). Otherwise the
// message carries the incident as just read. A digest needs no second
// look: cancels skip digests, and its incidents were just read.
func (e pass) lastLook(ctx context.Context, n *hypercare.Notification, msg *Message) (bool, error) {
	if n.Kind == hypercare.NotificationDigest {
		return false, nil
	}
	inc, status, err := e.store.GetPageIncident(ctx, n.IncidentID, n.ID)
	if err != nil {
		return true, err
	}
	if status == hypercare.NotificationCancelled {
		e.dropCancelled(n)
		return true, nil
	}
	if stale(n, inc) {
		n.Status = hypercare.NotificationCancelled
		e.count(n, outcomeCancelled)
		return true, e.record(ctx, n, "", nil)
	}
	msg.Incident = *inc
	return false, nil
}
