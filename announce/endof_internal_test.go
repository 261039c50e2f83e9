package announce

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare/correlate"
)

// TestEndOfReadsMessageBack: the end a restart announces for a removed
// window, read back from its start's text, is the text and time Message
// gives its end edge, for names and scopes with commas and colons too, and
// with " started: " (the separator it reads back) in the name or scope;
// text that is no start announcement of the subject is refused.
func TestEndOfReadsMessageBack(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	o := correlate.Occurrence{Start: time.Date(2026, 11, 26, 23, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC)}
	for _, s := range []Subject{
		{Ref: "window:bfcm", Kind: "Hypercare window", ID: "bfcm", Name: "Black Friday, Cyber Monday: peak", Zone: ny, Scope: "checkout, payments"},
		{Ref: "maintenance:m", Kind: "Maintenance", ID: "m", Zone: time.UTC, Scope: `checkout; alerts matching env=~"a, until b"`},
		{Ref: "window:launch", Kind: "Hypercare window", ID: "launch", Name: "Launch started: v2", Zone: ny, Scope: "checkout"},
		{Ref: "maintenance:db", Kind: "Maintenance", ID: "db", Zone: time.UTC,
			Scope: `db; alerts matching msg=~"job started: (.*)" (alerts recorded, pages held until the end)`},
		{Ref: "maintenance:db2", Kind: "Maintenance", ID: "db2", Name: "DB (primary) started: x", Zone: time.UTC,
			Scope: `db; alerts matching msg=~"job) started: (.*)"`},
	} {
		msg, until, ok := endOf(s.Ref, Message(s, correlate.Edge{Kind: correlate.EdgeStart, At: o.Start, Occurrence: o}))
		if want := Message(s, correlate.Edge{Kind: correlate.EdgeEnd, At: o.End, Occurrence: o}); !ok || msg != want || !until.Equal(o.End) {
			t.Errorf("endOf(%s) = %q %v %v, want %q %v", s.ID, msg, until, ok, want, o.End)
		}
	}
	for _, bad := range []string{"", "started", "Hypercare window m started: x, until 2026-11-27 23:00 UTC",
		"Maintenance m (x started: y, until 2026-11-27 23:00 UTC", "Maintenance m started: x, until tomorrow", "Maintenance m started: x, until 2026-11-27 23:00 Mars/Olympus"} {
		if _, _, ok := endOf("maintenance:m", bad); ok {
			t.Errorf("endOf(%q) read an end", bad)
		}
	}
}

// TestEndOfNameWithUnmatchedParen: a name with a ")" that closes nothing
// right before " started: " ("Deploy :) started: v2"), with an
// unmatched "(", or quoted, is read back to the end Message gives, not
// cut at the wrong " started: " (the end used to read "Maintenance m
// (Deploy :) ended: v2) started: checkout"). Every name and scope built
// from the tokens that confuse a reader is checked, not a few examples.
func TestEndOfNameWithUnmatchedParen(t *testing.T) {
	o := correlate.Occurrence{Start: time.Date(2026, 11, 26, 23, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC)}
	check := func(name, scope string) {
		t.Helper()
		s := Subject{Ref: "maintenance:m", Kind: "Maintenance", ID: "m", Name: name, Zone: time.UTC, Scope: scope}
		msg, until, ok := endOf(s.Ref, Message(s, correlate.Edge{Kind: correlate.EdgeStart, At: o.Start, Occurrence: o}))
		if want := Message(s, correlate.Edge{Kind: correlate.EdgeEnd, At: o.End, Occurrence: o}); !ok || msg != want || !until.Equal(o.End) {
			t.Errorf("name %q scope %q: endOf = %q %v %v, want %q %v", name, scope, msg, until, ok, want, o.End)
		}
	}
	check("Deploy :) started: v2", "checkout")
	check("v2) started: (", "checkout) started: x")
	check("(a", "checkout")
	check(`"quoted" name`, "checkout")
	check(`a \" b) started: "`, `x") started: y`)
	check("`(`) started: x", "checkout")
	check("'('", "checkout")
	tokens := []string{"(", ")", startedSep, `"`, `\`, "x", untilSep, endedSep}
	var parts func(n int) []string
	parts = func(n int) []string {
		if n == 0 {
			return []string{""}
		}
		var out []string
		for _, p := range parts(n - 1) {
			for _, tok := range tokens {
				out = append(out, p+tok)
			}
		}
		return out
	}
	names, scopes := parts(3), append(parts(2), "checkout")
	for _, name := range names {
		for _, scope := range scopes {
			check(name, scope)
		}
	}
}
