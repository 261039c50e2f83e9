package escalate

import (
	"fmt"

	"github.com/hypercare/hypercare"
)

// SetQuietHours sets the quiet hours low-urgency pages wait out
// (notify.low_urgency, applied by the delivery engine), so a dry run shows
// the hold as delivery will apply it; nil: none. Call it before serving.
func (e *Engine) SetQuietHours(q *hypercare.QuietHours) {
	d := *e.dir.Load()
	d.Quiet = q
	e.dir.Store(&d)
}

// holdLowUrgency marks the planned pages of a low-urgency simulation that
// fall in their user's quiet hours: when they would go instead, and the
// words the timeline would use. Like delivery, a second page to the same
// contact method held until the same moment is not sent twice.
func holdLowUrgency(sim *Simulation, d *Directory, q *hypercare.QuietHours) {
	if q == nil || sim.Urgency != hypercare.UrgencyLow {
		return
	}
	seen := map[string]bool{}
	for i := range sim.Pages {
		p := &sim.Pages[i]
		loc := d.zoneOf(d.Users[p.User], q.Zone)
		until, ok := q.Until(p.At, loc)
		if !ok {
			continue
		}
		p.HeldUntil = &until
		at := until.In(loc).Format("15:04") + " " + loc.String()
		key := p.User + "\x00" + p.ContactMethod + "\x00" + until.String()
		if seen[key] {
			p.Held = fmt.Sprintf("Low urgency: %s is already held until %s on %s; not sent twice", p.UserName, at, p.ContactMethod)
			continue
		}
		seen[key] = true
		p.Held = fmt.Sprintf("Low urgency: page to %s held until %s (quiet hours)", p.UserName, at)
	}
}
