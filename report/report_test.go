package report

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

func TestSummarise(t *testing.T) {
	m := time.Minute
	for _, tc := range []struct {
		name              string
		in                []time.Duration
		mean, median, p90 int64
	}{
		{"one", []time.Duration{90 * time.Second}, 90, 90, 90},
		{"odd", []time.Duration{3 * m, m, 2 * m}, 120, 120, 180},
		{"even median is the mean of the middle two", []time.Duration{m, 2 * m, 4 * m, 10 * m}, 255, 180, 600},
		{"p90 nearest rank of ten", []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0, 0, 0},
		{"rounds to seconds", []time.Duration{1500 * time.Millisecond, 2500 * time.Millisecond}, 2, 2, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := summarise(tc.in)
			if got.Count != len(tc.in) || *got.MeanSeconds != tc.mean || *got.MedianSeconds != tc.median || *got.P90Seconds != tc.p90 {
				t.Errorf("summarise = count %d mean %d median %d p90 %d, want %d %d %d %d", got.Count,
					*got.MeanSeconds, *got.MedianSeconds, *got.P90Seconds, len(tc.in), tc.mean, tc.median, tc.p90)
			}
		})
	}
	if got := summarise(nil); got.Count != 0 || got.MeanSeconds != nil || got.P90Seconds != nil {
		t.Errorf("summarise(nil) = %+v, want only a zero count", got)
	}
	ten := make([]time.Duration, 10)
	for i := range ten {
		ten[i] = time.Duration(i+1) * time.Minute
	}
	if got := summarise(ten); *got.P90Seconds != 540 || *got.MedianSeconds != 330 {
		t.Errorf("p90 of 1..10 min = %d s, median %d s; want 540 (the 9th) and 330", *got.P90Seconds, *got.MedianSeconds)
	}
}

func TestAtNight(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	for _, tc := range []struct {
		at    string
		loc   *time.Location
		night bool
	}{
		{"2026-11-27T02:59:00Z", ny, false}, // 21:59 in New York
		{"2026-11-27T03:00:00Z", ny, true},  // 22:00
		{"2026-11-27T11:59:00Z", ny, true},  // 06:59
		{"2026-11-27T12:00:00Z", ny, false}, // 07:00
		{"2026-11-27T12:00:00Z", time.UTC, false},
		{"2026-11-27T23:30:00Z", time.UTC, true},
	} {
		at, _ := time.Parse(time.RFC3339, tc.at)
		if got := AtNight(at, tc.loc); got != tc.night {
			t.Errorf("AtNight(%s in %s) = %v, want %v", tc.at, tc.loc, got, tc.night)
		}
	}
}

func TestNoise(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	rep := Noise(NoiseInput{
		From: t0, To: t0.Add(24 * time.Hour), Known: []string{"checkout", "payments", "quiet"},
		Events: []hypercare.EventCount{{ServiceID: "checkout", Outcome: "created", Count: 10},
			{ServiceID: "checkout", Outcome: "updated", Count: 80}, {ServiceID: "checkout", Outcome: "grouped", Count: 6},
			{ServiceID: "checkout", Outcome: "suppressed", Count: 3}, {ServiceID: "payments", Outcome: "dropped", Count: 5},
			{ServiceID: "payments", Outcome: "symptom", Count: 2}},
		Alerts: []hypercare.AlertCount{{ServiceID: "checkout", Alerts: 20, WithoutIncident: 3}, {ServiceID: "payments", Alerts: 2}},
		Incidents: []hypercare.IncidentStat{{ID: "i1", ServiceID: "checkout", Verdict: hypercare.VerdictNoise},
			{ID: "i2", ServiceID: "checkout", Verdict: hypercare.VerdictActionable}, {ID: "i3", ServiceID: "checkout", Transient: true},
			{ID: "i4", ServiceID: "checkout", Held: true}, {ID: "i5", ServiceID: "payments", Held: true}},
		Pages: []hypercare.PageStat{{IncidentID: "i1", ServiceID: "checkout", UserID: "alice", Step: 1},
			{IncidentID: "i1", ServiceID: "checkout", UserID: "bob", Step: 2}, {IncidentID: "i2", ServiceID: "checkout", UserID: "alice", Step: 1}},
	})
	if len(rep.Services) != 3 || rep.Services[0].Service != "checkout" || rep.Services[1].Service != "payments" || rep.Services[2].Service != "quiet" {
		t.Fatalf("services = %+v, want checkout, payments, quiet", rep.Services)
	}
	c := rep.Services[0]
	if c.Events != 99 || c.Grouped != 6 || c.Suppressed != 3 || c.Alerts != 20 || c.Incidents != 4 || c.Transient != 1 || c.Held != 1 ||
		c.Pages != 3 || c.PagedIncidents != 2 || c.Feedback != (FeedbackCounts{Noise: 1, Actionable: 1, Unmarked: 2}) {
		t.Errorf("checkout = %+v", c)
	}
	if *c.IncidentReduction != 0.8 || *c.PageReduction != 0.9 {
		t.Errorf("checkout reductions = %v, %v; want 0.8 (1-4/20) and 0.9 (1-2/20)", *c.IncidentReduction, *c.PageReduction)
	}
	if q := rep.Services[2]; q.Events != 0 || q.IncidentReduction != nil || q.PageReduction != nil {
		t.Errorf("quiet = %+v, want zeros and null reductions", q)
	}
	if tot := rep.Totals; tot.Events != 106 || tot.Alerts != 22 || tot.Dropped != 5 || tot.Symptoms != 2 || tot.Pages != 3 || tot.Held != 2 ||
		*tot.PageReduction != 0.9091 {
		t.Errorf("totals = %+v (page reduction %v)", tot, *tot.PageReduction)
	}
	one := Noise(NoiseInput{Service: "payments", Known: []string{"checkout", "payments"}})
	if len(one.Services) != 1 || one.Services[0].Service != "payments" {
		t.Errorf("service filter: %+v, want only payments", one.Services)
	}
}

