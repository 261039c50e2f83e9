package report

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// TestNoiseCountsIncidentPagedAfterThePeriod: a period ends at midnight;
// i1 opened at 23:59 and its first page, put off by the service's
// 2-minute pause, went at 00:01, after the period; i2 opened at 23:30 and
// paged at once; i3 never paged. i1 woke someone for an alert of the
// period, so it is one of the period's paged incidents (its page, made
// after the period, is not one of its pages): two paged incidents of
// three alerts, page_reduction 0.3333. It used to count only i2, as if
// i1's alert had woken nobody (0.6667).
func TestNoiseCountsIncidentPagedAfterThePeriod(t *testing.T) {
	start := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	end := start.Add(24 * time.Hour)
	tp := func(t time.Time) *time.Time { return &t }
	rep := Noise(NoiseInput{From: start, To: end, Known: []string{"checkout"},
		Alerts: []hypercare.AlertCount{{ServiceID: "checkout", Alerts: 3}},
		Incidents: []hypercare.IncidentStat{
			{ID: "i3", ServiceID: "checkout", CreatedAt: end.Add(-2 * time.Hour)},
			{ID: "i2", ServiceID: "checkout", CreatedAt: end.Add(-30 * time.Minute), FirstPageAt: tp(end.Add(-30 * time.Minute))},
			{ID: "i1", ServiceID: "checkout", CreatedAt: end.Add(-time.Minute), FirstPageAt: tp(end.Add(time.Minute)),
				PageDueAt: tp(end.Add(time.Minute))},
		},
		Pages: []hypercare.PageStat{{IncidentID: "i2", ServiceID: "checkout", UserID: "alice", Step: 1, At: end.Add(-30 * time.Minute)}},
	})
	c := rep.Services[0]
	if c.Incidents != 3 || c.Pages != 1 || c.PagedIncidents != 2 || *c.PageReduction != 0.3333 {
		t.Errorf("checkout = %+v (page reduction %v); want 3 incidents, 1 page, 2 paged incidents, 0.3333", c, ptrVal(c.PageReduction))
	}
	if rep.Totals.PagedIncidents != 2 {
		t.Errorf("totals = %+v, want 2 paged incidents", rep.Totals)
	}
}

// TestSummariseWindowIncidentOpenedResolved: a responder splits two
// already-resolved alerts off incident i1 into i2 an hour in; i2 opens
// resolved (created and resolved at the same instant), pages nobody and
// is acknowledged by nobody. It is an incident of the window, but no
// response to time: its MTTA and MTTR of 0 s would drag the medians
// down (as would an incident a single batch of events opened and
// resolved). i1 keeps its times.
func TestSummariseWindowIncidentOpenedResolved(t *testing.T) {
	start := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	tp := func(d time.Duration) *time.Time { v := start.Add(d); return &v }
	w := hypercare.Window{ID: "bf", TimeZone: time.UTC, Start: start, End: start.Add(24 * time.Hour)}
	s := Summarise(WindowInput{Window: w, Now: w.End, Services: []string{"checkout"}, Incidents: []hypercare.IncidentStat{
		{ID: "i1", ServiceID: "checkout", CreatedAt: start, FirstPageAt: tp(0), AcknowledgedAt: tp(10 * time.Minute), ResolvedAt: tp(2 * time.Hour)},
		{ID: "i2", ServiceID: "checkout", CreatedAt: start.Add(time.Hour), ResolvedAt: tp(time.Hour)},
	}})
	c := s.Services[0]
	if c.Incidents != 2 || c.MTTA.Count != 1 || *c.MTTA.MeanSeconds != 600 || c.MTTR.Count != 1 || *c.MTTR.MeanSeconds != 7200 {
		t.Errorf("checkout = %+v mtta %v mttr %v; want 2 incidents, i1 alone timed: MTTA 600 s, MTTR 7200 s", c, durs(c.MTTA), durs(c.MTTR))
	}
}
