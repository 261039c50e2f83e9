package api

import (
	"net/http"
	"time"

	"github.com/hypercare/hypercare/correlate"
)

// MaintenanceView is a configured maintenance window as the API shows it:
// the first occurrence as written (local, in its zone), the recurrence,
// and, as of now, whether it is active and its current or next occurrence.
type MaintenanceView struct {
	ID         string          `json:"id"`
	Name       string          `json:"name,omitempty"`
	TimeZone   string          `json:"time_zone"`
	Start      string          `json:"start"`
	End        string          `json:"end"`
	Recurrence *RecurrenceView `json:"recurrence,omitempty"`
	Services   []string        `json:"services"`
	Matchers   []string        `json:"matchers"`
	Active     bool            `json:"active"`
	// Next is the active occurrence, else the next one; omitted when the
	// window will not happen again.
	Next *OccurrenceView `json:"next,omitempty"`
}

// RecurrenceView is a window's recurrence.
type RecurrenceView struct {
	Freq     string   `json:"freq"`
	Interval int      `json:"interval"`
	ByDay    []string `json:"by_day"`
	Until    string   `json:"until,omitempty"`
}

// OccurrenceView is one occurrence, in the window's zone.
type OccurrenceView struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

func maintenanceView(m *correlate.Maintenance, now time.Time) MaintenanceView {
	v := MaintenanceView{ID: m.ID, Name: m.Name, TimeZone: m.Zone.String(), Start: m.Start.String(),
		End: m.End.String(), Services: append([]string{}, m.Services...), Matchers: []string{}}
	for _, mt := range m.Matchers {
		v.Matchers = append(v.Matchers, mt.String())
	}
	if r := m.Recurrence; r != nil {
		rv := &RecurrenceView{Freq: r.Freq, Interval: max(r.Interval, 1), ByDay: []string{}}
		for _, d := range r.ByDay {
			rv.ByDay = append(rv.ByDay, [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}[d])
		}
		if r.Until != nil {
			rv.Until = r.Until.String()
		}
		v.Recurrence = rv
	}
	_, v.Active = m.Active(now)
	if o, ok := m.Next(now); ok {
		v.Next = &OccurrenceView{Start: o.Start.In(m.Zone), End: o.End.In(m.Zone)}
	}
	return v
}

// listMaintenance answers GET /api/v1/maintenance: the config's
// maintenance windows with their active flag and next occurrence.
func (s *Server) listMaintenance(w http.ResponseWriter, _ *http.Request) {
	now := s.clock.Now()
	out := []MaintenanceView{}
	windows := s.maintenanceWindows()
	for i := range windows {
		out = append(out, maintenanceView(&windows[i], now))
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"maintenance": out})
}
