package correlate

import (
	"time"

	"github.com/hypercare/hypercare"
)

// Flapping is a service's flapping setting: an alert that triggered and
// resolved Count times within Window is flapping.
type Flapping struct {
	Count  int
	Window time.Duration
}

// DefaultFlapping applies when a service sets none: three trigger/resolve
// cycles in half an hour.
var DefaultFlapping = Flapping{Count: 3, Window: 30 * time.Minute}

// Flap is what a new trigger of a dedup key with no open alert does.
type Flap struct {
	// IncidentID is the incident to re-open (or join, if still open) when
	// the key is flapping: that of the latest earlier alert with this key
	// in the window; "" for none (open as usual).
	IncidentID string
	// Cycles counts the earlier alerts with this key in the window.
	Cycles int
	// Flapping says this trigger makes the key flapping.
	Flapping bool
}

// DecideFlap decides on a trigger given the earlier alerts with the same
// service and dedup key first seen within f.Window before now (newest
// first, all resolved, as none is open). Until the key has cycled f.Count
// times a trigger opens a new incident (PagerDuty's rule: a trigger after
// a resolve is a new alert); from then on it is flapping, and each
// re-trigger re-opens the incident of the latest earlier alert instead.
// Earlier alerts without an incident (suppressed, or symptoms) are
// counted but re-open nothing.
func DecideFlap(f Flapping, recent []hypercare.Alert, now time.Time) Flap {
	if f.Count <= 0 || f.Window <= 0 {
		return Flap{}
	}
	var d Flap
	since := now.Add(-f.Window)
	for i := range recent {
		a := &recent[i]
		if a.FirstSeenAt.Before(since) || a.Status != hypercare.StatusResolved {
			continue
		}
		d.Cycles++
		if d.IncidentID == "" && d.Cycles == 1 {
			d.IncidentID = a.IncidentID
		}
	}
	d.Flapping = d.Cycles >= f.Count
	if !d.Flapping {
		d.IncidentID = ""
	}
	return d
}

// Transient reports whether an incident resolving at now, opened at
// opened, was a transient blip: its service holds first pages for pause,
// it resolved within pause of opening, and it never paged. The incident's
// age counts, not its last alert's: one held open for twenty minutes by
// a delay rule, whose last alert joined a minute before the end, was no
// blip.
func Transient(pause time.Duration, opened time.Time, paged bool, now time.Time) bool {
	return pause > 0 && !paged && now.Sub(opened) < pause
}

// UpstreamCandidate is an open incident of a service the alert's service
// depends on, and how far up: Rank 0 for the nearest service of the
// upstream list, 1 for the next, and so on.
type UpstreamCandidate struct {
	Incident hypercare.Incident
	Rank     int
}

// Upstream picks the incident a downstream alert attaches to as a symptom
// among the open incidents of the services it depends on: the most severe
// (a certificate expiring or a failed backup upstream, at warning, does
// not break its dependents; an outage does), then the nearest service
// (what the alert's service calls is a likelier cause than what lies
// further up), then the oldest (of one service's incidents at one
// severity, the one that started first is the outage under way, and a
// later one beside it is more often another face of it than a new cause:
// a database failover pages "primary down" and then "connections
// exhausted", and every symptom belongs with the first). An incident that is recovering — all its
// own alerts resolved, open only while earlier symptoms clear — takes no
// new symptoms: its service is healthy again, so a new failure downstream
// is not its doing. nil when there is none.
func Upstream(open []UpstreamCandidate) *hypercare.Incident {
	var best *UpstreamCandidate
	for i := range open {
		c := &open[i]
		if c.Incident.Status == hypercare.StatusResolved || Recovering(&c.Incident) {
			continue
		}
		if best == nil || better(c, best) {
			best = c
		}
	}
	if best == nil {
		return nil
	}
	return &best.Incident
}

// better orders upstream candidates: severity, then nearness, then age.
func better(a, b *UpstreamCandidate) bool {
	if ra, rb := a.Incident.Severity.Rank(), b.Incident.Severity.Rank(); ra != rb {
		return ra > rb
	}
	if a.Rank != b.Rank {
		return a.Rank < b.Rank
	}
	return a.Incident.Number < b.Incident.Number
}

// Recovering reports whether an open incident's own alerts have all
// resolved while it waits for its symptoms to clear.
func Recovering(inc *hypercare.Incident) bool {
	return inc.Status != hypercare.StatusResolved && inc.AlertCount > 0 && inc.OpenAlertCount == 0
}

// Noise is one service's noise settings, as the config made them
// effective.
type Noise struct {
	Grouping Grouping
	// Pause holds the first page of a new incident (pause_notifications).
	Pause    time.Duration
	Flapping Flapping
	// Upstream is every service this one depends on, directly or through
	// others, nearest first.
	Upstream []string
	// SymptomGrace is how long an incident of this service stays open,
	// recovering, after its own alerts resolved while its symptoms
	// downstream still fire (symptom_grace_minutes): those still firing
	// after it are failures of their own and become incidents that page.
	// 0 promotes them the moment it resolves.
	SymptomGrace time.Duration
}

// DefaultSymptomGrace applies when a service sets no
// symptom_grace_minutes: dependents clear within minutes of their upstream
// (averaged error rates, checks every few minutes); one still broken ten
// minutes later is broken on its own.
const DefaultSymptomGrace = 10 * time.Minute
