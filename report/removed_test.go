package report

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// TestSummariseWindowRemovedService: a window over every service keeps a
// line, marked removed, for a service the config no longer has but whose
// incidents paged people in the window, after the configured services;
// the totals are the sums of the lines and agree with pages per person.
// A window naming its services leaves the removed one out of every
// figure. The removed service's pages used to count per person (and at
// night) but on no line and in no total.
func TestSummariseWindowRemovedService(t *testing.T) {
	start := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	incs := []hypercare.IncidentStat{
		{ID: "i1", ServiceID: "checkout", CreatedAt: start.Add(time.Hour)},
		{ID: "i2", ServiceID: "legacy", CreatedAt: start.Add(2 * time.Hour)},
	}
	pages := []hypercare.PageStat{
		{IncidentID: "i1", ServiceID: "checkout", UserID: "alice", Step: 1, At: start.Add(time.Hour)},
		{IncidentID: "i2", ServiceID: "legacy", UserID: "alice", Step: 1, At: start.Add(2 * time.Hour)},
		{IncidentID: "i2", ServiceID: "legacy", UserID: "bob", Step: 2, At: start.Add(3 * time.Hour)},
	}
	all := hypercare.Window{ID: "all", TimeZone: time.UTC, Start: start, End: start.Add(24 * time.Hour)}
	s := Summarise(WindowInput{Window: all, Now: all.End, Services: []string{"checkout", "quiet"}, Incidents: incs, Pages: pages})
	if len(s.Services) != 3 || s.Services[0].Service != "checkout" || s.Services[1].Service != "quiet" || s.Services[2].Service != "legacy" {
		t.Fatalf("services = %+v, want checkout, quiet, then legacy", s.Services)
	}
	if l := s.Services[2]; !l.Removed || l.Incidents != 1 || l.Pages != 2 || s.Services[0].Removed || s.Services[1].Removed {
		t.Errorf("lines = %+v, want legacy removed with 1 incident and 2 pages, the others not removed", s.Services)
	}
	perPerson := 0
	for _, r := range s.Responders {
		perPerson += r.Pages
	}
	if s.Totals.Pages != 3 || perPerson != 3 || s.Totals.Incidents != 2 || s.Totals.NightPages != 3 {
		t.Errorf("totals = %+v, pages per person %d; want 3 pages (3 at night) both ways, 2 incidents", s.Totals, perPerson)
	}

	named := all
	named.Services = []string{"checkout"}
	s = Summarise(WindowInput{Window: named, Now: named.End, Services: []string{"checkout"}, Incidents: incs, Pages: pages})
	if len(s.Services) != 1 || s.Totals.Pages != 1 || len(s.Responders) != 1 || s.Responders[0].Pages != 1 {
		t.Errorf("named window: services %+v totals %+v responders %+v, want checkout alone", s.Services, s.Totals, s.Responders)
	}
}

// TestNoiseMarksRemovedServices: the noise report's line of a service the
// config no longer has (not among Known) says so.
func TestNoiseMarksRemovedServices(t *testing.T) {
	rep := Noise(NoiseInput{Known: []string{"checkout"},
		Alerts: []hypercare.AlertCount{{ServiceID: "checkout", Alerts: 1}, {ServiceID: "legacy", Alerts: 2}}})
	removed := map[string]bool{}
	for _, l := range rep.Services {
		removed[l.Service] = l.Removed
	}
	if len(removed) != 2 || removed["checkout"] || !removed["legacy"] {
		t.Errorf("removed = %v, want legacy only", removed)
	}
}
