package report

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/hypercare/hypercare"
)

// Night is when a page counts as a night page: from NightStartHour to
// NightEndHour, local time of the paged user's time_zone (the window's
// zone for users without one). Fixed, like PagerDuty's "sleep hours", so
// summaries of different windows compare.
const (
	NightStartHour = 22
	NightEndHour   = 7
)

// NoisiestLimit is how many alerts a window summary lists as noisiest.
const NoisiestLimit = 10

// Window summary statuses.
const (
	StatusInProgress = "in_progress"
	StatusFinished   = "finished"
)

// WindowSummary is the answer of GET /api/v1/windows/{id}/summary: what
// happened in a hypercare window, the start of the post-peak review.
type WindowSummary struct {
	Window WindowRef `json:"window"`
	// Status is StatusInProgress or StatusFinished.
	Status string `json:"status"`
	// From and To are the part of the window the figures cover: its start
	// to its end, or to now while it is in progress (Partial).
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Partial bool      `json:"partial"`
	// Message says, while Partial, that the figures are so far.
	Message string `json:"message,omitempty"`
	// Night is the local hours NightPages count, so readers need not
	// know the constants.
	Night         NightDef                `json:"night"`
	Totals        WindowTotals            `json:"totals"`
	Services      []WindowService         `json:"services"`
	Responders    []ResponderPages        `json:"responders"`
	FreezeChanges []hypercare.ChangeEvent `json:"freeze_changes"`
	// FreezeChangesTruncated says more changes shipped than are listed.
	FreezeChangesTruncated bool         `json:"freeze_changes_truncated"`
	NoisiestAlerts         []NoisyAlert `json:"noisiest_alerts"`
}

// WindowTotals are the window's figures over every service in scope.
type WindowTotals struct {
	Incidents  int `json:"incidents"`
	Pages      int `json:"pages"`
	NightPages int `json:"night_pages"`
	// FreezeChanges counts change events that shipped through the
	// window's change freeze (the listed ones).
	FreezeChanges int `json:"freeze_changes"`
}

// WindowRef names the window summarised.
type WindowRef struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	TimeZone     string    `json:"time_zone"`
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	Services     []string  `json:"services"`
	ChangeFreeze bool      `json:"change_freeze"`
}

// NightDef says which local hours counted as night, "HH:MM" each.
type NightDef struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// WindowService is one in-scope service's incidents in the window. MTTA
// is creation to the first acknowledgement (or to the first resolution for
// incidents resolved without one; an ack timeout's re-trigger does not
// move it, nor does a flapping key's re-opening); MTTR is creation to the
// last resolution. Transient incidents, which
// paged nobody and were resolved by their monitor, are left out of both,
// and so are held incidents that never paged; a held incident that paged
// is timed from its first page, and one an event rule's delay or the
// service's pause put off from when its page was due (responseStart).
// An incident merged into another is left out of every figure but Pages:
// it is the target's outage, and the merge that resolved it is no time
// to resolve. Nor is a split that resolved one by moving its last open
// alerts into a new incident (ResolvedBySplit): that incident is left out
// of MTTR only (it was answered: its MTTA stands), and those alerts'
// resolution counts once, in the split-off incident's MTTR, as
// PagerDuty-like tools time the incident an alert was moved to.
type WindowService struct {
	Service string `json:"service"`
	// Removed says the service is no longer in the config: what it paged
	// in the window still happened (and counts per person), so it keeps
	// a line under its ID, after the configured services.
	Removed   bool           `json:"removed,omitempty"`
	Incidents int            `json:"incidents"`
	Pages     int            `json:"pages"`
	MTTA      Durations      `json:"mtta"`
	MTTR      Durations      `json:"mttr"`
	Feedback  FeedbackCounts `json:"feedback"`
}

// ResponderPages is how often one person was paged in the window.
type ResponderPages struct {
	User       string `json:"user"`
	Name       string `json:"name,omitempty"`
	TimeZone   string `json:"time_zone"`
	Pages      int    `json:"pages"`
	NightPages int    `json:"night_pages"`
}

// NoisyAlert is one of the dedup keys with the most events in the window.
type NoisyAlert struct {
	Service  string `json:"service"`
	DedupKey string `json:"dedup_key"`
	Summary  string `json:"summary"`
	Events   int64  `json:"events"`
}

// WindowInput is what the store and the config hold about one window.
type WindowInput struct {
	Window hypercare.Window
	Now    time.Time
	// Services are the IDs of the services in the window's scope.
	Services []string
	// Users are the config's users, for names and time zones.
	Users     map[string]hypercare.User
	Incidents []hypercare.IncidentStat
	Pages     []hypercare.PageStat
	// Changes are the change events the store read for the window; those
	// flagged by this window's freeze, on services in scope, are listed.
	Changes []hypercare.ChangeEvent
	// ChangesTruncated says the store held more freeze changes.
	ChangesTruncated bool
	// Keys are the dedup keys with the most events, for NoisiestAlerts.
	Keys []hypercare.KeyCount
}