func TestSummariseWindow(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	start := time.Date(2026, 11, 26, 18, 0, 0, 0, ny)
	w := hypercare.Window{ID: "bfcm", Name: "BFCM", TimeZone: ny, Start: start, End: start.Add(48 * time.Hour),
		Services: []string{"checkout", "payments"}, ChangeFreeze: true}
	tp := func(d time.Duration) *time.Time { v := start.Add(d); return &v }
	in := WindowInput{
		Window: w, Services: []string{"checkout", "payments"},
		Users: map[string]hypercare.User{"alice": {ID: "alice", Name: "Alice", TimeZone: "Europe/London"}, "bob": {ID: "bob", Name: "Bob"}},
		Incidents: []hypercare.IncidentStat{
			{ID: "i1", ServiceID: "checkout", CreatedAt: start.Add(time.Hour), AcknowledgedAt: tp(time.Hour + 2*time.Minute), ResolvedAt: tp(2 * time.Hour), Verdict: hypercare.VerdictActionable},
			{ID: "i2", ServiceID: "checkout", CreatedAt: start.Add(3 * time.Hour), ResolvedAt: tp(3*time.Hour + 10*time.Minute), Verdict: hypercare.VerdictNoise},
			{ID: "i3", ServiceID: "checkout", CreatedAt: start.Add(4 * time.Hour), ResolvedAt: tp(4*time.Hour + time.Minute), Transient: true},
			{ID: "i4", ServiceID: "search", CreatedAt: start.Add(time.Hour)},
		},
		Pages: []hypercare.PageStat{
			{IncidentID: "i1", ServiceID: "checkout", UserID: "alice", Step: 1, At: start.Add(time.Hour)},   // 19:00 NY = 00:00 London: night
			{IncidentID: "i2", ServiceID: "checkout", UserID: "bob", Step: 1, At: start.Add(3 * time.Hour)}, // 21:00 NY: day
			{IncidentID: "i2", ServiceID: "checkout", UserID: "bob", Step: 2, At: start.Add(5 * time.Hour)}, // 23:00 NY: night
			{IncidentID: "i4", ServiceID: "search", UserID: "carol", Step: 1, At: start.Add(time.Hour)},     // out of scope
		},
		Changes: []hypercare.ChangeEvent{{ID: "c1", ServiceID: "checkout", FreezeWindow: "bfcm"}, {ID: "c2", ServiceID: "checkout", FreezeWindow: "other"}},
		Keys: []hypercare.KeyCount{{ServiceID: "search", DedupKey: "s", Events: 99}, {ServiceID: "checkout", DedupKey: "a", Events: 7},
			{ServiceID: "payments", DedupKey: "b", Events: 9}},
	}
	t.Run("finished", func(t *testing.T) {
		in.Now = start.Add(72 * time.Hour)
		s := Summarise(in)
		if s.Status != StatusFinished || s.Partial || !s.To.Equal(w.End) {
			t.Errorf("status %s partial %v to %v, want finished at the end", s.Status, s.Partial, s.To)
		}
		if s.Totals.Incidents != 3 || s.Totals.Pages != 3 || s.Totals.NightPages != 2 || s.Totals.FreezeChanges != 1 {
			t.Errorf("totals = %+v, want 3 incidents, 3 pages, 2 at night, 1 freeze change", s.Totals)
		}
		c := s.Services[0]
		if c.Service != "checkout" || *c.MTTA.MedianSeconds != 360 || c.MTTA.Count != 2 || *c.MTTR.MeanSeconds != 2100 ||
			c.Feedback != (FeedbackCounts{Noise: 1, Actionable: 1, Unmarked: 1}) {
			t.Errorf("checkout = %+v mtta %+v mttr %+v", c, c.MTTA, c.MTTR)
		}
		if p := s.Services[1]; p.Service != "payments" || p.Incidents != 0 || p.MTTA.Count != 0 {
			t.Errorf("payments = %+v, want an empty line", p)
		}
		want := []ResponderPages{{User: "bob", Name: "Bob", TimeZone: "America/New_York", Pages: 2, NightPages: 1},
			{User: "alice", Name: "Alice", TimeZone: "Europe/London", Pages: 1, NightPages: 1}}
		if len(s.Responders) != 2 || s.Responders[0] != want[0] || s.Responders[1] != want[1] {
			t.Errorf("responders = %+v, want %+v", s.Responders, want)
		}
		if len(s.NoisiestAlerts) != 2 || s.NoisiestAlerts[0].DedupKey != "b" || s.NoisiestAlerts[1].DedupKey != "a" {
			t.Errorf("noisiest = %+v, want b then a (search is out of scope)", s.NoisiestAlerts)
		}
	})
	t.Run("in progress", func(t *testing.T) {
		in.Now = start.Add(6 * time.Hour)
		s := Summarise(in)
		if s.Status != StatusInProgress || !s.Partial || !s.To.Equal(in.Now) || s.Message == "" {
			t.Errorf("status %s partial %v to %v message %q, want in progress to now", s.Status, s.Partial, s.To, s.Message)
		}
	})
	if _, _, started := Period(w, start.Add(-time.Second)); started {
		t.Error("Period before the start says started")
	}
}

