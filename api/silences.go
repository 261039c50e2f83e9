package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/hold"
	"github.com/hypercare/hypercare/incident"
)

// Limits of a silence: like Alertmanager's, it must say why (comment) and
// be bounded; a year is beyond any planned silence, so longer is a typo.
const (
	maxSilenceLength   = 366 * 24 * time.Hour
	maxSilenceComment  = 1000
	maxSilenceCreator  = 200
	maxSilenceMatchers = 32
	maxSilencesListed  = 1000
)

// SilenceView is a silence as the API shows it, with its state now.
type SilenceView struct {
	ID        string     `json:"id"`
	Matchers  []string   `json:"matchers"`
	Services  []string   `json:"services"`
	StartsAt  time.Time  `json:"starts_at"`
	EndsAt    time.Time  `json:"ends_at"`
	Comment   string     `json:"comment"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiredAt *time.Time `json:"expired_at"`
	// State is pending, active or expired.
	State string `json:"state"`
}

func (s *Server) silenceView(sl hypercare.Silence) SilenceView {
	return SilenceView{ID: sl.ID, Matchers: nonNil(sl.Matchers), Services: nonNil(sl.Services),
		StartsAt: sl.StartsAt, EndsAt: sl.EndsAt, Comment: sl.Comment, CreatedBy: sl.CreatedBy,
		CreatedAt: sl.CreatedAt, ExpiredAt: sl.ExpiredAt, State: sl.State(s.clock.Now())}
}

// silenceRequest is the body of POST /api/v1/silences. Times are strings
// so a malformed one is refused naming its field.
type silenceRequest struct {
	Matchers  []string `json:"matchers"`
	Services  []string `json:"services"`
	StartsAt  string   `json:"starts_at"`
	EndsAt    string   `json:"ends_at"`
	Comment   string   `json:"comment"`
	CreatedBy string   `json:"created_by"`
}

// createSilence answers POST /api/v1/silences: 201 with the new silence.
// Alerts it covers that open incidents while it is active page nobody
// until it ends (or is expired), then page if still open.
func (s *Server) createSilence(w http.ResponseWriter, r *http.Request) {
	var req silenceRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.clock.Now()
	sl, err := s.checkSilence(r, &req, now)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.store.Write(r.Context(), "silences", func(tx hypercare.Tx) error {
		return tx.InsertSilence(r.Context(), sl)
	}); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, map[string]any{"silence": s.silenceView(*sl)})
}

// checkSilence validates a request, naming every bad field at once.
func (s *Server) checkSilence(r *http.Request, req *silenceRequest, now time.Time) (*hypercare.Silence, error) {
	var bad []hypercare.FieldError
	add := func(field, format string, args ...any) {
		bad = append(bad, hypercare.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if len(req.Matchers) == 0 && len(req.Services) == 0 {
		add("matchers", "give matchers or services (or both): a silence of everything would hide every alert")
	}
	if len(req.Matchers) > maxSilenceMatchers {
		add("matchers", "at most %d matchers", maxSilenceMatchers)
	}
	for i, m := range req.Matchers {
		if _, err := correlate.ParseMatcher(m); err != nil {
			add(fmt.Sprintf("matchers[%d]", i), "%v", err)
		}
	}
	s.checkSilenceServices(r, req.Services, add)
	starts, ends := now, time.Time{}
	if req.StartsAt != "" {
		if t, err := time.Parse(time.RFC3339, req.StartsAt); err != nil {
			add("starts_at", "must be an RFC 3339 time, e.g. 2026-11-29T02:00:00Z")
		} else {
			starts = t.UTC()
		}
	}
	switch t, err := time.Parse(time.RFC3339, req.EndsAt); {
	case req.EndsAt == "":
		add("ends_at", "is required")
	case err != nil:
		add("ends_at", "must be an RFC 3339 time, e.g. 2026-11-29T04:00:00Z")
	case !t.After(starts) || !t.After(now):
		add("ends_at", "must be after starts_at and in the future")
	case t.Sub(starts) > maxSilenceLength:
		add("ends_at", "a silence may last at most 366 days")
	default:
		ends = t.UTC()
	}
	if starts.Before(now) {
		starts = now
	}
	if strings.TrimSpace(req.Comment) == "" {
		add("comment", "is required: say why alerts are silenced")
	} else if utf8.RuneCountInString(req.Comment) > maxSilenceComment {
		add("comment", "at most %d characters", maxSilenceComment)
	}
	if utf8.RuneCountInString(req.CreatedBy) > maxSilenceCreator {
		add("created_by", "at most %d characters", maxSilenceCreator)
	}
	if len(bad) > 0 {
		return nil, hypercare.InvalidFields("invalid silence", bad...)
	}
	by := req.CreatedBy
	if by == "" {
		p, _ := hypercare.PrincipalFrom(r.Context())
		by = p.Name
	}
	return &hypercare.Silence{ID: hypercare.NewID(now), Matchers: req.Matchers, Services: req.Services,
		StartsAt: starts, EndsAt: ends, Comment: req.Comment, CreatedBy: by, CreatedAt: now}, nil
}

// checkSilenceServices requires every listed service to exist, once.
func (s *Server) checkSilenceServices(r *http.Request, ids []string, add func(field, format string, args ...any)) {
	if len(ids) == 0 {
		return
	}
	all, err := s.store.ListServices(r.Context())
	if err != nil {
		add("services", "cannot be checked now")
		return
	}
	known := map[string]bool{}
	for _, sv := range all {
		known[sv.ID] = true
	}
	seen := map[string]bool{}
	for i, id := range ids {
		switch {
		case !known[id]:
			add(fmt.Sprintf("services[%d]", i), "no service %q", id)
		case seen[id]:
			add(fmt.Sprintf("services[%d]", i), "service %q is listed twice", id)
		}
		seen[id] = true
	}
}

// listSilences answers GET /api/v1/silences?state=&limit=&cursor=: one
// page, newest first, with next_cursor ("" after the last page), as
// GET /api/v1/incidents pages. Without limit a page holds
// maxSilencesListed, as every answer did before there were pages, so a
// client that does not page still gets what it always got (and a cursor
// to the rest).
func (s *Server) listSilences(w http.ResponseWriter, r *http.Request) {
	page, err := pageOfUpTo(r, maxSilencesListed, maxSilencesListed)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	state := r.URL.Query().Get("state")
	switch state {
	case "", "pending", "active", "expired":
	default:
		s.writeError(w, r, hypercare.InvalidFields("invalid query",
			hypercare.FieldError{Field: "state", Message: "must be pending, active or expired"}))
		return
	}
	now := s.clock.Now()
	list, next, err := s.store.ListSilences(r.Context(), hypercare.SilenceFilter{State: state, At: now, Page: page})
	out := make([]SilenceView, 0, len(list))
	for _, sl := range list {
		v := s.silenceView(sl)
		v.State = sl.State(now) // the state the filter chose by
		out = append(out, v)
	}
	respondPage(s, w, r, "silences", out, next, err)
}

// getSilence answers GET /api/v1/silences/{id}.
func (s *Server) getSilence(w http.ResponseWriter, r *http.Request) {
	sl, err := s.store.GetSilence(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"silence": s.silenceView(*sl)})
}

// expireSilence answers DELETE /api/v1/silences/{id}: the silence ends
// now, and in the same transaction every still-open incident it held
// is released, its first page due at once, unless a maintenance window or
// another silence still covers it (then it stays held until that one
// ends). Expiring an expired silence changes nothing.
func (s *Server) expireSilence(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	now := s.clock.Now()
	var sl *hypercare.Silence
	released, held := 0, 0
	p, _ := hypercare.PrincipalFrom(r.Context())
	// The windows read below must be the ones in force at the commit: a
	// reload that removes one waits (see intake.Intake.Enter).
	leave := func() {}
	if s.intake != nil {
		leave = s.intake.Enter()
	}
	err := s.store.Write(r.Context(), "silences", func(tx hypercare.Tx) error {
		var err error
		if sl, err = tx.ExpireSilence(r.Context(), id, now); err != nil {
			return err
		}
		ref := (&correlate.Suppressor{Kind: correlate.SuppressSilence, ID: id}).Ref()
		windows := s.maintenanceWindows()
		chained, err := hold.ChainEnds(r.Context(), tx, windows, now)
		if err != nil {
			return err
		}
		released, held, err = incident.ReleaseSuppressed(r.Context(), tx, ref,
			fmt.Sprintf("Silence %s expired early by %s", id, p.Name), hold.New(windows), now, chained...)
		return err
	})
	leave()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if released > 0 {
		s.escalation.Wake()
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"silence": s.silenceView(*sl), "released_incidents": released,
		"still_held_incidents": held})
}
