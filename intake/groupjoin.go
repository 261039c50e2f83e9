package intake

import (
	"context"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/incident"
)

// groupJoins is one write attempt's incident.GroupJoins with the first
// page the joined alerts ask for: the smallest of their delays (rule
// delay, pause), applied to the incident once the run is flushed.
type groupJoins struct {
	incident.GroupJoins
	delay time.Duration
}

// join places the new alert a in its notification group's open incident
// (incident.GroupJoins.Join). A join made at once rather than batched (a
// recovering incident) hastens the first page at once, as a grouped
// alert does.
func (j *groupJoins) join(ctx context.Context, tx hypercare.Tx, group string, a *hypercare.Alert, urgency hypercare.Urgency,
	actor hypercare.Actor, delay time.Duration, now time.Time) (bool, error) {
	if group != "" && j.Pending() != "" && !j.Continues(group, a, actor) {
		// Another group's run ends here: written, and its first page
		// hastened, before this one starts.
		if err := j.flush(ctx, tx, now); err != nil {
			return false, err
		}
	}
	pending := j.Pending()
	joined, err := j.Join(ctx, tx, group, a, urgency, actor, now)
	switch {
	case err != nil || !joined:
		return joined, err
	case j.Pending() == "":
		return true, hastenFirstPage(ctx, tx, a.IncidentID, delay, now)
	case pending != j.Pending():
		j.delay = delay // a new run
	default:
		j.delay = min(j.delay, delay)
	}
	return true, nil
}

// flush writes the pending run's incident and hastens its first page.
// Everything that reads or writes incidents in the attempt, other than
// join, calls it first.
func (j *groupJoins) flush(ctx context.Context, tx hypercare.Tx, now time.Time) error {
	if j == nil {
		return nil
	}
	id := j.Pending()
	if id == "" {
		return nil
	}
	if err := j.Flush(ctx, tx, now); err != nil {
		return err
	}
	return hastenFirstPage(ctx, tx, id, j.delay, now)
}
