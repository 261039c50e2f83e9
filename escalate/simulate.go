package escalate

import (
	"sort"
	"strconv"
	"time"

	"github.com/hypercare/hypercare"
)

// PlannedPage is one page a dry run predicts.
type PlannedPage struct {
	At            time.Time             `json:"at"`
	Level         int                   `json:"level"`
	Loop          int                   `json:"loop"`
	User          string                `json:"user"`
	UserName      string                `json:"user_name"`
	ContactMethod string                `json:"contact_method"`
	Type          hypercare.ContactType `json:"type"`
	// RoundRobin is set when the level takes turns: this user is one of
	// the candidates, whichever's turn it is then.
	RoundRobin bool `json:"round_robin,omitempty"`
}

// Simulation is the dry run's answer: the pages, and the reasons some
// targets would page nobody (a gap in a schedule, say).
type Simulation struct {
	ServiceID string            `json:"service_id"`
	PolicyID  string            `json:"policy_id"`
	At        time.Time         `json:"at"`
	Urgency   hypercare.Urgency `json:"urgency"`
	Pages     []PlannedPage     `json:"pages"`
	Gaps      []string          `json:"gaps"`
}

// Simulate answers "who would be paged, and when, for an incident on
// service at t if nobody acknowledges": it walks the whole policy with its
// repeats, resolving schedules at the moment each level would be paged. It
// reads nothing but the directory, so teams can check coverage before a
// peak without touching live data.
func (d *Directory) Simulate(serviceID string, at time.Time, urgency hypercare.Urgency) (*Simulation, error) {
	policyID, ok := d.ServicePolicy[serviceID]
	if !ok {
		return nil, hypercare.Errorf(hypercare.CodeNotFound, "service %q has no escalation policy", serviceID)
	}
	policy, ok := d.Policies[policyID]
	if !ok || len(policy.Levels) == 0 {
		return nil, hypercare.Errorf(hypercare.CodeNotFound, "escalation policy %q does not exist", policyID)
	}
	sim := &Simulation{ServiceID: serviceID, PolicyID: policyID, At: at, Urgency: urgency, Pages: []PlannedPage{}, Gaps: []string{}}
	st := hypercare.EscalationState{Status: hypercare.EscalationActive}
	now := at
	for st.Status != hypercare.EscalationDone {
		level := policy.Levels[st.Level]
		users, gaps := d.resolve(level.Targets, now)
		rr := level.Mode == hypercare.RoundRobin && len(level.Targets) > 1
		for _, g := range gaps {
			sim.Gaps = append(sim.Gaps, now.Format(time.RFC3339)+": level "+strconv.Itoa(st.Level+1)+": "+g)
		}
		for _, id := range users {
			u := d.Users[id]
			for _, n := range pagesFor(u, urgency, now) {
				sim.Pages = append(sim.Pages, PlannedPage{At: n.DueAt, Level: st.Level + 1, Loop: st.Loop,
					User: u.ID, UserName: u.Name, ContactMethod: n.ContactMethod, Type: n.Type, RoundRobin: rr})
			}
		}
		advance(&st, policy, now)
		now = st.DueAt
	}
	// Rules with delays interleave with later levels: list pages by time.
	sort.SliceStable(sim.Pages, func(i, j int) bool { return sim.Pages[i].At.Before(sim.Pages[j].At) })
	return sim, nil
}
