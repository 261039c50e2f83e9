package api

import (
	"context"
	"net/http"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/readiness"
)

// ConfigView is what the read endpoints show of the config in force (see
// Options.Config).
type ConfigView struct {
	Readiness   *readiness.Catalog
	Maintenance []correlate.Maintenance
}

// maintenanceWindows returns the config's maintenance windows in force.
func (s *Server) maintenanceWindows() []correlate.Maintenance {
	if s.config != nil {
		return s.config().Maintenance
	}
	return s.maintenance
}

// Reloader re-reads the server's config file and applies it (package
// reload): the result says what changed, an error says why nothing did.
type Reloader func(ctx context.Context) (any, error)

// reloadConfig answers POST /-/reload (the path Prometheus and
// Alertmanager use): 200 with what changed and what needs a restart, or
// 400 invalid_argument with one detail per file:line problem, the
// running config unchanged.
func (s *Server) reloadConfig(w http.ResponseWriter, r *http.Request) {
	var empty struct{}
	if err := decodeJSON(w, r, &empty); err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.reload == nil {
		s.writeError(w, r, hypercare.Errorf(hypercare.CodeConflict, "this server cannot reload its config"))
		return
	}
	res, err := s.reload(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, res)
}
