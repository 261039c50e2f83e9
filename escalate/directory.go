// Package escalate is the escalation engine: when an incident triggers, the
// first level of its service's policy is paged at once; if nobody
// acknowledges within the level's timeout the next level is paged, and
// after the last level the policy repeats. Acknowledging stops it (or arms
// the ack timeout), resolving cancels it.
//
// Every step is a durable escalation row with a due time, claimed inside a
// store write: the step's pages (notification rows) and the advanced state
// commit together, so a restart continues at the right moment and a step
// that runs twice cannot page twice (notifications are unique per incident,
// step, user and contact method). On PostgreSQL, due rows are claimed with
// FOR UPDATE SKIP LOCKED, so several nodes never take the same step. The
// first step of a new incident due at once is taken by the same code in
// the write that opened it (StepOpened), so its pages commit with it.
package escalate

import (
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/oncall"
)

// Directory is who can be paged and how: users, schedules, policies and
// which policy each service uses. It comes from the config file and is
// replaced whole on reload, never mutated.
type Directory struct {
	Users     map[string]hypercare.User
	Schedules map[string]*oncall.Schedule
	Policies  map[string]hypercare.EscalationPolicy
	// ServicePolicy maps a service ID to its policy ID.
	ServicePolicy map[string]string
	// Windows are the hypercare windows whose overlay (faster escalation)
	// applies to the services in their scope while they are open.
	Windows []hypercare.Window
	// Quiet are the quiet hours of low urgency (notify.low_urgency), so a
	// dry run shows the hold as delivery applies it; nil: none.
	Quiet *hypercare.QuietHours
	// Maintenance are the config's maintenance windows: a first page the
	// engine takes (a promoted symptom, a split-off incident) waits while
	// one of them, or a silence, covers the incident, as intake's do.
	Maintenance []correlate.Maintenance
	// Pauses are the services' pause_notifications_minutes: intake holds
	// a new incident's first page that long (transient alerts that
	// resolve within it page nobody), so the dry run plans it from then.
	Pauses map[string]time.Duration
	// Groupings are the services' alert_grouping: the symptoms a grace
	// timer promotes group as their service groups its alerts.
	Groupings map[string]correlate.Grouping
	// zones are the users' time zones, loaded once (the fatigue
	// guardrail judges night in them).
	zones map[string]*time.Location
	// serviceNames are the services' display names, for messages.
	serviceNames map[string]string
}

// ServiceName returns the display name of service id, for a page's
// message without a store read per page (the catalog comes from the same
// config); false when the directory does not know it.
func (d *Directory) ServiceName(id string) (string, bool) {
	name, ok := d.serviceNames[id]
	return name, ok
}

// NewDirectory indexes the config's lists; windows are the config's
// hypercare windows (config.Config.Windows), nil for none.
func NewDirectory(users []hypercare.User, schedules []*oncall.Schedule, policies []hypercare.EscalationPolicy,
	services []hypercare.Service, windows []hypercare.Window) *Directory {
	d := &Directory{
		Windows:       windows,
		Users:         make(map[string]hypercare.User, len(users)),
		Schedules:     make(map[string]*oncall.Schedule, len(schedules)),
		Policies:      make(map[string]hypercare.EscalationPolicy, len(policies)),
		ServicePolicy: make(map[string]string, len(services)),
		serviceNames:  make(map[string]string, len(services)),
	}
	d.zones = map[string]*time.Location{}
	for _, u := range users {
		d.Users[u.ID] = u
		if loc, err := oncall.LoadZone(u.TimeZone); err == nil {
			d.zones[u.TimeZone] = loc
		}
	}
	for _, s := range schedules {
		d.Schedules[s.ID] = s
	}
	for _, p := range policies {
		d.Policies[p.ID] = p
	}
	for _, s := range services {
		if s.Name != "" {
			d.serviceNames[s.ID] = s.Name
		}
		if s.EscalationPolicy != "" {
			d.ServicePolicy[s.ID] = s.EscalationPolicy
		}
	}
	return d
}

