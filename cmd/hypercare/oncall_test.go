package main

import (
	"bytes"
	"github.com/hypercare/hypercare"
	"strings"
	"testing"
	"time"
)

// TestWriteOnCallNamesTheZone: handoff times in the oncall table carry the
// zone they are shown in, since on-call teams span zones; escalation
// delays read as people say them.
func TestWriteOnCallNamesTheZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	until := time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)
	env := clientEnv{now: func() time.Time { return now }, loc: ny}
	oc := &hypercare.OnCall{At: now, OnCall: []hypercare.OnCallEntry{
		{Schedule: "web-primary", User: "alice", UserName: "Alice", Until: &until}}}
	oc.Policy = &hypercare.PolicyOnCall{Policy: "web", Levels: []hypercare.LevelOnCall{{Level: 1, Users: []string{"alice"}, EscalateAfterMinutes: 90}}}
	var out bytes.Buffer
	if err := writeOnCall(&out, env, oc); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"in 2h (2026-11-27 09:00 EST)", "1 hour 30 minutes"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("oncall table lacks %q:\n%s", want, out.String())
		}
	}

	// Asked about another moment (--at), UNTIL counts from that moment.
	env.now = func() time.Time { return now.Add(7 * 24 * time.Hour) }
	out.Reset()
	if err := writeOnCall(&out, env, oc); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "in 2h (2026-11-27 09:00 EST)") {
		t.Errorf("oncall --at table should count from --at:\n%s", out.String())
	}
}

// TestParseAtFollowsTheScheduleDSTRule: --at read as a local reading
// follows the rule schedules use (docs/oncall.md): a reading the clock
// skips is the moment it jumps, a repeated one its first occurrence. Go's
// ParseInLocation put Santiago's skipped midnight an hour before it, on
// the day before (so `oncall --at` showed the shift before a midnight
// handoff), and Beirut's repeated 23:30 at its second occurrence.
func TestParseAtFollowsTheScheduleDSTRule(t *testing.T) {
	for _, c := range []struct{ zone, at, want string }{
		{"America/Santiago", "2026-09-06T00:00", "2026-09-06T04:00:00Z"},
		{"Asia/Beirut", "2026-10-24T23:30", "2026-10-24T20:30:00Z"},
		{"America/New_York", "2026-03-08T02:30", "2026-03-08T07:00:00Z"},
		{"Europe/London", "2026-11-27T09:00", "2026-11-27T09:00:00Z"},
	} {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseAt(c.at, loc)
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := time.Parse(time.RFC3339, c.want); !got.Equal(want) {
			t.Errorf("parseAt(%s in %s) = %s, want %s", c.at, c.zone, got.UTC().Format(time.RFC3339), c.want)
		}
	}
}

// TestWriteOnCallSaysWhomALevelPages: the PAGES column says what the
// engine does. A round-robin level pages one of its users per incident,
// not all of them; a level with nobody on call pages nobody (and the
// engine goes on to the next level at once), rather than an empty cell.
func TestWriteOnCallSaysWhomALevelPages(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	env := clientEnv{now: func() time.Time { return now }, loc: time.UTC}
	oc := &hypercare.OnCall{At: now, Policy: &hypercare.PolicyOnCall{Policy: "web", Levels: []hypercare.LevelOnCall{
		{Level: 1, Users: []string{}, Mode: hypercare.NotifyAll, EscalateAfterMinutes: 5},
		{Level: 2, Users: []string{"alice", "bob"}, Mode: hypercare.RoundRobin, EscalateAfterMinutes: 10},
		{Level: 3, Users: []string{"carol", "dave"}, Mode: hypercare.NotifyAll, EscalateAfterMinutes: 10},
	}}}
	var out bytes.Buffer
	if err := writeOnCall(&out, env, oc); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"nobody on call (passed over)", "one of alice, bob (round robin)", "carol, dave"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("oncall table lacks %q:\n%s", want, out.String())
		}
	}
}

// TestWriteOnCallSaysNobodyInAGap: a schedule with nobody on call (a gap)
// is a row "nobody on call" with when someone next comes on; the table
// showed nothing at all for it, not even the schedule, so `hypercare
// oncall --schedule X` during a gap printed a bare header.
func TestWriteOnCallSaysNobodyInAGap(t *testing.T) {
	now := time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC)
	next := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	env := clientEnv{now: func() time.Time { return now }, loc: time.UTC}
	oc := &hypercare.OnCall{At: now, OnCall: []hypercare.OnCallEntry{{Schedule: "night", User: "bob", UserName: "Bob"}},
		NobodyOnCall: []hypercare.OnCallGap{{Schedule: "office", Until: &next}, {Schedule: "later"}}}
	var out bytes.Buffer
	if err := writeOnCall(&out, env, oc); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[1], "later") || !strings.Contains(lines[1], "NOBODY ON CALL") ||
		!strings.HasPrefix(lines[2], "night") || !strings.HasPrefix(lines[3], "office") ||
		!strings.Contains(lines[3], "NOBODY ON CALL") || !strings.Contains(lines[3], "in 13h (2026-11-28 09:00 UTC)") {
		t.Fatalf("oncall table:\n%s\nwant later, night and office by schedule, the gaps saying nobody is on call and until when", out.String())
	}
}

// TestWriteOnCallShowsTheWindowsEscalateAfter: inside a hypercare window
// that shortens a level's wait, ESCALATES AFTER is the wait in force and
// says the window shortened it from the configured one (and for which
// services, when the window covers only some of the policy's).
func TestWriteOnCallShowsTheWindowsEscalateAfter(t *testing.T) {
	now := time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC)
	env := clientEnv{now: func() time.Time { return now }, loc: time.UTC}
	oc := &hypercare.OnCall{At: now, Policy: &hypercare.PolicyOnCall{Policy: "web", Levels: []hypercare.LevelOnCall{
		{Level: 1, Users: []string{"alice"}, EscalateAfterMinutes: 2, ConfiguredEscalateAfterMinutes: 30, ShortenedBy: "bfcm"},
		{Level: 2, Users: []string{"bob"}, EscalateAfterMinutes: 3, ConfiguredEscalateAfterMinutes: 10, ShortenedBy: "bfcm",
			ShortenedFor: []string{"checkout"}},
		{Level: 3, Users: []string{"carol"}, EscalateAfterMinutes: 10, ConfiguredEscalateAfterMinutes: 10},
	}}}
	var out bytes.Buffer
	if err := writeOnCall(&out, env, oc); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"2 minutes (hypercare window bfcm; configured 30 minutes)",
		"3 minutes for checkout (hypercare window bfcm); 10 minutes otherwise",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("oncall table lacks %q:\n%s", want, out.String())
		}
	}
}
