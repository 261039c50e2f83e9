package report

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// TestSummariseWindowDelayedIncidents: an incident whose first page an
// event rule's delay (or the service's pause) put off is timed from when
// that page was due, or sent if earlier, as a held one is from its first
// page: the delay was nobody's time to answer. One paged at 30 minutes
// and acknowledged 5 minutes later has an MTTA of 5 minutes; one that
// paged nobody (nobody on call) runs from when its page was due; one a
// person acknowledged before its page was due answered on their own and
// keeps its times from its opening.
func TestSummariseWindowDelayedIncidents(t *testing.T) {
	start := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	tp := func(d time.Duration) *time.Time { v := start.Add(d); return &v }
	w := hypercare.Window{ID: "bf", TimeZone: time.UTC, Start: start, End: start.Add(24 * time.Hour)}
	s := Summarise(WindowInput{Window: w, Now: w.End, Services: []string{"checkout"}, Incidents: []hypercare.IncidentStat{
		{ID: "paged", ServiceID: "checkout", CreatedAt: start, PageDueAt: tp(30 * time.Minute), FirstPageAt: tp(30 * time.Minute),
			AcknowledgedAt: tp(35 * time.Minute), ResolvedAt: tp(50 * time.Minute)},
		{ID: "nobody-on-call", ServiceID: "checkout", CreatedAt: start.Add(time.Hour), PageDueAt: tp(90 * time.Minute),
			AcknowledgedAt: tp(100 * time.Minute), ResolvedAt: tp(110 * time.Minute)},
		{ID: "self-noticed", ServiceID: "checkout", CreatedAt: start.Add(2 * time.Hour), PageDueAt: tp(150 * time.Minute),
			AcknowledgedAt: tp(125 * time.Minute), ResolvedAt: tp(140 * time.Minute)},
	}})
	c := s.Services[0]
	if c.MTTA.Count != 3 || *c.MTTA.MedianSeconds != 300 || *c.MTTA.P90Seconds != 600 ||
		c.MTTR.Count != 3 || *c.MTTR.MedianSeconds != 1200 || *c.MTTR.P90Seconds != 1200 {
		t.Errorf("checkout mtta %+v mttr %+v; want MTTA of 300, 600 and 300 s, MTTR of 1200 s each", durs(c.MTTA), durs(c.MTTR))
	}
}

func durs(d Durations) []int64 {
	if d.Count == 0 {
		return nil
	}
	return []int64{int64(d.Count), *d.MeanSeconds, *d.MedianSeconds, *d.P90Seconds}
}
