package readiness

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// maxHoldOccurrences bounds the occurrences of one maintenance window read
// for one report (a daily window over a 400-day hypercare window is 400).
const maxHoldOccurrences = 1000

// maintenance reports, per service in scope, each occurrence of a
// maintenance window that covers it inside the checked span: the engine
// holds the first page of every new incident it covers until the
// occurrence ends (README, "Maintenance windows and silences"), so during
// it nobody is reached. A window scoped by services alone holds every
// alert of the service (blocking); one with matchers holds only the alerts
// they match (a warning). Silences live in the database and are not read.
func (a *analysis) maintenance() {
	for i := range a.c.Maintenance {
		m := &a.c.Maintenance[i]
		var held []span
		at := a.from
		for n := 0; n < maxHoldOccurrences; n++ {
			o, ok := m.Next(at)
			if !ok || !o.Start.Before(a.to) {
				break
			}
			held = append(held, span{maxTime(o.Start, a.from), minTime(o.End, a.to)})
			at = o.End
		}
		if len(held) == 0 {
			continue
		}
		sev, what := Blocking, "every new incident"
		if len(m.Matchers) > 0 {
			ms := make([]string, len(m.Matchers))
			for j, mt := range m.Matchers {
				ms[j] = mt.String()
			}
			sev, what = Warning, "new incidents of alerts matching "+strings.Join(ms, ", ")
		}
		for _, s := range a.services {
			if len(m.Services) > 0 && !slices.Contains(m.Services, s.ID) {
				continue
			}
			for _, iv := range held {
				a.add(Finding{Kind: MaintenanceHold, Severity: sev, Service: s.ID, Message: fmt.Sprintf(
					"maintenance window %s holds the first page of %s on %s from %s to %s (%s): nobody is paged "+
						"until it ends; move or narrow it, or end it early when the peak needs it",
					m.ID, what, s.ID, fmtTime(iv.start, a.loc), fmtTime(iv.end, a.loc), holdLength(iv.dur()))}, &iv)
			}
		}
	}
}

// holdLength is hours() for spans of a minute or more, "under a minute"
// otherwise.
func holdLength(d time.Duration) string {
	if d < time.Minute {
		return "under a minute"
	}
	return hours(d)
}