// Period returns the part of w the summary covers at now, and whether the
// window has started at all.
func Period(w hypercare.Window, now time.Time) (from, to time.Time, started bool) {
	if now.Before(w.Start) {
		return w.Start, w.Start, false
	}
	return w.Start, minTime(now, w.End), true
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Summarise builds the summary of a started window; rows outside its scope
// are ignored. Times are shown in the window's zone.
func Summarise(in WindowInput) WindowSummary {
	w, loc := in.Window, in.Window.TimeZone
	if loc == nil {
		loc = time.UTC
	}
	from, to, _ := Period(w, in.Now)
	s := WindowSummary{
		Window: WindowRef{ID: w.ID, Name: w.Name, TimeZone: loc.String(), Start: w.Start.In(loc), End: w.End.In(loc),
			Services: slices.Clone(in.Services), ChangeFreeze: w.ChangeFreeze},
		Status: StatusFinished, From: from.In(loc), To: to.In(loc),
		Night:    NightDef{From: fmt.Sprintf("%02d:00", NightStartHour), To: fmt.Sprintf("%02d:00", NightEndHour)},
		Services: []WindowService{}, Responders: []ResponderPages{}, FreezeChanges: []hypercare.ChangeEvent{},
		NoisiestAlerts: []NoisyAlert{},
	}
	if s.Window.Services == nil {
		s.Window.Services = []string{}
	}
	if in.Now.Before(w.End) {
		s.Status, s.Partial = StatusInProgress, true
		s.Message = "the window is still in progress: figures cover its start to " + to.In(loc).Format(time.RFC3339)
	}
	s.Services = serviceLines(in)
	s.Responders = responders(in, loc)
	for _, line := range s.Services {
		s.Totals.Incidents += line.Incidents
		s.Totals.Pages += line.Pages
	}
	for _, r := range s.Responders {
		s.Totals.NightPages += r.NightPages
	}
	for _, c := range in.Changes {
		if c.FreezeWindow == w.ID && w.InScope(c.ServiceID) {
			s.FreezeChanges = append(s.FreezeChanges, c)
		}
	}
	s.Totals.FreezeChanges, s.FreezeChangesTruncated = len(s.FreezeChanges), in.ChangesTruncated
	s.NoisiestAlerts = noisiest(in)
	return s
}

// serviceLines counts incidents, pages, MTTA, MTTR and verdicts per
// in-scope service, in the order of in.Services, then, by ID, a line
// marked Removed for each in-scope service with rows that the config no
// longer has: its pages count per person, so they count on a line too,
// and the totals (sums of the lines) agree with pages per person.
func serviceLines(in WindowInput) []WindowService {
	type acc struct {
		line       WindowService
		ack, fixed []time.Duration
	}
	by := map[string]*acc{}
	out := []WindowService{}
	for _, id := range in.Services {
		by[id] = &acc{line: WindowService{Service: id}}
	}
	var removed []string
	lineOf := func(id string) *acc {
		if a := by[id]; a != nil || !in.Window.InScope(id) {
			return a
		}
		by[id] = &acc{line: WindowService{Service: id, Removed: true}}
		removed = append(removed, id)
		return by[id]
	}
	for _, inc := range in.Incidents {
		a := lineOf(inc.ServiceID)
		if a == nil || inc.MergedInto != "" {
			continue // out of scope, or merged: counted as its target
		}
		a.line.Incidents++
		a.line.Feedback.add(inc.Verdict)
		from, timed := responseStart(inc)
		if !timed {
			continue
		}
		if t := firstOf(inc.AcknowledgedAt, firstResolution(inc, from)); t != nil {
			a.ack = append(a.ack, max(0, t.Sub(from)))
		}
		if inc.ResolvedAt != nil && !inc.ResolvedBySplit {
			a.fixed = append(a.fixed, max(0, inc.ResolvedAt.Sub(from)))
		}
	}
	for _, p := range in.Pages {
		if a := lineOf(p.ServiceID); a != nil {
			a.line.Pages++
		}
	}
	slices.Sort(removed)
	for _, id := range append(slices.Clone(in.Services), removed...) {
		a := by[id]
		a.line.MTTA, a.line.MTTR = summarise(a.ack), summarise(a.fixed)
		out = append(out, a.line)
	}
	return out
}

// responseStart is when an incident's MTTA and MTTR clocks start, and
// whether it has them at all: when someone was first asked to answer it.
// A transient incident paged nobody and was resolved by its monitor; a
// held one (a maintenance window or silence held its first page) that
// never paged was never anyone's to answer, as PagerDuty counts only
// incidents triggered to a responder: neither is timed. Nor is one whose
// first page an event rule's delay or the service's pause put off
// (PageDueAt) and that was resolved, unacknowledged and unpaged, before
// that page was due. A held incident that paged when its hold ended is
// timed from that first page, and a delayed one from when its page was
// due (or sent, if earlier): the hold or delay was nobody's time to answer,
// as PagerDuty's auto-pause opens the incident only when the pause ends.
// An incident that opened resolved, unpaged and unacknowledged (split off
// with alerts already resolved, or opened and resolved by one batch of
// events) had no response to time: 0 s would drag the medians down.
// A delayed incident a person acknowledged before its page was due
// answered without being asked, and keeps its times from its creation.
// Every other incident is timed from its creation, even one that paged
// nobody (nobody on call): that is a gap the figures must show, not hide;
// a delayed one that paged nobody shows it from when its page was due.
func responseStart(inc hypercare.IncidentStat) (time.Time, bool) {
	switch {
	case inc.Transient:
		return time.Time{}, false
	case inc.Held && inc.FirstPageAt == nil:
		return time.Time{}, false
	case inc.Held:
		return *inc.FirstPageAt, true
	case inc.FirstPageAt == nil && inc.AcknowledgedAt == nil && inc.ResolvedAt != nil && !inc.ResolvedAt.After(inc.CreatedAt):
		return time.Time{}, false // opened resolved: a split-off of resolved alerts
	case inc.PageDueAt == nil || !inc.PageDueAt.After(inc.CreatedAt):
		return inc.CreatedAt, true
	}
	asked := *firstOf(inc.PageDueAt, inc.FirstPageAt)
	switch {
	case inc.AcknowledgedAt != nil && inc.AcknowledgedAt.Before(asked):
		return inc.CreatedAt, true
	case inc.FirstPageAt == nil && inc.AcknowledgedAt == nil && inc.ResolvedAt != nil && inc.ResolvedAt.Before(asked):
		return time.Time{}, false
	}
	return asked, true
}

// firstResolution is the resolution MTTA runs to for an incident nobody
// acknowledged first: its first (FirstResolvedAt), as a key flapping
// re-opens it and resolves it again, unless that came before from (the
// run that paged began after it), then its last.
func firstResolution(inc hypercare.IncidentStat, from time.Time) *time.Time {
	if inc.FirstResolvedAt != nil && !inc.FirstResolvedAt.Before(from) {
		return inc.FirstResolvedAt
	}
	return inc.ResolvedAt
}

// firstOf returns the earlier of the times that are set.
func firstOf(a, b *time.Time) *time.Time {
	if a == nil || (b != nil && b.Before(*a)) {
		return b
	}
	return a
}

// responders counts pages and night pages per person, most paged first.
func responders(in WindowInput, windowZone *time.Location) []ResponderPages {
	by := map[string]*ResponderPages{}
	out := []ResponderPages{}
	for _, p := range in.Pages {
		if !in.Window.InScope(p.ServiceID) {
			continue
		}
		r := by[p.UserID]
		if r == nil {
			u := in.Users[p.UserID]
			r = &ResponderPages{User: p.UserID, Name: u.Name, TimeZone: userZone(u, windowZone).String()}
			by[p.UserID] = r
		}
		r.Pages++
		if AtNight(p.At, userZone(in.Users[p.UserID], windowZone)) {
			r.NightPages++
		}
	}
	for _, r := range by {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b ResponderPages) int {
		return cmp.Or(cmp.Compare(b.Pages, a.Pages), cmp.Compare(b.NightPages, a.NightPages), cmp.Compare(a.User, b.User))
	})
	return out
}

