package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/report"
)

// Noise feedback, the noise report and hypercare window summaries (issue 8
// item 6, issue 10 item 4): responders judge incidents, and the reports
// count what the monitors sent, what paged whom and what people thought
// of it, over a period or a window.

// Report limits: the default period of the noise report, the longest one
// it takes, and how many freeze changes a window summary lists.
const (
	DefaultNoisePeriod = 7 * 24 * time.Hour
	MaxReportPeriod    = 400 * 24 * time.Hour
	maxFreezeChanges   = 500
)

// reportStore is the store's feedback and report reads (store.Store has
// them).
type reportStore interface {
	IncidentFeedback(ctx context.Context, ids []string) (map[string]hypercare.Feedback, error)
	EventCounts(ctx context.Context, from, to time.Time, serviceID string) ([]hypercare.EventCount, error)
	AlertCounts(ctx context.Context, from, to time.Time, serviceID string) ([]hypercare.AlertCount, error)
	IncidentStats(ctx context.Context, from, to time.Time, serviceID string) ([]hypercare.IncidentStat, error)
	PageStats(ctx context.Context, from, to time.Time, serviceID string) ([]hypercare.PageStat, error)
	NoisiestKeys(ctx context.Context, from, to time.Time, serviceID string, limit int) ([]hypercare.KeyCount, error)
	FreezeChanges(ctx context.Context, window string, from, to time.Time, limit int) ([]hypercare.ChangeEvent, error)
}

// reports returns the store's report reads, or answers 503 when the store
// has none.
func (s *Server) reports(w http.ResponseWriter, r *http.Request) (reportStore, bool) {
	rs, ok := s.store.(reportStore)
	if !ok {
		s.writeError(w, r, hypercare.Errorf(hypercare.CodeUnavailable, "this store keeps no reports"))
	}
	return rs, ok
}

// withFeedback fills in the verdicts of incs (the API's incident JSON has
// them as "feedback"); a store without feedback leaves them empty.
func (s *Server) withFeedback(ctx context.Context, incs []hypercare.Incident) error {
	rs, ok := s.store.(reportStore)
	if !ok || len(incs) == 0 {
		return nil
	}
	ids := make([]string, len(incs))
	for i := range incs {
		ids[i] = incs[i].ID
	}
	fb, err := rs.IncidentFeedback(ctx, ids)
	if err != nil {
		return err
	}
	for i := range incs {
		if f, ok := fb[incs[i].ID]; ok {
			incs[i].Feedback = &f
		}
	}
	return nil
}

// incidentAnswer is inc as GET /api/v1/incidents/{id} shows it, its
// verdict included, for the answer to an action on it (acknowledge,
// resolve, merge, reassign), so the answer agrees with the next read. The
// action has committed, so a failed read of the verdict is logged and
// the incident answered without it, never as a failed action.
func (s *Server) incidentAnswer(r *http.Request, inc *hypercare.Incident) *hypercare.Incident {
	one := []hypercare.Incident{*inc}
	if err := s.withFeedback(r.Context(), one); err != nil {
		s.log.Warn("cannot read the feedback of an incident answered", slog.String("incident", inc.ID), slog.Any("error", err))
		return inc
	}
	return &one[0]
}

