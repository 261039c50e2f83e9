package report

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// mergedFixture: on checkout, i1 paged alice and was merged into i2 three
// minutes after it opened (the merge resolved it); i2 never paged itself,
// was acknowledged after 10 minutes and resolved after an hour. i3 was
// merged into i2 before anyone was paged. One outage, one incident.
func mergedFixture(start time.Time) ([]hypercare.IncidentStat, []hypercare.PageStat) {
	tp := func(d time.Duration) *time.Time { v := start.Add(d); return &v }
	return []hypercare.IncidentStat{
			{ID: "i1", ServiceID: "checkout", CreatedAt: start, ResolvedAt: tp(3 * time.Minute), MergedInto: "i2", Verdict: hypercare.VerdictNoise},
			{ID: "i2", ServiceID: "checkout", CreatedAt: start.Add(time.Minute), AcknowledgedAt: tp(11 * time.Minute), ResolvedAt: tp(61 * time.Minute), Verdict: hypercare.VerdictActionable},
			{ID: "i3", ServiceID: "checkout", CreatedAt: start.Add(2 * time.Minute), ResolvedAt: tp(3 * time.Minute), MergedInto: "i2", Held: true},
		}, []hypercare.PageStat{
			{IncidentID: "i1", ServiceID: "checkout", UserID: "alice", Step: 1, At: start},
		}
}

// TestNoiseLeavesMergedIncidentsOut: an incident merged into another is
// not an incident of the noise report (nor its verdict or hold); its
// pages are still pages, and count the target as a paged incident.
func TestNoiseLeavesMergedIncidentsOut(t *testing.T) {
	start := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	incs, pages := mergedFixture(start)
	rep := Noise(NoiseInput{From: start, To: start.Add(24 * time.Hour), Known: []string{"checkout"},
		Alerts: []hypercare.AlertCount{{ServiceID: "checkout", Alerts: 4}}, Incidents: incs, Pages: pages})
	c := rep.Services[0]
	if c.Incidents != 1 || c.Held != 0 || c.Pages != 1 || c.PagedIncidents != 1 ||
		c.Feedback != (FeedbackCounts{Actionable: 1}) || *c.IncidentReduction != 0.75 || *c.PageReduction != 0.75 {
		t.Errorf("checkout = %+v (reductions %v, %v); want 1 incident (i2), 1 page, i2 paged, only i2's verdict, 0.75 and 0.75",
			c, ptrVal(c.IncidentReduction), ptrVal(c.PageReduction))
	}
	if rep.Totals.Incidents != 1 || rep.Totals.PagedIncidents != 1 {
		t.Errorf("totals = %+v, want 1 incident, 1 paged", rep.Totals)
	}
}

// TestSummariseWindowLeavesMergedIncidentsOut: a window summary counts
// the target only, and the merges that resolved i1 and i3 are no times to
// acknowledge or resolve; alice's page is still a page.
func TestSummariseWindowLeavesMergedIncidentsOut(t *testing.T) {
	start := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	incs, pages := mergedFixture(start)
	w := hypercare.Window{ID: "bf", TimeZone: time.UTC, Start: start, End: start.Add(24 * time.Hour)}
	s := Summarise(WindowInput{Window: w, Now: w.End, Services: []string{"checkout"}, Incidents: incs, Pages: pages})
	c := s.Services[0]
	if c.Incidents != 1 || c.Pages != 1 || c.MTTA.Count != 1 || *c.MTTA.MeanSeconds != 600 ||
		c.MTTR.Count != 1 || *c.MTTR.MeanSeconds != 3600 || c.Feedback != (FeedbackCounts{Actionable: 1}) {
		t.Errorf("checkout = %+v mtta %+v mttr %+v; want i2 alone: 1 incident, MTTA 600 s, MTTR 3600 s", c, c.MTTA, c.MTTR)
	}
	if s.Totals.Incidents != 1 || s.Totals.Pages != 1 {
		t.Errorf("totals = %+v, want 1 incident and 1 page", s.Totals)
	}
}

// TestSummariseWindowLeavesSplitResolutionOutOfMTTR: i1 paged at 00:00,
// was acknowledged at 00:05, and a split that took its last open alert
// into i2 resolved it at 01:00; i2 paged at 01:00, was acknowledged at
// 01:05 and resolved at 01:30. The split is no time to resolve: i1 counts
// as an incident and in MTTA, not in MTTR, which is i2's 30 min alone.
func TestSummariseWindowLeavesSplitResolutionOutOfMTTR(t *testing.T) {
	start := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	tp := func(d time.Duration) *time.Time { v := start.Add(d); return &v }
	w := hypercare.Window{ID: "bf", TimeZone: time.UTC, Start: start, End: start.Add(24 * time.Hour)}
	s := Summarise(WindowInput{Window: w, Now: w.End, Services: []string{"checkout"}, Incidents: []hypercare.IncidentStat{
		{ID: "i1", ServiceID: "checkout", CreatedAt: start, FirstPageAt: tp(0), AcknowledgedAt: tp(5 * time.Minute),
			ResolvedAt: tp(time.Hour), ResolvedBySplit: true},
		{ID: "i2", ServiceID: "checkout", CreatedAt: start.Add(time.Hour), FirstPageAt: tp(time.Hour),
			AcknowledgedAt: tp(65 * time.Minute), ResolvedAt: tp(90 * time.Minute)},
	}})
	c := s.Services[0]
	if c.Incidents != 2 || c.MTTA.Count != 2 || *c.MTTA.MeanSeconds != 300 || c.MTTR.Count != 1 || *c.MTTR.MeanSeconds != 1800 {
		t.Errorf("checkout = %+v mtta %v mttr %v; want 2 incidents, MTTA 300 s over both, MTTR 1800 s (i2 alone)", c, durs(c.MTTA), durs(c.MTTR))
	}
}
