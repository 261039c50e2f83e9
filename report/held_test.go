package report

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// TestSummariseWindowHeldIncidents: a held incident that never paged
// (resolved inside its maintenance window or silence) has no time to
// acknowledge or resolve, as nobody was asked to; one that paged when its
// hold ended is timed from that page; one an event rule delayed and its
// monitor resolved before its page was due is not timed either. An
// incident that was never held and paged nobody (nobody on call) keeps
// its times: that silence is a coverage gap the figures must show.
func TestSummariseWindowHeldIncidents(t *testing.T) {
	start := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	tp := func(d time.Duration) *time.Time { v := start.Add(d); return &v }
	w := hypercare.Window{ID: "bf", TimeZone: time.UTC, Start: start, End: start.Add(24 * time.Hour)}
	s := Summarise(WindowInput{Window: w, Now: w.End, Services: []string{"checkout"}, Incidents: []hypercare.IncidentStat{
		{ID: "quiet", ServiceID: "checkout", CreatedAt: start, ResolvedAt: tp(10 * time.Minute), Held: true},
		{ID: "acked-in-hold", ServiceID: "checkout", CreatedAt: start, AcknowledgedAt: tp(3 * time.Minute), ResolvedAt: tp(20 * time.Minute), Held: true},
		{ID: "released", ServiceID: "checkout", CreatedAt: start.Add(20 * time.Minute), FirstPageAt: tp(time.Hour),
			AcknowledgedAt: tp(65 * time.Minute), ResolvedAt: tp(90 * time.Minute), Held: true},
		{ID: "uncovered", ServiceID: "checkout", CreatedAt: start.Add(2 * time.Hour), AcknowledgedAt: tp(3 * time.Hour), ResolvedAt: tp(4 * time.Hour)},
		{ID: "delayed", ServiceID: "checkout", CreatedAt: start.Add(5 * time.Hour), PageDueAt: tp(5*time.Hour + 3*time.Minute), ResolvedAt: tp(5*time.Hour + time.Minute)},
	}})
	c := s.Services[0]
	if c.Incidents != 5 || c.MTTA.Count != 2 || *c.MTTA.MedianSeconds != (300+3600)/2 ||
		c.MTTR.Count != 2 || *c.MTTR.MedianSeconds != (1800+7200)/2 {
		t.Errorf("checkout = %+v mtta %+v mttr %+v; want 5 incidents, MTTA of 5 and 60 min, MTTR of 30 and 120 min",
			c, c.MTTA, c.MTTR)
	}
}