// PoliciesByService returns each service's policy, for intake.
func (d *Directory) PoliciesByService() map[string]hypercare.EscalationPolicy {
	out := make(map[string]hypercare.EscalationPolicy, len(d.ServicePolicy))
	for svc, id := range d.ServicePolicy {
		if p, ok := d.Policies[id]; ok {
			out[svc] = p
		}
	}
	return out
}

// Policy returns the service's escalation policy (an incident.Policies),
// for the incidents the engine opens: symptoms promoted after their grace.
func (d *Directory) Policy(serviceID string) (hypercare.EscalationPolicy, bool) {
	p, ok := d.Policies[d.ServicePolicy[serviceID]]
	return p, ok
}

// Grouping returns the service's alert_grouping (an incident.Groupings);
// none when the directory has no entry for it.
func (d *Directory) Grouping(serviceID string) correlate.Grouping {
	return d.Groupings[serviceID]
}

// GroupingsOf are the alert_grouping of each service in noise (the
// config's noise settings), for Directory.Groupings.
func GroupingsOf(noise map[string]correlate.Noise) map[string]correlate.Grouping {
	out := make(map[string]correlate.Grouping, len(noise))
	for id, n := range noise {
		out[id] = n.Grouping
	}
	return out
}

// User returns the user with id.
func (d *Directory) User(id string) (hypercare.User, bool) {
	u, ok := d.Users[id]
	return u, ok
}

// Zone returns the location of the IANA zone name as the directory loaded
// it once for its users' time_zone (NewDirectory); false when no user of
// the directory has that zone (or it did not load). Callers that format
// many times per request, such as the web UI, use it instead of loading
// the zone again.
func (d *Directory) Zone(name string) (*time.Location, bool) {
	loc, ok := d.zones[name]
	return loc, ok
}

// OnCall returns who is on call on schedule id at t.
func (d *Directory) OnCall(scheduleID string, at time.Time) (string, bool) {
	s, ok := d.Schedules[scheduleID]
	if !ok {
		return "", false
	}
	return s.OnCall(at)
}

// Resolve turns a level's targets into users at t, in target order without
// repeats, and explains targets that yield nobody. It is the one resolver:
// the engine, the dry run and the API's on-call answer all use it, so they
// cannot disagree about whom a level pages.
func (d *Directory) Resolve(targets []hypercare.Target, at time.Time) (users []string, gaps []string) {
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			users = append(users, id)
		}
	}
	for _, t := range targets {
		switch {
		case t.User != "":
			if _, ok := d.Users[t.User]; ok {
				add(t.User)
			} else {
				gaps = append(gaps, "user "+t.User+" is not in the directory")
			}
		case t.Schedule != "":
			if _, ok := d.Schedules[t.Schedule]; !ok {
				gaps = append(gaps, "schedule "+t.Schedule+" is not in the directory")
			} else if u, ok := d.OnCall(t.Schedule, at); ok {
				add(u)
			} else {
				gaps = append(gaps, "nobody is on call on schedule "+t.Schedule)
			}
		}
	}
	return users, gaps
}

// pagesFor returns the notifications paging user for an incident of
// urgency at now: one per matching notification rule, due after the
// rule's delay.
func pagesFor(u hypercare.User, urgency hypercare.Urgency, now time.Time) []hypercare.Notification {
	var out []hypercare.Notification
	for _, r := range u.NotificationRules {
		if r.Urgency != "" && r.Urgency != urgency {
			continue
		}
		cm, ok := u.ContactMethodByID(r.ContactMethod)
		if !ok {
			continue
		}
		out = append(out, hypercare.Notification{
			UserID: u.ID, ContactMethod: cm.ID, Type: cm.Type,
			Status: hypercare.NotificationPending, DueAt: now.Add(r.After), CreatedAt: now,
		})
	}
	return out
}
