package announce

import (
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
)

// Subject kinds, the part of a Ref before the colon.
const (
	refMaintenance = correlate.SuppressMaintenance
	refWindow      = "window"
)

// kindWord is the Kind of subjects whose Ref starts with kind ("" for
// none): endOf reads a removed subject's Kind back from its Ref.
func kindWord(kind string) string {
	switch kind {
	case refMaintenance:
		return "Maintenance"
	case refWindow:
		return "Hypercare window"
	}
	return ""
}

// FromMaintenance makes a subject of each maintenance window.
func FromMaintenance(windows []correlate.Maintenance) []Subject {
	var out []Subject
	for i := range windows {
		m := &windows[i]
		scope := strings.Join(m.Services, ", ")
		if len(m.Matchers) > 0 {
			var ms []string
			for _, mt := range m.Matchers {
				ms = append(ms, mt.String())
			}
			scope = strings.TrimPrefix(scope+"; alerts matching "+strings.Join(ms, ", "), "; ")
		}
		out = append(out, Subject{Ref: refMaintenance + ":" + m.ID, Kind: kindWord(refMaintenance), ID: m.ID,
			Name: m.Name, Zone: m.Zone, Scope: scope + " (alerts recorded, pages held until the end)",
			Targets: m.AnnounceTo, Edges: m.Edges, Next: m.Next})
	}
	return out
}

// FromWindows makes a subject of each hypercare window.
func FromWindows(windows []hypercare.Window) []Subject {
	var out []Subject
	for i := range windows {
		w := windows[i]
		scope := "all services"
		if w.Services != nil {
			scope = strings.Join(w.Services, ", ")
		}
		o := correlate.Occurrence{Start: w.Start, End: w.End}
		zone := w.TimeZone
		if zone == nil {
			zone = time.UTC
		}
		out = append(out, Subject{Ref: refWindow + ":" + w.ID, Kind: kindWord(refWindow), ID: w.ID, Name: w.Name,
			Zone: zone, Scope: scope, Targets: w.AnnounceTo,
			Edges: func(from, to time.Time) []correlate.Edge {
				var edges []correlate.Edge
				for _, e := range []correlate.Edge{{Kind: correlate.EdgeStart, At: o.Start, Occurrence: o},
					{Kind: correlate.EdgeEnd, At: o.End, Occurrence: o}} {
					if e.At.After(from) && !e.At.After(to) {
						edges = append(edges, e)
					}
				}
				return edges
			},
			Next: func(at time.Time) (correlate.Occurrence, bool) { return o, o.End.After(at) },
		})
	}
	return out
}
