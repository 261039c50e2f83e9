package api

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hypercare/hypercare"
)

// maxPageLimit caps ?limit= so one request cannot ask for the world.
const maxPageLimit = 100

// textParams checks that the query parameters names are text a filter
// can hold: valid UTF-8 without NUL bytes. The store refuses such text
// too, but names its own column (service_id), which the client never
// sent; this names the parameter (service), every bad one at once.
func textParams(r *http.Request, names ...string) error {
	var bad []hypercare.FieldError
	q := r.URL.Query()
	for _, name := range names {
		for _, v := range q[name] {
			msg := ""
			switch {
			case strings.IndexByte(v, 0) >= 0:
				msg = "contains a NUL byte"
			case !utf8.ValidString(v):
				msg = "is not valid UTF-8"
			}
			if msg != "" {
				bad = append(bad, hypercare.FieldError{Field: name, Message: msg})
				break
			}
		}
	}
	if len(bad) > 0 {
		return hypercare.InvalidFields("invalid query", bad...)
	}
	return nil
}

// pageOf parses ?limit= and ?cursor=.
func pageOf(r *http.Request) (hypercare.Page, error) {
	return pageOfUpTo(r, 25, maxPageLimit)
}

// pageOfUpTo is pageOf with a listing's own default and largest limit:
// GET /api/v1/silences answered up to 1,000 before it had pages, and
// still does by default.
func pageOfUpTo(r *http.Request, def, most int) (hypercare.Page, error) {
	if err := textParams(r, "cursor"); err != nil {
		return hypercare.Page{}, err
	}
	p := hypercare.Page{Limit: def, Cursor: r.URL.Query().Get("cursor")}
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > most {
			return p, hypercare.InvalidFields("invalid query", hypercare.FieldError{
				Field: "limit", Message: "must be an integer from 1 to " + strconv.Itoa(most)})
		}
		p.Limit = n
	}
	return p, nil
}

// statusesOf parses ?status=a,b (repeated parameters work too).
func statusesOf(r *http.Request) ([]hypercare.Status, error) {
	var out []hypercare.Status
	for _, v := range r.URL.Query()["status"] {
		for _, s := range strings.Split(v, ",") {
			st := hypercare.Status(strings.TrimSpace(s))
			if st == "" {
				continue
			}
			if !st.Valid() {
				return nil, hypercare.InvalidFields("invalid query", hypercare.FieldError{
					Field: "status", Message: "must be triggered, acknowledged or resolved (comma-separated)"})
			}
			out = append(out, st)
		}
	}
	return out, nil
}

// listQuery parses the paging and status filter every listing takes, and
// checks its text filters (textParams).
func listQuery(r *http.Request, filters ...string) (hypercare.Page, []hypercare.Status, error) {
	page, err := pageOf(r)
	if err == nil {
		err = textParams(r, filters...)
	}
	if err != nil {
		return page, nil, err
	}
	statuses, err := statusesOf(r)
	return page, statuses, err
}

func (s *Server) listIncidents(w http.ResponseWriter, r *http.Request) {
	page, statuses, err := listQuery(r, "service")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, next, err := s.store.ListIncidents(r.Context(), hypercare.IncidentFilter{
		Statuses: statuses, ServiceID: r.URL.Query().Get("service"), Page: page})
	if err == nil {
		err = s.withFeedback(r.Context(), list)
	}
	respondPage(s, w, r, "incidents", list, next, err)
}

func (s *Server) getIncident(w http.ResponseWriter, r *http.Request) {
	inc, err := s.incidents.Lookup(r.Context(), r.PathValue("id"))
	var one []hypercare.Incident
	if err == nil {
		one = []hypercare.Incident{*inc}
		err = s.withFeedback(r.Context(), one)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"incident": one[0]})
}

