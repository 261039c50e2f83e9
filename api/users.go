package api

import (
	"net/http"

	"github.com/hypercare/hypercare"
)

// UserView is a user on the wire: contact addresses are left out, since
// phone numbers and hook URLs are personal or secret.
type UserView struct {
	ID                string                       `json:"id"`
	Name              string                       `json:"name"`
	Email             string                       `json:"email,omitempty"`
	TimeZone          string                       `json:"time_zone,omitempty"`
	Role              hypercare.Role               `json:"role"`
	Teams             []string                     `json:"teams"`
	ContactMethods    []ContactMethodView          `json:"contact_methods"`
	NotificationRules []hypercare.NotificationRule `json:"notification_rules"`
}

// ContactMethodView is a contact method without its address. Verified is
// true when the config vouches for it or a code sent to its current
// address was confirmed (POST …/verification/confirm).
type ContactMethodView struct {
	ID       string                `json:"id"`
	Type     hypercare.ContactType `json:"type"`
	Verified bool                  `json:"verified"`
}

// listUsers answers GET /api/v1/users: every user, or with
// ?can_respond_to=ID|NUMBER only those that incident can be reassigned to
// (escalate.Engine.ReassignCandidates), so a Reassign list built from it
// never offers a user the reassignment would refuse.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	dir := s.directory()
	users := make([]hypercare.User, 0, len(dir.Users))
	for _, id := range sortedKeys(dir.Users) {
		users = append(users, dir.Users[id])
	}
	if err := textParams(r, "can_respond_to"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if ref := r.URL.Query().Get("can_respond_to"); ref != "" {
		inc, err := s.incidents.Lookup(r.Context(), ref)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		users = s.escalation.ReassignCandidates(inc)
	}
	proved := s.verifiedInStore(r.Context())
	out := []UserView{}
	for _, u := range users {
		v := UserView{ID: u.ID, Name: u.Name, Email: u.Email, TimeZone: u.TimeZone, Role: u.Role,
			Teams: nonNil(u.Teams), ContactMethods: []ContactMethodView{}, NotificationRules: nonNil(u.NotificationRules)}
		for _, cm := range u.ContactMethods {
			v.ContactMethods = append(v.ContactMethods, ContactMethodView{ID: cm.ID, Type: cm.Type, Verified: cm.Verified || proved[[2]string{u.ID, cm.ID}] == addressHash(cm)})
		}
		out = append(out, v)
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"users": out})
}
