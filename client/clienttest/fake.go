// Package clienttest is an in-memory fake of Hypercare's incidents REST API
// (DESIGN.md §5). Tests of API clients (package client, the CLI) run against
// it without a server or database, and the wire contract they code to is
// written down in one place.
package clienttest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hypercare/hypercare"
)

// API is the fake server; serve it with httptest.NewServer. Its exported
// fields may be changed before the first request, and read after the last.
type API struct {
	// Token is the only bearer token accepted.
	Token string
	// PageSize is the listing page size when a request gives no limit.
	PageSize int
	// Now stamps acknowledgements, resolutions and notes.
	Now       time.Time
	Incidents []hypercare.Incident // in listing order
	Alerts    map[string][]hypercare.Alert
	Timeline  map[string][]hypercare.TimelineEntry
	// Requests logs each request as "METHOD /path?query".
	Requests []string

	mu  sync.Mutex
	mux *http.ServeMux
}

// New returns a fake holding Fixture data that accepts token and pages
// listings two at a time, so paging is exercised with little data.
func New(token string) *API {
	a := &API{Token: token, PageSize: 2, Now: FixtureNow()}
	a.Incidents, a.Alerts, a.Timeline = Fixture()
	a.mux = http.NewServeMux()
	a.mux.HandleFunc("GET /api/v1/incidents", a.list)
	a.mux.HandleFunc("GET /api/v1/incidents/{id}", a.get)
	a.mux.HandleFunc("GET /api/v1/incidents/{id}/alerts", a.alerts)
	a.mux.HandleFunc("GET /api/v1/incidents/{id}/timeline", a.timeline)
	a.mux.HandleFunc("POST /api/v1/incidents/{id}/acknowledge", a.transition(hypercare.StatusAcknowledged))
	a.mux.HandleFunc("POST /api/v1/incidents/{id}/resolve", a.transition(hypercare.StatusResolved))
	a.mux.HandleFunc("POST /api/v1/incidents/{id}/notes", a.note)
	return a
}

// ServeHTTP authenticates and serves one request, one at a time.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.Requests = append(a.Requests, r.Method+" "+r.URL.RequestURI())
	if r.Header.Get("Authorization") != "Bearer "+a.Token {
		writeError(w, http.StatusUnauthorized, hypercare.Errorf(hypercare.CodeUnauthenticated, "missing or invalid API token"))
		return
	}
	a.mux.ServeHTTP(w, r)
}

// RequestLog returns a copy of the request log, safe while serving.
func (a *API) RequestLog() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.Requests)
}

// TimelineOf returns a copy of incident id's timeline, safe while serving.
func (a *API) TimelineOf(id string) []hypercare.TimelineEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.Timeline[id])
}

func (a *API) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset := a.PageSize, 0
	var bad []hypercare.FieldError
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			bad = append(bad, hypercare.FieldError{Field: "limit", Message: "must be between 1 and 100"})
		}
		limit = n
	}
	if s := q.Get("cursor"); s != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(s, "o"))
		if err != nil || !strings.HasPrefix(s, "o") {
			bad = append(bad, hypercare.FieldError{Field: "cursor", Message: "is not a cursor from this server"})
		}
		offset = n
	}
	var statuses []hypercare.Status
	if s := q.Get("status"); s != "" {
		for _, part := range strings.Split(s, ",") {
			if st := hypercare.Status(part); st.Valid() {
				statuses = append(statuses, st)
			} else {
				bad = append(bad, hypercare.FieldError{Field: "status", Message: fmt.Sprintf("unknown status %q", part)})
			}
		}
	}
	if len(bad) > 0 {
		writeError(w, http.StatusBadRequest, hypercare.InvalidFields("invalid query", bad...))
		return
	}
	var match []hypercare.Incident
	for _, inc := range a.Incidents {
		if (len(statuses) == 0 || slices.Contains(statuses, inc.Status)) && (q.Get("service") == "" || q.Get("service") == inc.ServiceID) {
			match = append(match, inc)
		}
	}
	page, next := paginate(match, offset, limit)
	writeJSON(w, http.StatusOK, map[string]any{"incidents": page, "next_cursor": next})
}

