package report

import (
	"cmp"
	"slices"
	"time"

	"github.com/hypercare/hypercare"
)

// NoiseCounts are one service's (or all services') figures for a period.
// Events are counted by when they arrived, alerts by when first seen,
// incidents by when opened and pages by when issued, each in [from, to).
type NoiseCounts struct {
	// Events is every event logged; Suppressed, Dropped, Grouped and
	// Symptoms count those an event rule suppressed or dropped, or whose
	// new alert joined an open incident (grouping) or another service's
	// incident (dependencies) instead of opening one.
	Events     int64 `json:"events"`
	Suppressed int64 `json:"suppressed"`
	Dropped    int64 `json:"dropped"`
	Grouped    int64 `json:"grouped"`
	Symptoms   int64 `json:"symptoms"`
	Alerts     int64 `json:"alerts"`
	Incidents  int64 `json:"incidents"`
	// Transient counts incidents their monitor resolved before their first
	// page was due (the service's pause_notifications_minutes or an event
	// rule's delay_minutes) and that paged nobody: the incident's badge.
	Transient int64 `json:"transient"`
	// Held counts incidents opened while a maintenance window or silence
	// covered them: their first page waited for its end (and never went
	// if they resolved first). Suppressed counts only event rules.
	Held int64 `json:"held"`
	// Pages counts escalation steps that reached a person (one per
	// incident, step and user, however many contact methods it used),
	// whenever their incident opened; PagedIncidents counts the period's
	// incidents that paged, whenever they first did: one opened a minute
	// before the period's end and paged after it (a pause, a hold) woke
	// someone for an alert of the period. An incident opened before the
	// period and still paging in it (an escalation repeating overnight) is
	// not one of them: page_reduction compares the period's alerts with
	// the period's paged incidents, and would otherwise drop below zero.
	Pages          int64 `json:"pages"`
	PagedIncidents int64 `json:"paged_incidents"`
	// IncidentReduction is 1 - incidents/alerts: how much grouping,
	// dependencies and suppression cut alerts into fewer incidents.
	// PageReduction is 1 - paged_incidents/alerts: the share of alerts
	// that woke nobody. Both are null when there were no alerts.
	IncidentReduction *float64 `json:"incident_reduction"`
	PageReduction     *float64 `json:"page_reduction"`
	// Feedback counts the period's incidents by their last verdict.
	Feedback FeedbackCounts `json:"feedback"`
}

// FeedbackCounts counts incidents by verdict.
type FeedbackCounts struct {
	Noise      int64 `json:"noise"`
	Actionable int64 `json:"actionable"`
	Unmarked   int64 `json:"unmarked"`
}

// add counts one incident's verdict.
func (f *FeedbackCounts) add(v hypercare.Verdict) {
	switch v {
	case hypercare.VerdictNoise:
		f.Noise++
	case hypercare.VerdictActionable:
		f.Actionable++
	default:
		f.Unmarked++
	}
}

// NoiseService is one service's line of the noise report.
type NoiseService struct {
	Service string `json:"service"`
	// Removed says the service is no longer in the config (not one of
	// NoiseInput.Known); its history still counts, under its ID.
	Removed bool `json:"removed,omitempty"`
	NoiseCounts
}

// NoiseReport is the answer of GET /api/v1/noise: per service and in
// total, for [From, To).
type NoiseReport struct {
	From     time.Time      `json:"from"`
	To       time.Time      `json:"to"`
	Service  string         `json:"service,omitempty"`
	Services []NoiseService `json:"services"`
	Totals   NoiseCounts    `json:"totals"`
}

// NoiseInput is what the store read for one period.
type NoiseInput struct {
	From, To time.Time
	// Service is the one service asked for ("" for all).
	Service string
	// Known are the IDs of the configured services: each gets a line,
	// even a quiet one (only Service when it is set).
	Known     []string
	Events    []hypercare.EventCount
	Alerts    []hypercare.AlertCount
	Incidents []hypercare.IncidentStat
	Pages     []hypercare.PageStat
}

