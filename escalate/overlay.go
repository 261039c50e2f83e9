package escalate

import (
	"time"

	"github.com/hypercare/hypercare"
)

// NextDue is when the level after level falls due if nobody acknowledges:
// level's escalate-after from now, except that a hypercare window with
// max_escalate_after_minutes caps the wait for services in its scope. The
// cap applies from the later of now and the window's start, as long as
// that is before the window's end: a level paged inside the window waits
// at most the cap, and a wait that runs into a window that opens meanwhile
// ends at most the cap after it opens. It is a pure function of its
// arguments so the engine and the dry run (Directory.Simulate) cannot
// disagree about when the next level is paged.
func NextDue(policy hypercare.EscalationPolicy, level int, windows []hypercare.Window, serviceID string, now time.Time) time.Time {
	due := now.Add(policy.Levels[level].EscalateAfter)
	for i := range windows {
		w := &windows[i]
		if w.MaxEscalateAfter <= 0 || !w.InScope(serviceID) {
			continue
		}
		from := now
		if w.Start.After(from) {
			from = w.Start
		}
		if !from.Before(w.End) || !from.Before(due) {
			continue
		}
		if capped := from.Add(w.MaxEscalateAfter); capped.Before(due) {
			due = capped
		}
	}
	return due
}
