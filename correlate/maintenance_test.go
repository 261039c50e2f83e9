package correlate_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/oncall"
)

func TestMatchers(t *testing.T) {
	ev := &hypercare.Event{Summary: "Disk 91% full", Source: "db-2", Severity: hypercare.SeverityWarning,
		CustomDetails: json.RawMessage(`{"labels":{"alertname":"DiskFull","env":"prod"},"region":"eu-1","count":3}`)}
	l := correlate.LabelsOf(ev, "payments")
	cases := []struct {
		m    string
		want bool
	}{
		{`alertname="DiskFull"`, true},
		{`alertname!="DiskFull"`, false},
		{`alertname=~"Disk.*"`, true},
		{`alertname=~"Disk"`, false}, // anchored, as in Alertmanager
		{`alertname!~"Cpu.*"`, true},
		{`env = "prod"`, true},
		{`region="eu-1"`, true},             // a top-level custom detail
		{`count="3"`, true},                 // numbers as written
		{`service="payments"`, true},        // an event field
		{`severity=~"warning|error"`, true}, // fields before labels
		{`labels.region=""`, true},          // absent reads as ""
		{`details.region="eu-1"`, true},
		{`team=""`, true},
		{`team!=""`, false},
		{`summary=~".*full"`, true},
	}
	for _, c := range cases {
		m, err := correlate.ParseMatcher(c.m)
		if err != nil {
			t.Errorf("%s: %v", c.m, err)
			continue
		}
		if got := m.Matches(l); got != c.want {
			t.Errorf("%s: %v, want %v", c.m, got, c.want)
		}
		if back, err := correlate.ParseMatcher(m.String()); err != nil || back.String() != m.String() {
			t.Errorf("%s: String %q does not round-trip: %v", c.m, m.String(), err)
		}
	}
	for _, bad := range []string{``, `alertname`, `alertname=DiskFull`, `="x"`, `1a="x"`, `a=~"("`, `a=="x"`, `a<"x"`} {
		if _, err := correlate.ParseMatcher(bad); err == nil {
			t.Errorf("%q parsed, want an error", bad)
		}
	}
}

func at(loc *time.Location, s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02T15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

func local(s string) oncall.LocalDateTime {
	d, err := oncall.ParseLocalDateTime(s)
	if err != nil {
		panic(err)
	}
	return d
}

// A weekly Sunday 01:00–03:00 window in London keeps its local times across
// both clock changes: on 2027-03-28 01:00 does not exist (clocks go to
// 02:00 BST), so that occurrence starts at the jump and is one hour long;
// on 2026-10-25 01:00 happens twice, and the first is taken.
func TestRecurringWindowAcrossDST(t *testing.T) {
	london, _ := oncall.LoadZone("Europe/London")
	until := local("2027-04-30T00:00")
	m := correlate.Maintenance{ID: "sunday", Zone: london, Start: local("2026-10-18T01:00"), End: local("2026-10-18T03:00"),
		Recurrence: &correlate.Recurrence{Freq: correlate.FreqWeekly, Interval: 1, ByDay: []time.Weekday{time.Sunday}, Until: &until}}
	cases := []struct {
		name       string
		at         time.Time
		active     bool
		start, end time.Time
	}{
		{"first, BST", at(london, "2026-10-18T02:00"), true, time.Date(2026, 10, 18, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 18, 2, 0, 0, 0, time.UTC)},
		{"fall back: 3 hours", time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC), true, time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 25, 3, 0, 0, 0, time.UTC)},
		{"winter", at(london, "2026-11-29T01:30"), true, time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC), time.Date(2026, 11, 29, 3, 0, 0, 0, time.UTC)},
		{"spring forward: 1 hour", time.Date(2027, 3, 28, 1, 30, 0, 0, time.UTC), true, time.Date(2027, 3, 28, 1, 0, 0, 0, time.UTC), time.Date(2027, 3, 28, 2, 0, 0, 0, time.UTC)},
		{"summer", at(london, "2027-04-04T02:59"), true, time.Date(2027, 4, 4, 0, 0, 0, 0, time.UTC), time.Date(2027, 4, 4, 2, 0, 0, 0, time.UTC)},
		{"end is exclusive", at(london, "2026-11-29T03:00"), false, time.Time{}, time.Time{}},
		{"a Saturday", at(london, "2026-11-28T02:00"), false, time.Time{}, time.Time{}},
		{"after until", at(london, "2027-05-02T02:00"), false, time.Time{}, time.Time{}},
		{"before the first", at(london, "2026-10-11T02:00"), false, time.Time{}, time.Time{}},
	}
	for _, c := range cases {
		o, ok := m.Active(c.at)
		if ok != c.active || ok && (!o.Start.Equal(c.start) || !o.End.Equal(c.end)) {
			t.Errorf("%s: Active(%v) = %v %v–%v, want %v %v–%v", c.name, c.at, ok, o.Start.UTC(), o.End.UTC(), c.active, c.start, c.end)
		}
	}
	next, ok := m.Next(at(london, "2026-11-28T12:00"))
	if !ok || !next.Start.Equal(time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("Next = %v %v, want Sunday 01:00", next, ok)
	}
	if _, ok := m.Next(at(london, "2027-04-26T00:00")); ok {
		t.Errorf("Next after the last occurrence found one")
	}
	edges := m.Edges(at(london, "2026-11-29T00:00"), at(london, "2026-12-06T02:00"))
	if len(edges) != 3 || edges[0].Kind != correlate.EdgeStart || edges[1].Kind != correlate.EdgeEnd || edges[2].Kind != correlate.EdgeStart {
		t.Errorf("edges %+v, want start, end, start", edges)
	}
}

