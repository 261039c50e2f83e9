package api

import (
	"net/http"

	"github.com/hypercare/hypercare"
)

// escalateIncident answers POST /api/v1/incidents/{id}/escalate {"level":N}.
func (s *Server) escalateIncident(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Level int `json:"level"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Level < 0 {
		s.writeError(w, r, hypercare.InvalidFields("invalid escalation", hypercare.FieldError{Field: "level", Message: "must be ≥ 1, or 0 or omitted for the next level"}))
		return
	}
	inc, err := s.incidents.Lookup(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, _ := hypercare.PrincipalFrom(r.Context())
	st, err := s.escalation.Escalate(r.Context(), inc, req.Level, p.Actor())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"escalation": st})
}

// reassign answers POST /api/v1/incidents/{id}/reassign {"user":"id"}.
func (s *Server) reassign(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User string `json:"user"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	inc, err := s.incidents.Lookup(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, _ := hypercare.PrincipalFrom(r.Context())
	if err := s.escalation.Reassign(r.Context(), inc, req.User, p.Actor()); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"incident": s.incidentAnswer(r, inc), "reassigned_to": req.User})
}
