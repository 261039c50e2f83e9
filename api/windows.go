package api

import (
	"net/http"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/readiness"
)

// WindowView is a hypercare window as the API shows it: times in the
// window's zone, durations in the units the config file uses.
type WindowView struct {
	ID                      string            `json:"id"`
	Name                    string            `json:"name"`
	TimeZone                string            `json:"time_zone"`
	Start                   time.Time         `json:"start"`
	End                     time.Time         `json:"end"`
	Services                []string          `json:"services"`
	ChangeFreeze            bool              `json:"change_freeze"`
	MaxEscalateAfterMinutes *int              `json:"max_escalate_after_minutes"`
	Urgency                 hypercare.Urgency `json:"urgency"`
	MaxShiftHours           *int              `json:"max_shift_hours"`
	SilentIntegrationDays   int               `json:"silent_integration_days"`
	// Fatigue is the fatigue guardrail with its defaults filled in; nil
	// when the window has none.
	Fatigue *FatigueView `json:"fatigue"`
}

// FatigueView is a window's fatigue guardrail in the config file's units.
type FatigueView struct {
	MaxPages      int    `json:"max_pages"`
	PerHours      int    `json:"per_hours"`
	MaxNightPages int    `json:"max_night_pages"`
	Night         string `json:"night"`
}

// windowView converts a window; Services nil (all) becomes every service
// ID, so clients need not know the default.
func windowView(w hypercare.Window, all []hypercare.Service) WindowView {
	v := WindowView{ID: w.ID, Name: w.Name, TimeZone: w.TimeZone.String(), Start: w.Start.In(w.TimeZone),
		End: w.End.In(w.TimeZone), Services: []string{}, ChangeFreeze: w.ChangeFreeze, Urgency: w.Urgency,
		SilentIntegrationDays: int(w.SilentAfter / (24 * time.Hour))}
	for _, s := range all {
		if w.InScope(s.ID) {
			v.Services = append(v.Services, s.ID)
		}
	}
	if w.MaxEscalateAfter > 0 {
		m := int(w.MaxEscalateAfter / time.Minute)
		v.MaxEscalateAfterMinutes = &m
	}
	if w.MaxShift > 0 {
		h := int(w.MaxShift / time.Hour)
		v.MaxShiftHours = &h
	}
	if f := w.Fatigue; f != nil {
		v.Fatigue = &FatigueView{MaxPages: f.MaxPages, PerHours: int(f.Per / time.Hour),
			MaxNightPages: f.MaxNightPages, Night: f.NightSpan()}
	}
	return v
}

// readinessCatalog returns the catalog readiness reads; an empty one when
// the server has no config.
func (s *Server) readinessCatalog() *readiness.Catalog {
	if s.config != nil {
		return s.config().Readiness
	}
	if s.readiness == nil {
		return &readiness.Catalog{Directory: s.directory()}
	}
	return s.readiness
}

// listWindows answers GET /api/v1/windows: the config's hypercare windows.
func (s *Server) listWindows(w http.ResponseWriter, _ *http.Request) {
	c := s.readinessCatalog()
	out := []WindowView{}
	for _, win := range c.Windows {
		out = append(out, windowView(win, c.Services))
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"windows": out})
}

// windowReadiness answers GET /api/v1/windows/{id}/readiness?at=: the
// readiness report of the window as of at (default now). It always
// answers 200 with ready true or false; a client turns that into an exit
// code. Contact methods verified through the API (the database) count as
// verified, as in GET /api/v1/users.
func (s *Server) windowReadiness(w http.ResponseWriter, r *http.Request) {
	c := s.readinessCatalog()
	win, ok := c.Window(r.PathValue("id"))
	if !ok {
		s.writeError(w, r, hypercare.Errorf(hypercare.CodeNotFound, "hypercare window %q not found", r.PathValue("id")))
		return
	}
	at, err := s.timeParam(r, "at", s.clock.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	proved := s.verifiedInStore(r.Context())
	c = c.WithVerified(func(userID string, cm hypercare.ContactMethod) bool {
		return proved[[2]string{userID, cm.ID}] == addressHash(cm)
	})
	last, err := s.store.LastEventAt(r.Context(), c.IntegrationIDs(win))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, c.Evaluate(win, at, last))
}
