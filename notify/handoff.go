package notify

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hypercare/hypercare"
)

// Handoff: the pages of a new incident, leased in the transaction that
// made them (ClaimOpened) and handed to this engine after its commit
// (Deliver), reach their channel with no claim commit of their own. The
// lease is the same as the loop's claim takes, so what a crash does is
// the same too: a page leased but not yet recorded as sent is claimable
// again once its lease expires (at-least-once, the receiver dedups on the
// notification ID), and never before, so it is not sent twice while the
// first attempt may still be running.

// running is Run's context while Run is active, for the sends Deliver
// starts (they belong to Run: it waits for them before returning).
type running struct {
	mu     sync.Mutex
	ctx    context.Context
	active bool
}

// start marks Run active with ctx.
func (r *running) start(ctx context.Context) {
	r.mu.Lock()
	r.ctx, r.active = ctx, true
	r.mu.Unlock()
}

// stop marks Run inactive; no Deliver adds to inflight after it returns.
func (r *running) stop() {
	r.mu.Lock()
	r.ctx, r.active = nil, false
	r.mu.Unlock()
}

// Accepting reports whether Run is active, so pages leased now will be
// sent by this engine.
func (e *Engine) Accepting() bool {
	e.run.mu.Lock()
	defer e.run.mu.Unlock()
	return e.run.active
}

// ClaimOpened leases, inside tx, the pages of incidentIDs due at now,
// for Deliver to send after tx commits. While Run is not active it leases
// nothing (the loop claims them when it runs). The attempt is counted and
// the stream told, as a claim by the loop does. Each incident with pages
// comes with itself as tx's commit leaves it (read by a BeforeCommit hook,
// so a later request of the same group commit that acknowledged or
// resolved it is seen), so Deliver's first attempts read nothing before
// sending.
func (e *Engine) ClaimOpened(ctx context.Context, tx hypercare.Tx, incidentIDs []string, now time.Time) ([]hypercare.IncidentPages, error) {
	if !e.Accepting() {
		return nil, nil
	}
	var out []hypercare.IncidentPages
	for _, id := range incidentIDs {
		claimed, err := tx.ClaimIncidentNotifications(ctx, id, now, now.Add(Lease))
		if err != nil {
			return nil, fmt.Errorf("lease the first pages of incident %s: %w", id, err)
		}
		if len(claimed) == 0 {
			continue
		}
		out = append(out, hypercare.IncidentPages{Pages: claimed})
	}
	if len(out) > 0 {
		tx.BeforeCommit(func(tx hypercare.Tx) {
			for i := range out {
				// A failed read leaves it nil: the attempt reads it then.
				out[i].Incident, _ = tx.GetIncident(ctx, out[i].Pages[0].IncidentID)
			}
		})
	}
	return out, nil
}

// Deliver starts the attempts of pages ClaimOpened leased at claimedAt,
// once their transaction committed, as a pass of the loop would: in
// their channels' slots, paced and held as usual. If Run has stopped
// meanwhile the pages are handed back (due now, attempt uncounted) for the
// next claim, rather than waiting for their lease to expire.
func (e *Engine) Deliver(leased []hypercare.IncidentPages, claimedAt time.Time) {
	if len(leased) == 0 {
		return
	}
	policy, dir := e.current()
	p := pass{Engine: e, policy: policy, dir: dir, opened: make(map[string]*hypercare.Incident, len(leased))}
	var claimed []hypercare.Notification
	for i := range leased {
		if inc := leased[i].Incident; inc != nil {
			p.opened[inc.ID] = inc
		}
		claimed = append(claimed, leased[i].Pages...)
	}
	e.run.mu.Lock()
	if !e.run.active {
		e.run.mu.Unlock()
		for i := range claimed {
			if err := p.handBack(context.Background(), &claimed[i]); err != nil {
				e.log.Error("hand back a page", slog.String("notification", claimed[i].ID), slog.Any("error", err))
			}
		}
		return
	}
	ctx := e.run.ctx
	e.inflight.Add(1)
	e.run.mu.Unlock()
	var wg sync.WaitGroup
	p.dispatch(ctx, claimed, claimedAt, &wg)
	go func() { defer e.inflight.Done(); wg.Wait() }()
}
