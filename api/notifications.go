package api

import (
	"encoding/json"
	"net/http"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
)

// incidentNotifications answers GET /api/v1/incidents/{id}/notifications:
// a page of the incident's pages, oldest first (?limit=&cursor=, as every
// list of the API: an incident paged for days is not read whole). A failed page's error_detail (which can name the
// receiver's host, address and port) is shown to admins only; every role
// sees last_error, the short reason.
func (s *Server) incidentNotifications(w http.ResponseWriter, r *http.Request) {
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
	list, next, err := s.store.ListIncidentNotifications(r.Context(), inc.ID, page)
	if !isAdmin(r) {
		for i := range list {
			list[i].ErrorDetail = ""
		}
	}
	respondPage(s, w, r, "notifications", list, next, err)
}

// isAdmin reports whether the request's principal is an admin.
func isAdmin(r *http.Request) bool {
	p, ok := hypercare.PrincipalFrom(r.Context())
	return ok && p.Role == hypercare.RoleAdmin
}

// redactTimeline removes error_detail from entries' details for non-admins,
// like the notifications' own error_detail.
func redactTimeline(r *http.Request, list []hypercare.TimelineEntry) {
	if !isAdmin(r) {
		redactTimelineEntries(list)
	}
}

// redactTimelineEntries removes error_detail from entries' details (for
// anyone but an admin: the REST answer and the live stream).
func redactTimelineEntries(list []hypercare.TimelineEntry) {
	for i := range list {
		if len(list[i].Details) == 0 {
			continue
		}
		var d map[string]json.RawMessage
		if json.Unmarshal(list[i].Details, &d) != nil {
			list[i].Details = nil // not ours to show if we cannot tell
			continue
		}
		if _, ok := d[notify.TimelineErrorDetail]; !ok {
			continue
		}
		delete(d, notify.TimelineErrorDetail)
		if b, err := json.Marshal(d); err == nil {
			list[i].Details = b
		}
	}
}
