package api

import (
	"net/http"

	"github.com/hypercare/hypercare"
)

func (s *Server) listPolicies(w http.ResponseWriter, _ *http.Request) {
	dir := s.directory()
	out := []hypercare.EscalationPolicy{}
	for _, id := range sortedKeys(dir.Policies) {
		out = append(out, dir.Policies[id])
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"escalation_policies": out})
}
