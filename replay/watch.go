package replay

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/hypercare/hypercare"
)

// watchedStore is the store as intake sees it during a replay: the same
// store, whose transactions note when they wrote anything that can make
// an escalation step, a symptom grace timer or a page due sooner. Until
// one does, the runner trusts the due times it read last instead of
// reading them again before every line (a fifth of a replay's time
// otherwise).
type watchedStore struct {
	hypercare.Store
	changed *atomic.Bool
}

// Write implements hypercare.Store.
func (s watchedStore) Write(ctx context.Context, key string, fn func(hypercare.Tx) error) error {
	return s.Store.Write(ctx, key, func(tx hypercare.Tx) error {
		return fn(watchedTx{Tx: tx, changed: s.changed})
	})
}

// watchedTx flags the writes that change escalation or page due times.
type watchedTx struct {
	hypercare.Tx
	changed *atomic.Bool
}

// SaveEscalation flags a new or moved escalation step.
func (t watchedTx) SaveEscalation(ctx context.Context, e *hypercare.EscalationState) error {
	t.changed.Store(true)
	return t.Tx.SaveEscalation(ctx, e)
}

// InsertNotification flags a new page.
func (t watchedTx) InsertNotification(ctx context.Context, n *hypercare.Notification) error {
	t.changed.Store(true)
	return t.Tx.InsertNotification(ctx, n)
}

// UpdateNotification flags a page whose due time may have moved (retry,
// throttle, digest or quiet-hours hold).
func (t watchedTx) UpdateNotification(ctx context.Context, n *hypercare.Notification) error {
	t.changed.Store(true)
	return t.Tx.UpdateNotification(ctx, n)
}

// CancelNotifications flags pages taken off the schedule.
func (t watchedTx) CancelNotifications(ctx context.Context, incidentID string) (int, error) {
	t.changed.Store(true)
	return t.Tx.CancelNotifications(ctx, incidentID)
}

// MoveHeldPages flags pages whose due time moved.
func (t watchedTx) MoveHeldPages(ctx context.Context, userID string, heldUntil, due time.Time) (int, error) {
	t.changed.Store(true)
	return t.Tx.MoveHeldPages(ctx, userID, heldUntil, due)
}

// ClaimNotifications flags leased pages, whose due time becomes the lease end.
func (t watchedTx) ClaimNotifications(ctx context.Context, now, leaseUntil time.Time, limit int) ([]hypercare.Notification, error) {
	t.changed.Store(true)
	return t.Tx.ClaimNotifications(ctx, now, leaseUntil, limit)
}

// ClaimIncidentNotifications flags leased pages, as ClaimNotifications.
func (t watchedTx) ClaimIncidentNotifications(ctx context.Context, incidentID string, now, leaseUntil time.Time) ([]hypercare.Notification, error) {
	t.changed.Store(true)
	return t.Tx.ClaimIncidentNotifications(ctx, incidentID, now, leaseUntil)
}

// SetSymptomGrace flags a new symptom grace timer.
func (t watchedTx) SetSymptomGrace(ctx context.Context, g *hypercare.SymptomGrace) error {
	t.changed.Store(true)
	return t.Tx.SetSymptomGrace(ctx, g)
}

// DueEscalations flags an engine pass: the steps it takes move.
func (t watchedTx) DueEscalations(ctx context.Context, now time.Time, limit int) ([]hypercare.EscalationState, error) {
	t.changed.Store(true)
	return t.Tx.DueEscalations(ctx, now, limit)
}

// dueTimes is the next escalation step's and the next page's due time as
// last read (ok false: none).
type dueTimes struct {
	esc, note     time.Time
	escOK, noteOK bool
}
