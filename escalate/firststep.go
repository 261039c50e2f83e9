package escalate

import (
	"context"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// StepOpened takes, inside tx, the first step of the escalations tx just
// started (intake's new incidents) that are due at now, and returns the
// pages it created. It is the same step a due row gets from the engine
// (takeStep, on the current directory: pause, maintenance, fatigue,
// hypercare windows and the timeline entries all apply as there), run in
// the transaction that opened the incident, so one commit stands between
// an event and its level-1 notification rows. Escalations held for later
// (an event rule's delay, a maintenance window, a paused service), those
// already taken or finished, and (PostgreSQL) those whose round-robin
// turn counters would be locked out of the global order
// (lockOpenedTurns) are left to the engine untouched.
//
// Exactly once holds as for the engine: the pages and the advanced state
// commit together with the incident or not at all, and afterwards the row
// is due only at the next level's time, so the engine never takes this
// step again (and were it to, the notifications' uniqueness per step
// would still page nobody twice).
//
// dir is the directory of the config the event was handled under (intake's
// snapshot), so a reload landing mid-request cannot page by another file
// than the one that opened the incident; nil takes the engine's.
func (e *Engine) StepOpened(ctx context.Context, tx hypercare.Tx, dir *Directory, incidentIDs []string, now time.Time) (int, error) {
	if dir == nil {
		dir = e.Directory()
	}
	var due []*hypercare.EscalationState
	for _, id := range incidentIDs {
		st, err := tx.GetEscalation(ctx, id)
		if hypercare.IsNotFound(err) {
			continue // the service has no policy (any more)
		}
		if err != nil {
			return 0, fmt.Errorf("escalation of incident %s: %w", id, err)
		}
		if st.Status != hypercare.EscalationActive || st.Step != 0 || st.DueAt.After(now) {
			continue
		}
		due = append(due, st)
	}
	due, err := lockOpenedTurns(ctx, tx, dir, due)
	if err != nil {
		return 0, err
	}
	pages := 0
	for _, st := range due {
		n, err := takeStep(ctx, tx, dir, st, now, nil)
		if err != nil {
			return pages, fmt.Errorf("first escalation step of incident %s: %w", st.IncidentID, err)
		}
		pages += n
	}
	return pages, nil
}

// lockOpenedTurns locks the turn counters the first steps of due may take
// (lockTurns) and returns the steps to take now. A step whose counter
// would be locked out of the global order (an earlier request of the
// batch holds one after it) is left out: it stays due, and the engine,
// which intake wakes after the commit, takes it in a transaction of its
// own, milliseconds later.
func lockOpenedTurns(ctx context.Context, tx hypercare.Tx, dir *Directory, due []*hypercare.EscalationState) ([]*hypercare.EscalationState, error) {
	if ok, err := lockTurns(ctx, tx, dir, due...); ok || err != nil {
		return due, err
	}
	var take []*hypercare.EscalationState
	for _, st := range due {
		ok, err := lockTurns(ctx, tx, dir, st)
		if err != nil {
			return nil, err
		}
		if ok {
			take = append(take, st)
		}
	}
	return take, nil
}
