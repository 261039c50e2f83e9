package escalate

import (
	"fmt"
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
	// Undeliverable, if set, says why this page would fail: no channel
	// for its contact type in this version, or an address that can never
	// work. A real incident would record the page and its failure.
	Undeliverable string `json:"undeliverable,omitempty"`
}

// Simulation is the dry run's answer: the pages, and the reasons some
// targets would reach nobody (a gap in a schedule, a user with no
// notification rule, or whose every page is undeliverable).
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
// peak without touching live data. check, if set, says why a contact
// method cannot be delivered to (notify.Registry.Check).
func (d *Directory) Simulate(serviceID string, at time.Time, urgency hypercare.Urgency,
	check func(hypercare.ContactMethod) error) (*Simulation, error) {
	policyID, ok := d.ServicePolicy[serviceID]
	if !ok {
		return nil, hypercare.Errorf(hypercare.CodeNotFound, "service %q has no escalation policy", serviceID)
	}
	policy, ok := d.Policies[policyID]
	if !ok || len(policy.Levels) == 0 {
		return nil, hypercare.Errorf(hypercare.CodeNotFound, "escalation policy %q does not exist", policyID)
	}
	sim := &Simulation{ServiceID: serviceID, PolicyID: policyID, At: at, Urgency: urgency, Pages: []PlannedPage{}, Gaps: []string{}}
	st := hypercare.EscalationState{Status: hypercare.EscalationActive, ServiceID: serviceID}
	now := at
	for st.Status != hypercare.EscalationDone {
		level := policy.Levels[st.Level]
		users, gaps := d.Resolve(level.Targets, now)
		rr := level.Mode == hypercare.RoundRobin && len(level.Targets) > 1
		for _, g := range gaps {
			sim.Gaps = append(sim.Gaps, now.Format(time.RFC3339)+": level "+strconv.Itoa(st.Level+1)+": "+g)
		}
		for _, id := range users {
			pages, gap := d.simulateUser(d.Users[id], urgency, now, check)
			for _, p := range pages {
				p.Level, p.Loop, p.RoundRobin = st.Level+1, st.Loop, rr
				sim.Pages = append(sim.Pages, p)
			}
			if gap != "" {
				sim.Gaps = append(sim.Gaps, now.Format(time.RFC3339)+": level "+strconv.Itoa(st.Level+1)+": "+gap)
			}
		}
		advance(&st, policy, d.Windows, now)
		now = st.DueAt
	}
	// Rules with delays interleave with later levels: list pages by time.
	sort.SliceStable(sim.Pages, func(i, j int) bool { return sim.Pages[i].At.Before(sim.Pages[j].At) })
	return sim, nil
}

// simulateUser plans the pages of one user and, if none of them would
// reach the user, says why.
func (d *Directory) simulateUser(u hypercare.User, urgency hypercare.Urgency, now time.Time,
	check func(hypercare.ContactMethod) error) ([]PlannedPage, string) {
	planned := pagesFor(u, urgency, now)
	if len(planned) == 0 {
		return nil, noRule(u, urgency)
	}
	out := make([]PlannedPage, 0, len(planned))
	failing := 0
	for _, n := range planned {
		p := PlannedPage{At: n.DueAt, User: u.ID, UserName: u.Name, ContactMethod: n.ContactMethod, Type: n.Type}
		if cm, ok := u.ContactMethodByID(n.ContactMethod); ok && check != nil {
			if err := check(cm); err != nil {
				p.Undeliverable = err.Error()
				failing++
			}
		}
		out = append(out, p)
	}
	if failing == len(out) {
		return out, fmt.Sprintf("none of the pages to %s (%s) can be delivered", u.Name, u.ID)
	}
	return out, ""
}
