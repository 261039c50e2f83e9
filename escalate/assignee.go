package escalate

import (
	"context"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// repageAssignee pages the user a reassigned incident belongs to when the
// ack timeout has re-triggered it (retrigger): a reassignment stopped the
// policy, and PagerDuty's ack timeout re-notifies the user who
// acknowledged rather than the policy's first level, whose people handed
// the incident over. The escalation stays done (the policy is not used):
// their next acknowledgement arms the ack timeout again. done is false
// when the assignee can no longer be paged (gone from the config, no
// notification rule for the urgency): the timeline says so and the
// re-triggered incident goes back to its policy at level 1 (takeStep
// continues), so it cannot go silent.
func repageAssignee(ctx context.Context, tx hypercare.Tx, dir *Directory, st *hypercare.EscalationState,
	inc *hypercare.Incident, now time.Time) (pages int, done bool, err error) {
	u, ok := dir.Users[st.Assignee]
	if !ok || len(pagesFor(u, inc.Urgency, now)) == 0 {
		msg := fmt.Sprintf("%s, to whom the incident was reassigned, can no longer be paged for %s-urgency incidents: "+
			"back to its escalation policy at level 1", st.Assignee, inc.Urgency)
		st.Assignee = ""
		return 0, false, note(ctx, tx, inc.ID, msg, nil, now)
	}
	reason := fmt.Sprintf("re-triggered by the ack timeout; reassigned to %s", u.Name)
	if pages, err = pageUsers(ctx, tx, dir, st, inc, []string{u.ID}, nil, reason, now); err != nil {
		return 0, true, err
	}
	st.Step++
	st.Status, st.UpdatedAt, st.DueAt = hypercare.EscalationDone, now, now
	if err := tx.SaveEscalation(ctx, st); err != nil {
		return 0, true, fmt.Errorf("re-page the assignee of incident %d: %w", inc.Number, err)
	}
	return pages, true, nil
}
