package report

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// TestSummariseWindowReopenedIncident: i1 paged at once, nobody
// acknowledged it and its monitor resolved it after a minute; its key
// flapped, re-opening it at 30 minutes, and it resolved for good at 50.
// Its MTTA runs to its first resolution (60 s), not across the quiet
// time to its last (3000 s); its MTTR to its last resolution (3000 s):
// the problem was over when it stopped re-opening. i2, acknowledged at
// 5 minutes before its monitor's first resolution, keeps 300 s.
func TestSummariseWindowReopenedIncident(t *testing.T) {
	start := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	tp := func(d time.Duration) *time.Time { v := start.Add(d); return &v }
	w := hypercare.Window{ID: "bf", TimeZone: time.UTC, Start: start, End: start.Add(24 * time.Hour)}
	s := Summarise(WindowInput{Window: w, Now: w.End, Services: []string{"checkout"}, Incidents: []hypercare.IncidentStat{
		{ID: "i1", ServiceID: "checkout", CreatedAt: start, FirstPageAt: tp(0), FirstResolvedAt: tp(time.Minute), ResolvedAt: tp(50 * time.Minute)},
		{ID: "i2", ServiceID: "checkout", CreatedAt: start.Add(time.Hour), FirstPageAt: tp(time.Hour), AcknowledgedAt: tp(65 * time.Minute),
			FirstResolvedAt: tp(70 * time.Minute), ResolvedAt: tp(110 * time.Minute)},
	}})
	c := s.Services[0]
	if c.MTTA.Count != 2 || *c.MTTA.MeanSeconds != 180 || *c.MTTA.P90Seconds != 300 ||
		c.MTTR.Count != 2 || *c.MTTR.MeanSeconds != 3000 || *c.MTTR.P90Seconds != 3000 {
		t.Errorf("checkout mtta %v mttr %v; want MTTA of 60 and 300 s, MTTR of 3000 s each", durs(c.MTTA), durs(c.MTTR))
	}
}