// TestNoisePagedIncidentsAreThePeriods: pages issued in the period for
// incidents opened before it (an escalation repeating overnight) count as
// pages, but not as paged incidents: page_reduction compares the period's
// alerts with the period's incidents that paged, so it cannot fall below
// zero because yesterday's incidents kept paging today.
func TestNoisePagedIncidentsAreThePeriods(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	rep := Noise(NoiseInput{
		From: t0, To: t0.Add(24 * time.Hour), Known: []string{"checkout"},
		Alerts:    []hypercare.AlertCount{{ServiceID: "checkout", Alerts: 2}},
		Incidents: []hypercare.IncidentStat{{ID: "new", ServiceID: "checkout", CreatedAt: t0.Add(time.Hour)}},
		Pages: []hypercare.PageStat{{IncidentID: "new", ServiceID: "checkout", UserID: "alice", Step: 1, At: t0.Add(time.Hour)},
			{IncidentID: "old1", ServiceID: "checkout", UserID: "alice", Step: 4, At: t0.Add(time.Minute)},
			{IncidentID: "old2", ServiceID: "checkout", UserID: "bob", Step: 4, At: t0.Add(2 * time.Minute)},
			{IncidentID: "old3", ServiceID: "checkout", UserID: "bob", Step: 4, At: t0.Add(3 * time.Minute)}},
	})
	c := rep.Services[0]
	if c.Pages != 4 || c.PagedIncidents != 1 || c.PageReduction == nil || *c.PageReduction != 0.5 {
		t.Errorf("checkout: pages %d, paged incidents %d, page reduction %v; want 4, 1 and 0.5 (1 - 1/2)",
			c.Pages, c.PagedIncidents, ptrVal(c.PageReduction))
	}
	if tot := rep.Totals; tot.PagedIncidents != 1 || *tot.PageReduction != 0.5 {
		t.Errorf("totals: paged incidents %d, page reduction %v; want 1 and 0.5", tot.PagedIncidents, ptrVal(tot.PageReduction))
	}
}

func ptrVal(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}
