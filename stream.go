package hypercare

import (
	"context"
	"encoding/json"
	"time"
)

// Stream event kinds: what changed. They are the SSE `event:` names of
// GET /api/v1/stream, so clients (the web UI) can listen per kind.
const (
	StreamIncident     = "incident"
	StreamAlert        = "alert"
	StreamTimeline     = "timeline"
	StreamNotification = "notification"
)

// Stream event operations.
const (
	StreamCreated = "created"
	StreamUpdated = "updated"
)

// StreamEvent is one committed change, as the live stream publishes it.
// The store writes it in the same transaction as the change (a
// transactional outbox), so a change that rolls back publishes nothing and
// one that commits is never lost; ID orders events in commit order, so a
// client that resumes after ID misses nothing and sees nothing twice.
type StreamEvent struct {
	ID             int64
	At             time.Time
	Kind           string
	Op             string
	IncidentID     string // "" for an alert no incident holds (suppressed)
	IncidentNumber int64  // 0 when IncidentID is ""
	// ObjectID is the changed object's ID ("" on an event stored with a
	// copy of its object, before the slim outbox).
	ObjectID string
	// Object is the changed object as the REST API shows it to an admin,
	// as it was when the event was read (the outbox records which object
	// changed, not a copy: a state at or after this change), nil when the
	// object is gone (retention); the API removes what other roles may not
	// see before sending it, and sends nothing for a nil one.
	Object json.RawMessage
	// ReadFrom and ReadTo bound when Object was read (wall clock, this
	// process only). A reader that sent an object read up to ReadTo must
	// not follow it with one read before: a client would see an object
	// go back in time (the API reads such an event again).
	ReadFrom, ReadTo time.Time
}

// StreamSource is the store side of the live stream: the retained events,
// the retention horizon, and a wake-up at each commit that published.
type StreamSource interface {
	// StreamAfter returns up to limit retained events with ID > after, in
	// ID order.
	StreamAfter(ctx context.Context, after int64, limit int) ([]StreamEvent, error)
	// StreamHorizon returns the highest ID pruned so far (events at or
	// below it are gone) and the highest ID committed (0 when none).
	StreamHorizon(ctx context.Context) (pruned, last int64, err error)
	// StreamRefresh returns evs with their objects read again, now
	// (Object nil where retention removed one).
	StreamRefresh(ctx context.Context, evs []StreamEvent) ([]StreamEvent, error)
	// StreamChanged returns a channel closed at the next commit that
	// published events: in this process, or on PostgreSQL on any node.
	StreamChanged() <-chan struct{}
}
