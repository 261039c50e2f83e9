package api

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/ical"
	"github.com/hypercare/hypercare/oncall"
)

// Hypercare windows in calendar feeds. A window belongs in a feed when it
// concerns the feed's subject: a schedule's feed shows the windows whose
// in-scope services page that schedule (at any level of their policy); a
// user's feed shows the windows in which they are on call on such a
// schedule, or which page them directly. Shifts inside a window are
// marked with its ID ("[bfcm-2026] On call: …", category "Hypercare"), so
// the peak stands out among ordinary weeks.

// windowCategory is the CATEGORIES value of windows and of shifts in them.
const windowCategory = "Hypercare"

// windowReach is what a window's in-scope services page: the schedules
// and the users their policies target directly.
type windowReach struct {
	w         *hypercare.Window
	schedules map[string]bool
	users     map[string]bool
}

// windowsIn returns the windows overlapping [from, to) with what they
// reach, in file order.
func windowsIn(dir *escalate.Directory, from, to time.Time) []windowReach {
	var out []windowReach
	for i := range dir.Windows {
		w := &dir.Windows[i]
		if !w.End.After(from) || !w.Start.Before(to) {
			continue
		}
		r := windowReach{w: w, schedules: map[string]bool{}, users: map[string]bool{}}
		for svc, pid := range dir.ServicePolicy {
			if !w.InScope(svc) {
				continue
			}
			for _, lv := range dir.Policies[pid].Levels {
				for _, t := range lv.Targets {
					if t.Schedule != "" {
						r.schedules[t.Schedule] = true
					} else if t.User != "" {
						r.users[t.User] = true
					}
				}
			}
		}
		out = append(out, r)
	}
	return out
}

// overlaps reports whether [start, end) meets the window.
func overlaps(w *hypercare.Window, start, end time.Time) bool {
	return start.Before(w.End) && end.After(w.Start)
}

// markShift labels a shift on schedID that falls in windows reaching it.
func markShift(e *ical.Event, schedID string, reach []windowReach) {
	var ids []string
	for _, r := range reach {
		if r.schedules[schedID] && overlaps(r.w, e.Start, e.End) {
			ids = append(ids, r.w.ID)
			e.Description += "\nDuring hypercare window " + r.w.Name + " (" + r.w.ID + ")."
		}
	}
	if len(ids) > 0 {
		e.Summary = "[" + strings.Join(ids, ", ") + "] " + e.Summary
		e.Categories = []string{windowCategory}
	}
}

// concerns reports whether a window belongs in the feed of kind and id.
func (r windowReach) concerns(dir *escalate.Directory, kind, id string) bool {
	if kind == "schedules" {
		return r.schedules[id]
	}
	if r.users[id] {
		return true
	}
	for sid := range r.schedules {
		if s, ok := dir.Schedules[sid]; ok {
			for _, sh := range s.WholeShifts(r.w.Start, r.w.End) {
				if sh.User == id && overlaps(r.w, sh.Start, sh.End) {
					return true
				}
			}
		}
	}
	return false
}

// windowEvent is the window itself as an event spanning it, in its own
// zone, saying what it changes and who is on call during it. Its UID is
// set by the feed (buildCalendar), which names its own subject in it.
func windowEvent(dir *escalate.Directory, r windowReach) ical.Event {
	w := r.w
	return ical.Event{
		Start: w.Start, End: w.End, TimeZone: w.TimeZone,
		Summary:     "Hypercare window: " + w.Name,
		Description: windowDescription(dir, r),
		Categories:  []string{windowCategory},
	}
}

func windowDescription(dir *escalate.Directory, r windowReach) string {
	w := r.w
	lines := []string{fmt.Sprintf("Hypercare window %s, %s to %s (%s).", w.ID,
		w.Start.In(w.TimeZone).Format("Mon 2 Jan 2006 15:04"), w.End.In(w.TimeZone).Format("Mon 2 Jan 2006 15:04"), w.TimeZone)}
	if w.Services == nil {
		lines = append(lines, "Services in scope: all.")
	} else {
		lines = append(lines, "Services in scope: "+strings.Join(w.Services, ", ")+".")
	}
	if w.ChangeFreeze {
		lines = append(lines, "Change freeze: no changes should ship; changes are flagged.")
	}
	if w.MaxEscalateAfter > 0 {
		lines = append(lines, "Escalation: every level escalates after at most "+hypercare.HumanDuration(w.MaxEscalateAfter)+".")
	}
	if w.Urgency == hypercare.UrgencyHigh {
		lines = append(lines, "Urgency: every incident pages at high urgency.")
	}
	if f := w.Fatigue; f != nil {
		lines = append(lines, fmt.Sprintf("Fatigue guardrail: more than %d pages in %s, or %d at night (%s), also pages the next level.",
			f.MaxPages, hypercare.HumanDuration(f.Per), f.MaxNightPages, f.NightSpan()))
	}
	for _, sid := range sortedKeys(r.schedules) {
		if s, ok := dir.Schedules[sid]; ok {
			lines = append(lines, "On call on "+sid+": "+strings.Join(onCallDuring(dir, s, w), ", ")+".")
		}
	}
	return strings.Join(lines, "\n")
}

// onCallDuring names who is on call on s during w, in order of first shift.
func onCallDuring(dir *escalate.Directory, s *oncall.Schedule, w *hypercare.Window) []string {
	var names []string
	for _, sh := range s.WholeShifts(w.Start, w.End) {
		if !overlaps(w, sh.Start, sh.End) {
			continue
		}
		name := sh.User
		if u, ok := dir.Users[sh.User]; ok {
			name = u.Name
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return []string{"nobody"}
	}
	return names
}