// paginate returns items[offset:offset+limit] and the cursor of the rest.
func paginate[T any](items []T, offset, limit int) ([]T, string) {
	offset = min(offset, len(items))
	end := min(offset+limit, len(items))
	next := ""
	if end < len(items) {
		next = "o" + strconv.Itoa(end)
	}
	return append([]T{}, items[offset:end]...), next
}

// find returns the index of the incident whose ID or number is ref.
func (a *API) find(w http.ResponseWriter, ref string) (int, bool) {
	for i, inc := range a.Incidents {
		if inc.ID == ref || strconv.FormatInt(inc.Number, 10) == ref {
			return i, true
		}
	}
	writeError(w, http.StatusNotFound, hypercare.Errorf(hypercare.CodeNotFound, "incident %s not found", ref))
	return 0, false
}

func (a *API) get(w http.ResponseWriter, r *http.Request) {
	if i, ok := a.find(w, r.PathValue("id")); ok {
		writeJSON(w, http.StatusOK, map[string]any{"incident": a.Incidents[i]})
	}
}

// subPage reads an alert or timeline page request. Pages hold at most
// PageSize items whatever the limit, as a server may return fewer items
// than asked for: clients must follow next_cursor.
func (a *API) subPage(r *http.Request) (offset, limit int) {
	offset, _ = strconv.Atoi(strings.TrimPrefix(r.URL.Query().Get("cursor"), "o"))
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit < 1 || limit > a.PageSize {
		limit = a.PageSize
	}
	return offset, limit
}

func (a *API) alerts(w http.ResponseWriter, r *http.Request) {
	if i, ok := a.find(w, r.PathValue("id")); ok {
		offset, limit := a.subPage(r)
		page, next := paginate(a.Alerts[a.Incidents[i].ID], offset, limit)
		writeJSON(w, http.StatusOK, map[string]any{"alerts": page, "next_cursor": next})
	}
}

func (a *API) timeline(w http.ResponseWriter, r *http.Request) {
	if i, ok := a.find(w, r.PathValue("id")); ok {
		offset, limit := a.subPage(r)
		page, next := paginate(a.Timeline[a.Incidents[i].ID], offset, limit)
		writeJSON(w, http.StatusOK, map[string]any{"timeline": page, "next_cursor": next})
	}
}

// transition acknowledges or resolves; acknowledging a resolved incident
// is a conflict, repeating a transition is a no-op.
func (a *API) transition(to hypercare.Status) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		i, ok := a.find(w, r.PathValue("id"))
		if !ok {
			return
		}
		inc := &a.Incidents[i]
		switch {
		case inc.Status == hypercare.StatusResolved && to == hypercare.StatusAcknowledged:
			writeError(w, http.StatusConflict, hypercare.Errorf(hypercare.CodeConflict, "incident %d is already resolved", inc.Number))
			return
		case inc.Status != to:
			now := a.Now
			inc.Status, inc.UpdatedAt = to, now
			if to == hypercare.StatusAcknowledged {
				inc.AcknowledgedAt = &now
			} else {
				inc.ResolvedAt = &now
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"incident": inc})
	}
}

func (a *API) note(w http.ResponseWriter, r *http.Request) {
	i, ok := a.find(w, r.PathValue("id"))
	if !ok {
		return
	}
	var in struct {
		Message string `json:"message"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil || strings.TrimSpace(in.Message) == "" {
		writeError(w, http.StatusBadRequest, hypercare.InvalidFields("invalid note",
			hypercare.FieldError{Field: "message", Message: "must not be empty"}))
		return
	}
	id := a.Incidents[i].ID
	e := hypercare.TimelineEntry{
		ID: fmt.Sprintf("tl-%s-%d", id, len(a.Timeline[id])+1), IncidentID: id, At: a.Now,
		Type: hypercare.TimelineNote, Actor: hypercare.Actor{Type: hypercare.ActorUser, ID: "tok-1", Name: "cli"},
		Message: in.Message,
	}
	a.Timeline[id] = append(a.Timeline[id], e)
	writeJSON(w, http.StatusCreated, map[string]any{"timeline_entry": e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, e *hypercare.Error) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": e.Code, "message": e.Message, "details": e.Details,
	}})
}
