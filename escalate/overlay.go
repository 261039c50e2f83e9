package escalate

import (
	"slices"
	"sort"
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
// arguments so the engine, the dry run (Directory.Simulate) and the
// on-call answer (Directory.LevelWait) cannot disagree about when the
// next level is paged.
func NextDue(policy hypercare.EscalationPolicy, level int, windows []hypercare.Window, serviceID string, now time.Time) time.Time {
	due, _ := nextDue(policy, level, windows, serviceID, now)
	return due
}

// nextDue is NextDue and the window that capped the wait (nil: none).
func nextDue(policy hypercare.EscalationPolicy, level int, windows []hypercare.Window, serviceID string,
	now time.Time) (time.Time, *hypercare.Window) {
	due := now.Add(policy.Levels[level].EscalateAfter)
	var by *hypercare.Window
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
			due, by = capped, w
		}
	}
	return due, by
}

// LevelWait is how long a level paged at a moment waits before the next
// level is paged, as the engine applies it (NextDue).
type LevelWait struct {
	// After is the wait in force; Configured is the config file's.
	After, Configured time.Duration
	// Window is the hypercare window that shortens it (nil: none), and
	// Services the policy's services it shortens it for when that is not
	// all of them (nil: all).
	Window   *hypercare.Window
	Services []string
}

// LevelWait answers "how long does this level wait if paged at at" for a
// policy, whichever service uses it: the on-call answer and the web UI
// show what the engine will do, not only what the file says. When the
// policy's services wait differently (a window scoped to some of them),
// the shortest wait is the answer and Services names the services it
// applies to.
func (d *Directory) LevelWait(policy hypercare.EscalationPolicy, level int, at time.Time) LevelWait {
	lw := LevelWait{Configured: policy.Levels[level].EscalateAfter}
	var services []string
	for svc, pid := range d.ServicePolicy {
		if pid == policy.ID {
			services = append(services, svc)
		}
	}
	sort.Strings(services)
	if len(services) == 0 {
		services = []string{""} // used by no service: only windows of every service apply
	}
	best := time.Time{}
	for _, svc := range services {
		due, w := nextDue(policy, level, d.Windows, svc, at)
		switch {
		case best.IsZero() || due.Before(best):
			best, lw.Window, lw.Services = due, w, []string{svc}
		case due.Equal(best):
			lw.Services = append(lw.Services, svc)
		}
	}
	lw.After = best.Sub(at)
	if lw.Window == nil || slices.Equal(lw.Services, services) {
		lw.Services = nil
	}
	return lw
}