// userZone is the user's time zone, or fallback when they have none (or
// one that does not load).
func userZone(u hypercare.User, fallback *time.Location) *time.Location {
	if u.TimeZone != "" {
		if loc, err := time.LoadLocation(u.TimeZone); err == nil {
			return loc
		}
	}
	return fallback
}

// AtNight reports whether t falls in the night hours in loc.
func AtNight(t time.Time, loc *time.Location) bool {
	h := t.In(loc).Hour()
	return h >= NightStartHour || h < NightEndHour
}

// noisiest keeps the in-scope keys, most events first, at most
// NoisiestLimit.
func noisiest(in WindowInput) []NoisyAlert {
	out := []NoisyAlert{}
	for _, k := range in.Keys {
		if in.Window.InScope(k.ServiceID) {
			out = append(out, NoisyAlert{Service: k.ServiceID, DedupKey: k.DedupKey, Summary: k.Summary, Events: k.Events})
		}
	}
	slices.SortFunc(out, func(a, b NoisyAlert) int {
		return cmp.Or(cmp.Compare(b.Events, a.Events), cmp.Compare(a.Service, b.Service), cmp.Compare(a.DedupKey, b.DedupKey))
	})
	if len(out) > NoisiestLimit {
		out = out[:NoisiestLimit]
	}
	return out
}
