package replay

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/store"
)

// Report is what a replay did, as `hypercare replay -o json` prints it
// (DESIGN.md §5.1). Its order is fixed (incidents by number, pages by
// time, then incident, user, contact method), so the same file always
// gives the same JSON.
type Report struct {
	Summary   Summary    `json:"summary"`
	Incidents []Incident `json:"incidents"`
	Pages     []Page     `json:"pages"`
	Rules     []RuleHits `json:"rules"`
	// PagesPerUser is how often each person was paged, most first: the
	// fatigue a config would have caused.
	PagesPerUser []UserPages `json:"pages_per_user"`
}

// Summary is the replay's totals.
type Summary struct {
	// Events is the number of events processed (an Alertmanager request
	// of 12 alerts is 12 events).
	Events int `json:"events"`
	// Alerts is the number of alerts opened (suppressed ones included).
	Alerts int `json:"alerts"`
	// Incidents is the number of incidents opened.
	Incidents int `json:"incidents"`
	// Pages is the number of pages delivered: one per person, contact
	// method and escalation step.
	Pages int `json:"pages"`
	// PagedIncidents is the number of incidents that paged anyone.
	PagedIncidents int `json:"paged_incidents"`
	// PageReduction is 1 - paged_incidents/alerts: the share of alerts
	// that did not start a page-out of their own, which without grouping,
	// rules, dependencies and the transient pause each would have. 0 when
	// there were no alerts. Rounded to 4 decimals.
	PageReduction float64 `json:"page_reduction"`
}

// Incident is one incident the replay opened.
type Incident struct {
	Number     int64      `json:"number"`
	Service    string     `json:"service"`
	OpenedAt   time.Time  `json:"opened_at"`
	ResolvedAt *time.Time `json:"resolved_at"`
	// Paged says a page was delivered for it, or a digest (one page,
	// under its first incident) listed it.
	Paged     bool              `json:"paged"`
	Urgency   hypercare.Urgency `json:"urgency"`
	Transient bool              `json:"transient"`
	Status    hypercare.Status  `json:"status"`
	// Alerts is the dedup key of each alert in the incident (symptoms of
	// it included), oldest first; a key re-triggered after it resolved
	// (flapping) appears once per alert.
	Alerts []string `json:"alerts"`
}

// Page is one delivered page.
type Page struct {
	At            time.Time             `json:"at"`
	Incident      int64                 `json:"incident"`
	User          string                `json:"user"`
	ContactMethod string                `json:"contact_method"`
	Type          hypercare.ContactType `json:"type"`
	Level         int                   `json:"level"`
}

// RuleHits is how many events an event rule acted on.
type RuleHits struct {
	ID     string `json:"id"`
	Hits   uint64 `json:"hits"`
	Errors uint64 `json:"errors"`
}

// UserPages is one person's page count.
type UserPages struct {
	User  string `json:"user"`
	Pages int    `json:"pages"`
}

// recorder is the replay's only channel: it accepts every page and keeps
// it, so nothing leaves the machine.
type recorder struct {
	clock hypercare.Clock
	// channels are the contact types the server delivers (nil: all).
	channels []hypercare.ContactType
	mu       sync.Mutex
	pages    []Page
	// digested are the numbers of the incidents digests listed: a digest
	// is one page (under its first incident) that paged them all.
	digested map[int64]bool
}

// Send implements notify.Sender. A page on a type the server has no
// channel for fails permanently, as notify.Registry.Send fails it there.
func (r *recorder) Send(_ context.Context, m notify.Message) error {
	if r.channels != nil && !slices.Contains(r.channels, m.Notification.Type) {
		return notify.Permanent(fmt.Errorf("notify: %w %q", notify.ErrUnsupported, m.Notification.Type))
	}
	p := Page{At: r.clock.Now(), Incident: m.Incident.Number, User: m.Notification.UserID,
		ContactMethod: m.Notification.ContactMethod, Type: m.Notification.Type, Level: m.Notification.Level}
	r.mu.Lock()
	r.pages = append(r.pages, p)
	if m.Digest != nil {
		if r.digested == nil {
			r.digested = map[int64]bool{}
		}
		for _, it := range m.Digest.Items {
			r.digested[it.Number] = true
		}
	}
	r.mu.Unlock()
	return nil
}

