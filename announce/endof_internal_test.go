package announce

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare/correlate"
)

// TestEndOfReadsMessageBack: the end a restart announces for a removed
// window, read back from its start's text, is the text and time Message
// gives its end edge, for names and scopes with commas and colons too;
// text that is no start announcement is refused.
func TestEndOfReadsMessageBack(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	o := correlate.Occurrence{Start: time.Date(2026, 11, 26, 23, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC)}
	for _, s := range []Subject{
		{Kind: "Hypercare window", ID: "bfcm", Name: "Black Friday, Cyber Monday: peak", Zone: ny, Scope: "checkout, payments"},
		{Kind: "Maintenance", ID: "m", Zone: time.UTC, Scope: `checkout; alerts matching env=~"a, until b"`},
	} {
		msg, until, ok := endOf(Message(s, correlate.Edge{Kind: correlate.EdgeStart, At: o.Start, Occurrence: o}))
		if want := Message(s, correlate.Edge{Kind: correlate.EdgeEnd, At: o.End, Occurrence: o}); !ok || msg != want || !until.Equal(o.End) {
			t.Errorf("endOf(%s) = %q %v %v, want %q %v", s.ID, msg, until, ok, want, o.End)
		}
	}
	for _, bad := range []string{"", "started", "Maintenance m started: x, until tomorrow", "Maintenance m started: x, until 2026-11-27 23:00 Mars/Olympus"} {
		if _, _, ok := endOf(bad); ok {
			t.Errorf("endOf(%q) read an end", bad)
		}
	}
}
