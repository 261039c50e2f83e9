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
// (an event rule's delay, a maintenance window, a paused service) and
// those already taken or finished are left to the engine untouched.
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
	pages := 0
	for _, id := range incidentIDs {
		st, err := tx.GetEscalation(ctx, id)
		if hypercare.IsNotFound(err) {
			continue // the service has no policy (any more)
		}
		if err != nil {
			return pages, fmt.Errorf("escalation of incident %s: %w", id, err)
		}
		if st.Status != hypercare.EscalationActive || st.Step != 0 || st.DueAt.After(now) {
			continue
		}
		n, err := takeStep(ctx, tx, dir, st, now, nil)
		if err != nil {
			return pages, fmt.Errorf("first escalation step of incident %s: %w", id, err)
		}
		pages += n
	}
	return pages, nil
}