// Noise builds the noise report. Services are ordered by pages, then
// alerts (most first), then ID, so the noisiest lead. An incident merged
// into another is not counted (nor its hold, transience or verdict): it
// was the same outage, and its alerts and pages count under the target.
func Noise(in NoiseInput) NoiseReport {
	by := map[string]*NoiseCounts{}
	line := func(id string) *NoiseCounts {
		if by[id] == nil {
			by[id] = &NoiseCounts{}
		}
		return by[id]
	}
	for _, id := range in.Known {
		if in.Service == "" || id == in.Service {
			line(id)
		}
	}
	for _, e := range in.Events {
		c := line(e.ServiceID)
		c.Events += e.Count
		switch e.Outcome {
		case hypercare.OutcomeSuppressed:
			c.Suppressed += e.Count
		case hypercare.OutcomeDropped:
			c.Dropped += e.Count
		case hypercare.OutcomeGrouped:
			c.Grouped += e.Count
		case hypercare.OutcomeSymptom:
			c.Symptoms += e.Count
		}
	}
	for _, a := range in.Alerts {
		line(a.ServiceID).Alerts += a.Alerts
	}
	target := mergeTargets(in.Incidents)
	opened := make(map[string]bool, len(in.Incidents))
	for _, inc := range in.Incidents {
		if inc.MergedInto != "" {
			continue // not an incident of its own: counted as its target
		}
		opened[inc.ID] = true
		c := line(inc.ServiceID)
		c.Incidents++
		if inc.Transient {
			c.Transient++
		}
		if inc.Held {
			c.Held++
		}
		c.Feedback.add(inc.Verdict)
	}
	paged := map[string]bool{}
	markPaged := func(incidentID string, c *NoiseCounts) {
		if id := target(incidentID); opened[id] && !paged[id] {
			paged[id] = true
			c.PagedIncidents++
		}
	}
	for _, p := range in.Pages {
		c := line(p.ServiceID)
		c.Pages++
		markPaged(p.IncidentID, c)
	}
	for _, inc := range in.Incidents {
		if inc.FirstPageAt != nil { // also a first page made after the period
			markPaged(inc.ID, line(inc.ServiceID))
		}
	}
	rep := NoiseReport{From: in.From, To: in.To, Service: in.Service, Services: []NoiseService{}}
	for id, c := range by {
		c.ratios()
		rep.Totals.plus(c)
		rep.Services = append(rep.Services, NoiseService{Service: id, Removed: !slices.Contains(in.Known, id), NoiseCounts: *c})
	}
	rep.Totals.ratios()
	slices.SortFunc(rep.Services, func(a, b NoiseService) int {
		return cmp.Or(cmp.Compare(b.Pages, a.Pages), cmp.Compare(b.Alerts, a.Alerts), cmp.Compare(a.Service, b.Service))
	})
	return rep
}

func (c *NoiseCounts) ratios() {
	c.IncidentReduction, c.PageReduction = ratio(c.Incidents, c.Alerts), ratio(c.PagedIncidents, c.Alerts)
}

// plus adds o's counts to c (not the ratios).
func (c *NoiseCounts) plus(o *NoiseCounts) {
	c.Events += o.Events
	c.Suppressed += o.Suppressed
	c.Dropped += o.Dropped
	c.Grouped += o.Grouped
	c.Symptoms += o.Symptoms
	c.Alerts += o.Alerts
	c.Incidents += o.Incidents
	c.Transient += o.Transient
	c.Held += o.Held
	c.Pages += o.Pages
	c.PagedIncidents += o.PagedIncidents
	c.Feedback.Noise += o.Feedback.Noise
	c.Feedback.Actionable += o.Feedback.Actionable
	c.Feedback.Unmarked += o.Feedback.Unmarked
}

// mergeTargets returns the function that maps an incident's ID to the
// incident the reports count it as: itself, or, for an incident merged
// into another, the end of its chain of merges (a target merged later
// counts as its own target). The chain is followed at most len(incs)
// steps, so a cycle in bad rows cannot loop.
func mergeTargets(incs []hypercare.IncidentStat) func(string) string {
	into := map[string]string{}
	for _, inc := range incs {
		if inc.MergedInto != "" {
			into[inc.ID] = inc.MergedInto
		}
	}
	return func(id string) string {
		for range len(into) {
			next, ok := into[id]
			if !ok {
				break
			}
			id = next
		}
		return id
	}
}