// report reads the outcome back from the store.
func (r *runner) report(ctx context.Context) (*Report, error) {
	incidents, err := readAll(ctx, func(p hypercare.Page) ([]hypercare.Incident, string, error) {
		return r.store.ListIncidents(ctx, hypercare.IncidentFilter{Page: p})
	})
	if err != nil {
		return nil, fmt.Errorf("replay: read incidents: %w", err)
	}
	alerts, err := readAll(ctx, func(p hypercare.Page) ([]hypercare.Alert, string, error) {
		return r.store.ListAlerts(ctx, hypercare.AlertFilter{Page: p})
	})
	if err != nil {
		return nil, fmt.Errorf("replay: read alerts: %w", err)
	}
	rep := &Report{Summary: Summary{Events: r.events, Alerts: len(alerts)}, Incidents: []Incident{},
		Pages: r.sortedPages(), Rules: []RuleHits{}, PagesPerUser: []UserPages{}}
	r.sent.mu.Lock()
	rep.Incidents = incidentsOf(incidents, alerts, rep.Pages, r.sent.digested)
	r.sent.mu.Unlock()
	rep.Summary.Incidents, rep.Summary.Pages = len(rep.Incidents), len(rep.Pages)
	for _, inc := range rep.Incidents {
		if inc.Paged {
			rep.Summary.PagedIncidents++
		}
	}
	if rep.Summary.Alerts > 0 {
		red := 1 - float64(rep.Summary.PagedIncidents)/float64(rep.Summary.Alerts)
		rep.Summary.PageReduction = math.Round(red*10000) / 10000
	}
	for _, s := range r.intake.RuleStats() {
		rep.Rules = append(rep.Rules, RuleHits{ID: s.ID, Hits: s.Hits, Errors: s.Errors})
	}
	rep.PagesPerUser = perUser(rep.Pages)
	return rep, nil
}

// sortedPages returns the recorded pages in a fixed order (delivery runs
// several sends at once, so arrival order varies).
func (r *runner) sortedPages() []Page {
	r.sent.mu.Lock()
	pages := append([]Page{}, r.sent.pages...)
	r.sent.mu.Unlock()
	sort.Slice(pages, func(i, j int) bool {
		a, b := pages[i], pages[j]
		switch {
		case !a.At.Equal(b.At):
			return a.At.Before(b.At)
		case a.Incident != b.Incident:
			return a.Incident < b.Incident
		case a.Level != b.Level:
			return a.Level < b.Level
		case a.User != b.User:
			return a.User < b.User
		}
		return a.ContactMethod < b.ContactMethod
	})
	return pages
}

// incidentsOf builds the report's incidents, by number, each with its
// alerts' dedup keys; an incident is paged when a page was for it or a
// digest listed it (digested).
func incidentsOf(incidents []hypercare.Incident, alerts []hypercare.Alert, pages []Page, digested map[int64]bool) []Incident {
	sort.SliceStable(alerts, func(i, j int) bool {
		if !alerts[i].FirstSeenAt.Equal(alerts[j].FirstSeenAt) {
			return alerts[i].FirstSeenAt.Before(alerts[j].FirstSeenAt)
		}
		return alerts[i].ID < alerts[j].ID
	})
	keys := map[string][]string{}
	for _, a := range alerts {
		id := a.IncidentID
		if id == "" {
			id = a.SymptomOf
		}
		if id != "" {
			keys[id] = append(keys[id], a.DedupKey)
		}
	}
	paged := maps.Clone(digested)
	if paged == nil {
		paged = map[int64]bool{}
	}
	for _, p := range pages {
		paged[p.Incident] = true
	}
	out := make([]Incident, 0, len(incidents))
	for _, inc := range incidents {
		alerts := keys[inc.ID]
		if alerts == nil {
			alerts = []string{}
		}
		out = append(out, Incident{Number: inc.Number, Service: inc.ServiceID, OpenedAt: inc.CreatedAt,
			ResolvedAt: inc.ResolvedAt, Paged: paged[inc.Number], Urgency: inc.Urgency, Transient: inc.Transient,
			Status: inc.Status, Alerts: alerts})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// perUser counts pages per person, most paged first.
func perUser(pages []Page) []UserPages {
	counts := map[string]int{}
	for _, p := range pages {
		counts[p.User]++
	}
	out := make([]UserPages, 0, len(counts))
	for u, n := range counts {
		out = append(out, UserPages{User: u, Pages: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Pages != out[j].Pages {
			return out[i].Pages > out[j].Pages
		}
		return out[i].User < out[j].User
	})
	return out
}

// readAll reads every page of a keyset-paged list.
func readAll[T any](ctx context.Context, list func(hypercare.Page) ([]T, string, error)) ([]T, error) {
	var all []T
	cursor := ""
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		items, next, err := list(hypercare.Page{Limit: store.MaxPageLimit, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if next == "" {
			return all, nil
		}
		cursor = next
	}
}