func TestDailyAndMultiDayRecurrence(t *testing.T) {
	ny, _ := oncall.LoadZone("America/New_York")
	daily := correlate.Maintenance{ID: "backup", Zone: ny, Start: local("2026-11-01T23:30"), End: local("2026-11-02T00:30"),
		Recurrence: &correlate.Recurrence{Freq: correlate.FreqDaily, Interval: 2}}
	if _, ok := daily.Active(at(ny, "2026-11-04T00:10")); !ok {
		t.Errorf("every other day: the 3rd's occurrence reaching past midnight is not active")
	}
	if _, ok := daily.Active(at(ny, "2026-11-03T00:10")); ok {
		t.Errorf("every other day: the 2nd's is active")
	}
	weekdays := correlate.Maintenance{ID: "nightly", Zone: ny, Start: local("2026-11-02T02:00"), End: local("2026-11-02T03:00"),
		Recurrence: &correlate.Recurrence{Freq: correlate.FreqWeekly, Interval: 2, ByDay: []time.Weekday{time.Monday, time.Wednesday}}}
	for s, want := range map[string]bool{"2026-11-02T02:30": true, "2026-11-04T02:30": true, "2026-11-09T02:30": false,
		"2026-11-16T02:30": true, "2026-11-03T02:30": false} {
		if _, ok := weekdays.Active(at(ny, s)); ok != want {
			t.Errorf("biweekly Mon/Wed at %s: %v, want %v", s, ok, want)
		}
	}
}

func TestSuppressionChainsAndScopes(t *testing.T) {
	t0 := time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC)
	env, _ := correlate.ParseMatcher(`env="prod"`)
	sups := []correlate.Suppressor{
		{Kind: "maintenance", ID: "a", Services: []string{"checkout"}, Start: t0.Add(-time.Hour), End: t0.Add(time.Hour)},
		{Kind: "silence", ID: "b", Matchers: []correlate.Matcher{env}, Start: t0.Add(30 * time.Minute), End: t0.Add(3 * time.Hour)},
		{Kind: "silence", ID: "later", Services: []string{"checkout"}, Start: t0.Add(5 * time.Hour), End: t0.Add(6 * time.Hour)},
	}
	prod := correlate.LabelsOf(&hypercare.Event{CustomDetails: json.RawMessage(`{"labels":{"env":"prod"}}`)}, "checkout")
	by, until, ok := correlate.Suppression(sups, "checkout", prod, t0)
	if !ok || by.Ref() != "silence:b" || !until.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("chained: %v %v %v, want silence:b until +3h (a overlaps b)", by, until, ok)
	}
	staging := correlate.LabelsOf(&hypercare.Event{}, "checkout")
	if by, until, ok := correlate.Suppression(sups, "checkout", staging, t0); !ok || by.ID != "a" || !until.Equal(t0.Add(time.Hour)) {
		t.Errorf("staging: %v %v %v, want a until +1h", by, until, ok)
	}
	if _, _, ok := correlate.Suppression(sups, "search", staging, t0); ok {
		t.Errorf("search is in no scope")
	}
	if _, _, ok := correlate.Suppression(sups, "checkout", staging, t0.Add(4*time.Hour)); ok {
		t.Errorf("nothing is active at +4h")
	}
}

// FuzzParseMatcher: silences take matchers from API clients; any text
// either parses to a matcher whose String parses back to itself, or is
// refused, never a panic.
func FuzzParseMatcher(f *testing.F) {
	for _, s := range []string{`a="b"`, `a!~"x|y"`, `labels.env=~"prod-.*"`, `a="\"q\""`, `a=~"("`, `=`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := correlate.ParseMatcher(s)
		if err != nil {
			return
		}
		back, err := correlate.ParseMatcher(m.String())
		if err != nil || back.String() != m.String() {
			t.Fatalf("%q parsed to %q, which reads back as %q (%v)", s, m.String(), back.String(), err)
		}
		m.Matches(correlate.LabelsOf(&hypercare.Event{Summary: s}, "svc"))
	})
}
