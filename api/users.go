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

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	dir := s.directory()
	proved := s.verifiedInStore(r.Context())
	out := []UserView{}
	for _, id := range sortedKeys(dir.Users) {
		u := dir.Users[id]
		v := UserView{ID: u.ID, Name: u.Name, Email: u.Email, TimeZone: u.TimeZone, Role: u.Role,
			Teams: nonNil(u.Teams), ContactMethods: []ContactMethodView{}, NotificationRules: nonNil(u.NotificationRules)}
		for _, cm := range u.ContactMethods {
			v.ContactMethods = append(v.ContactMethods, ContactMethodView{ID: cm.ID, Type: cm.Type, Verified: cm.Verified || proved[[2]string{u.ID, cm.ID}] == addressHash(cm)})
		}
		out = append(out, v)
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"users": out})
}