func (s *Server) incidentAlerts(w http.ResponseWriter, r *http.Request) {
	inc, err := s.incidents.Lookup(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := pageOf(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, next, err := s.store.ListAlerts(r.Context(), hypercare.AlertFilter{IncidentID: inc.ID, Page: page})
	respondPage(s, w, r, "alerts", list, next, err)
}

func (s *Server) incidentTimeline(w http.ResponseWriter, r *http.Request) {
	inc, err := s.incidents.Lookup(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := pageOf(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, next, err := s.store.ListTimeline(r.Context(), inc.ID, page)
	redactTimeline(r, list)
	respondPage(s, w, r, "timeline", list, next, err)
}

func (s *Server) acknowledge(w http.ResponseWriter, r *http.Request) {
	s.transition(w, r, s.incidents.Acknowledge)
}

func (s *Server) resolve(w http.ResponseWriter, r *http.Request) {
	s.transition(w, r, s.incidents.Resolve)
}

// transition runs an incident action as the calling principal.
func (s *Server) transition(w http.ResponseWriter, r *http.Request,
	act func(ctx contextT, ref string, actor hypercare.Actor) (*hypercare.Incident, error)) {
	var empty struct{}
	if err := decodeJSON(w, r, &empty); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, _ := hypercare.PrincipalFrom(r.Context())
	inc, err := act(r.Context(), r.PathValue("id"), p.Actor())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"incident": s.incidentAnswer(r, inc)})
}

func (s *Server) addNote(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Message string `json:"message"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, _ := hypercare.PrincipalFrom(r.Context())
	entry, err := s.incidents.AddNote(r.Context(), r.PathValue("id"), p.Actor(), req.Message)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, map[string]any{"timeline_entry": entry})
}

func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request) {
	page, statuses, err := listQuery(r, "service", "incident", "dedup_key")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	list, next, err := s.store.ListAlerts(r.Context(), hypercare.AlertFilter{
		ServiceID: q.Get("service"), IncidentID: q.Get("incident"), DedupKey: q.Get("dedup_key"),
		Statuses: statuses, Page: page})
	respondPage(s, w, r, "alerts", list, next, err)
}

func (s *Server) listServices(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.ListServices(r.Context())
	respondList(s, w, r, "services", list, err)
}

func (s *Server) getService(w http.ResponseWriter, r *http.Request) {
	svc, err := s.store.GetService(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"service": svc})
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.ListTeams(r.Context())
	respondList(s, w, r, "teams", list, err)
}

func (s *Server) listChanges(w http.ResponseWriter, r *http.Request) {
	page, err := pageOf(r)
	if err == nil {
		err = textParams(r, "service")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, next, err := s.store.ListChangeEvents(r.Context(), hypercare.ChangeFilter{ServiceID: r.URL.Query().Get("service"), Page: page})
	encodableChanges(list)
	respondPage(s, w, r, "change_events", list, next, err)
}

// encodableChanges gives change events whose time no answer can encode (a
// year outside 0001–9999 in UTC, stored before ingest checked the range)
// the time they were received, so one old row cannot break the listing.
func encodableChanges(list []hypercare.ChangeEvent) {
	for i := range list {
		if y := list[i].Timestamp.UTC().Year(); y < 1 || y > 9999 {
			list[i].Timestamp = list[i].ReceivedAt
		}
	}
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) {
	page, err := pageOf(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, next, err := s.store.ListEvents(r.Context(), page)
	respondPage(s, w, r, "events", list, next, err)
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.ListTokens(r.Context())
	respondList(s, w, r, "tokens", list, err)
}

// createToken makes a new API token; the secret is in this response only.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string         `json:"name"`
		Role hypercare.Role `json:"role"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	tok, secret, err := CreateToken(r.Context(), s.store, s.clock, req.Name, req.Role)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, map[string]any{"token": tok, "secret": secret})
}

// revokeToken answers DELETE /api/v1/tokens/{id} with the token revoked:
// a leaked token is refused (401) from then on. Feeds it created keep
// working until they are revoked themselves.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	list, err := s.store.ListTokens(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var tok *hypercare.Token
	for i := range list {
		if list[i].ID == id {
			tok = &list[i]
		}
	}
	if tok == nil {
		s.writeError(w, r, hypercare.Errorf(hypercare.CodeNotFound, "token %q not found", id))
		return
	}
	err = s.store.Write(r.Context(), id, func(tx hypercare.Tx) error { return tx.DeleteToken(r.Context(), id) })
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"token": tok})
}

// nonNil makes empty lists encode as [] rather than null.
func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// mergeIncidents merges the listed incidents into the one in the path.
func (s *Server) mergeIncidents(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Incidents []string `json:"incidents"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, _ := hypercare.PrincipalFrom(r.Context())
	inc, err := s.incidents.Merge(r.Context(), r.PathValue("id"), req.Incidents, p.Actor())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"incident": s.incidentAnswer(r, inc)})
}

// splitIncident moves the listed alerts into a new incident.
func (s *Server) splitIncident(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Alerts []string `json:"alerts"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, _ := hypercare.PrincipalFrom(r.Context())
	inc, err := s.incidents.Split(r.Context(), r.PathValue("id"), req.Alerts, p.Actor())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, map[string]any{"incident": inc})
}