// incidentFeedback answers POST /api/v1/incidents/{id}/feedback with the
// incident as it now is.
func (s *Server) incidentFeedback(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Verdict hypercare.Verdict `json:"verdict"`
		Note    string            `json:"note"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, _ := hypercare.PrincipalFrom(r.Context())
	inc, err := s.incidents.Feedback(r.Context(), r.PathValue("id"), p.Actor(), req.Verdict, req.Note)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.metrics.feedback.WithLabelValues(string(req.Verdict)).Inc()
	s.writeJSON(w, http.StatusOK, map[string]any{"incident": inc})
}

// reportPeriod reads ?from= and ?to= (RFC 3339; default the last
// DefaultNoisePeriod up to now): from must be before to, at most
// MaxReportPeriod apart.
func (s *Server) reportPeriod(r *http.Request) (from, to time.Time, err error) {
	if to, err = s.timeParam(r, "to", s.clock.Now()); err != nil {
		return from, to, err
	}
	if from, err = s.timeParam(r, "from", to.Add(-DefaultNoisePeriod)); err != nil {
		return from, to, err
	}
	switch {
	case !from.Before(to):
		return from, to, hypercare.InvalidFields("invalid query", hypercare.FieldError{Field: "from", Message: "must be before to"})
	case to.Sub(from) > MaxReportPeriod:
		return from, to, hypercare.InvalidFields("invalid query", hypercare.FieldError{Field: "from",
			Message: fmt.Sprintf("must be at most %d days before to", int(MaxReportPeriod/(24*time.Hour)))})
	}
	return from, to, nil
}

// noiseReport answers GET /api/v1/noise?from=&to=&service=.
func (s *Server) noiseReport(w http.ResponseWriter, r *http.Request) {
	rs, ok := s.reports(w, r)
	if !ok {
		return
	}
	from, to, err := s.reportPeriod(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, svc := r.Context(), r.URL.Query().Get("service")
	if err := textParams(r, "service"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if svc != "" {
		if _, err := s.store.GetService(ctx, svc); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	in := report.NoiseInput{From: from, To: to, Service: svc}
	services, err := s.store.ListServices(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, sv := range services {
		if sv.Active {
			in.Known = append(in.Known, sv.ID)
		}
	}
	if in.Events, err = rs.EventCounts(ctx, from, to, svc); err == nil {
		if in.Alerts, err = rs.AlertCounts(ctx, from, to, svc); err == nil {
			if in.Incidents, err = rs.IncidentStats(ctx, from, to, svc); err == nil {
				in.Pages, err = rs.PageStats(ctx, from, to, svc)
			}
		}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, report.Noise(in))
}

// windowSummary answers GET /api/v1/windows/{id}/summary: what happened in
// the window so far (partial while it is open). A window that has not
// started is a 409: there is nothing to summarise yet, and an empty
// summary would read as "a quiet peak".
func (s *Server) windowSummary(w http.ResponseWriter, r *http.Request) {
	c := s.readinessCatalog()
	win, ok := c.Window(r.PathValue("id"))
	if !ok {
		s.writeError(w, r, hypercare.Errorf(hypercare.CodeNotFound, "hypercare window %q not found", r.PathValue("id")))
		return
	}
	rs, ok := s.reports(w, r)
	if !ok {
		return
	}
	now := s.clock.Now()
	from, to, started := report.Period(win, now)
	if !started {
		s.writeError(w, r, hypercare.Errorf(hypercare.CodeConflict,
			"hypercare window %q has not started: it starts at %s", win.ID, win.Start.In(win.TimeZone).Format(time.RFC3339)))
		return
	}
	dir := c.Directory
	if dir == nil {
		dir = s.directory()
	}
	in := report.WindowInput{Window: win, Now: now, Users: dir.Users}
	for _, sv := range c.Services {
		if win.InScope(sv.ID) {
			in.Services = append(in.Services, sv.ID)
		}
	}
	if err := s.readWindow(r.Context(), rs, &in, from, to); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, report.Summarise(in))
}

// readWindow reads the rows of a window summary for [from, to).
func (s *Server) readWindow(ctx context.Context, rs reportStore, in *report.WindowInput, from, to time.Time) error {
	var err error
	if in.Incidents, err = rs.IncidentStats(ctx, from, to, ""); err != nil {
		return err
	}
	if in.Pages, err = rs.PageStats(ctx, from, to, ""); err != nil {
		return err
	}
	if in.Changes, err = rs.FreezeChanges(ctx, in.Window.ID, from, to, maxFreezeChanges+1); err != nil {
		return err
	}
	if len(in.Changes) > maxFreezeChanges {
		in.Changes, in.ChangesTruncated = in.Changes[:maxFreezeChanges], true
	}
	encodableChanges(in.Changes)
	// The noisiest keys of the window's scope: one query over everything
	// when it covers all services, else one per service in scope.
	scope := []string{""}
	if in.Window.Services != nil {
		scope = in.Services
	}
	for _, svc := range scope {
		keys, err := rs.NoisiestKeys(ctx, from, to, svc, report.NoisiestLimit)
		if err != nil {
			return err
		}
		in.Keys = append(in.Keys, keys...)
	}
	return nil
}
