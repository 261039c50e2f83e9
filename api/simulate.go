package api

import (
	"net/http"

	"github.com/hypercare/hypercare"
)

// simulate answers GET /api/v1/simulate?service=&at=&urgency=: who would be
// paged, and when, if an incident opened on the service at that time and
// nobody acknowledged, flagging pages this binary could not deliver.
func (s *Server) simulate(w http.ResponseWriter, r *http.Request) {
	at, err := s.timeParam(r, "at", s.clock.Now())
	if err == nil {
		err = textParams(r, "service", "urgency")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	svc := r.URL.Query().Get("service")
	if svc == "" {
		s.writeError(w, r, hypercare.InvalidFields("invalid query", hypercare.FieldError{Field: "service", Message: "is required"}))
		return
	}
	urgency := hypercare.Urgency(r.URL.Query().Get("urgency"))
	if urgency == "" {
		urgency = hypercare.UrgencyHigh
	}
	if urgency != hypercare.UrgencyHigh && urgency != hypercare.UrgencyLow {
		s.writeError(w, r, hypercare.InvalidFields("invalid query", hypercare.FieldError{Field: "urgency", Message: "must be high or low"}))
		return
	}
	// A misspelt service is "no service", not "has no policy".
	if _, err := s.store.GetService(r.Context(), svc); err != nil {
		if hypercare.IsNotFound(err) {
			err = hypercare.Errorf(hypercare.CodeNotFound, "no service %q", svc)
		}
		s.writeError(w, r, err)
		return
	}
	sim, err := s.escalation.Simulate(r.Context(), svc, at, urgency)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"simulation": sim})
}
