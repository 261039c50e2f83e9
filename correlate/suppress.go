package correlate

import (
	"slices"
	"time"
)

// Suppressor is something that holds pages back for a while: an
// occurrence of a maintenance window, or a silence created at run time.
type Suppressor struct {
	// Kind is SuppressMaintenance or SuppressSilence; ID names it.
	Kind, ID string
	// Services and Matchers scope it as Maintenance's do.
	Services []string
	Matchers []Matcher
	// Start and End bound it, [Start, End).
	Start, End time.Time
	// Zone is where its times are shown (a window's zone; nil is UTC).
	Zone *time.Location
}

// The suppressor kinds, as recorded in an incident's suppressed_by
// ("maintenance:sunday-deploys", "silence:01J…").
const (
	SuppressMaintenance = "maintenance"
	SuppressSilence     = "silence"
)

// Ref is the suppressor as an incident records it: "kind:id".
func (s *Suppressor) Ref() string { return s.Kind + ":" + s.ID }

func (s *Suppressor) applies(serviceID string, l EventLabels) bool {
	return (len(s.Services) == 0 || slices.Contains(s.Services, serviceID)) && MatchAll(s.Matchers, l)
}

// Suppression decides whether a new incident on serviceID whose alert has
// labels l must hold its first page, and until when. It holds while any
// suppressor in scope is active: from the ones active at now, the hold
// runs to the latest end, extended by any in-scope suppressor already
// started by then (overlapping windows chain, so the page never goes out
// in the middle of the next one). by is the one whose end the hold ends
// at. A pure function of its arguments.
func Suppression(sups []Suppressor, serviceID string, l EventLabels, now time.Time) (by *Suppressor, until time.Time, ok bool) {
	inScope := make([]*Suppressor, 0, len(sups))
	for i := range sups {
		if sups[i].applies(serviceID, l) && sups[i].End.After(sups[i].Start) {
			inScope = append(inScope, &sups[i])
		}
	}
	until = now
	for changed := true; changed; {
		changed = false
		for _, s := range inScope {
			if !s.Start.After(until) && s.End.After(until) {
				by, until, changed = s, s.End, true
			}
		}
	}
	return by, until, by != nil
}

// Suppressors returns the occurrences of the windows that matter at now:
// each one's active occurrence and the one after it (for chaining).
func Suppressors(windows []Maintenance, now time.Time) []Suppressor {
	var out []Suppressor
	for i := range windows {
		m := &windows[i]
		o, ok := m.Next(now)
		for n := 0; ok && n < 2; n++ {
			out = append(out, Suppressor{Kind: SuppressMaintenance, ID: m.ID, Services: m.Services,
				Matchers: m.Matchers, Start: o.Start, End: o.End, Zone: m.Zone})
			o, ok = m.Next(o.End)
		}
	}
	return out
}
