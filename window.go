package hypercare

import (
	"slices"
	"time"
)

// Window is a hypercare window: a planned peak (Black Friday, a launch)
// during which the on-call setup must hold to a stricter standard. It is
// config-managed (hypercare_windows in the config file); readiness checks
// it before it opens, and while it is open the escalation engine and
// intake apply its overlay (faster escalation, urgency floor, freeze flags).
type Window struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// TimeZone is the zone Start and End were written in; times shown for
	// the window are shown in it.
	TimeZone *time.Location `json:"-"`
	// Start and End bound the window, [Start, End): the local readings of
	// the file resolved in TimeZone (DST-exact, as schedule times are).
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Services are the IDs of the services in scope; nil means all.
	Services []string `json:"services"`
	// ChangeFreeze says no change should ship inside the window.
	ChangeFreeze bool `json:"change_freeze"`
	// MaxEscalateAfter is the longest a level may wait before escalating
	// inside the window; 0 means the policies' own delays.
	MaxEscalateAfter time.Duration `json:"-"`
	// Urgency is the floor for incidents in scope ("" means none).
	Urgency Urgency `json:"urgency,omitempty"`
	// MaxShift is the longest anyone should be on call in one stint or in
	// any 24 hours inside the window; 0 means no limit.
	MaxShift time.Duration `json:"-"`
	// SilentAfter is how long an integration may send nothing before
	// readiness calls it silent.
	SilentAfter time.Duration `json:"-"`
	// Fatigue, if set, is the fatigue guardrail: an overloaded responder's
	// next page also goes to the next escalation level.
	Fatigue *Fatigue `json:"-"`
	// AnnounceTo hears when the window opens and closes.
	AnnounceTo []AnnounceTarget `json:"-"`
}

// InScope reports whether the service is in the window's scope.
func (w *Window) InScope(serviceID string) bool {
	return w.Services == nil || slices.Contains(w.Services, serviceID)
}

// Active reports whether at is inside [Start, End): whether the overlay
// (escalate.NextDue, intake's urgency floor and freeze flags) applies.
func (w *Window) Active(at time.Time) bool {
	return !at.Before(w.Start) && at.Before(w.End)
}

// Runbook is a link to what to do when a service breaks; readiness
// requires one for every service in a window's scope.
type Runbook struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	URL      string   `json:"url"`
	Services []string `json:"services"`
}
