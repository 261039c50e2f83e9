package api_test

import (
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/oncall"
	"github.com/hypercare/hypercare/storetest"
)

// GET /api/v1/users?can_respond_to=N lists only the users incident N can
// be reassigned to (responders and admins a page for its urgency
// reaches), so a client's Reassign list never offers a refusal; a viewer
// is refused as a reassignment target, naming user, as an unreachable
// user is.
func TestUsersWhoCanRespondToAnIncident(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newPager(t, eng)
		d := p.esc.Directory()
		hook := func(id string) []hypercare.ContactMethod {
			return []hypercare.ContactMethod{{ID: id + "-hook", Type: hypercare.ContactWebhook, Address: "https://hooks.example.com/" + id}}
		}
		users := []hypercare.User{
			{ID: "val", Name: "Val", Role: hypercare.RoleViewer, ContactMethods: hook("val"),
				NotificationRules: []hypercare.NotificationRule{{ContactMethod: "val-hook"}}},
			{ID: "lou", Name: "Lou", Role: hypercare.RoleResponder, ContactMethods: hook("lou"),
				NotificationRules: []hypercare.NotificationRule{{ContactMethod: "lou-hook", Urgency: hypercare.UrgencyLow}}},
		}
		for _, u := range d.Users {
			users = append(users, u)
		}
		p.esc.SetDirectory(escalate.NewDirectory(users, []*oncall.Schedule{d.Schedules["primary"]},
			[]hypercare.EscalationPolicy{d.Policies["web"]}, []hypercare.Service{{ID: "checkout", EscalationPolicy: "web"}}, nil))
		p.send(trigger(keyCheckout, "disk", "disk full")) // critical: high urgency

		var list struct{ Users []struct{ ID string } }
		if code := p.do("GET", "/api/v1/users?can_respond_to=1", p.viewer, nil, &list); code != 200 {
			t.Fatalf("users?can_respond_to=1: %d", code)
		}
		var ids []string
		for _, u := range list.Users {
			ids = append(ids, u.ID)
		}
		if got := strings.Join(ids, ","); got != "alice,bob,carol" {
			t.Errorf("users who can respond to #1: %s, want alice,bob,carol (not the viewer val, nor lou, paged at low urgency only)", got)
		}
		if code := p.do("GET", "/api/v1/users", p.viewer, nil, &list); code != 200 || len(list.Users) != 5 {
			t.Errorf("users without a filter: %d, %d users, want every one of 5", code, len(list.Users))
		}
		for _, c := range []struct {
			query string
			code  int
		}{{"can_respond_to=99", 404}, {"can_respond_to=%FF", 400}} {
			if code := p.do("GET", "/api/v1/users?"+c.query, p.viewer, nil, nil); code != c.code {
				t.Errorf("users?%s: %d, want %d", c.query, code, c.code)
			}
		}
		var refused struct {
			Error struct{ Details []hypercare.FieldError }
		}
		code := p.do("POST", "/api/v1/incidents/1/reassign", p.responder, map[string]string{"user": "val"}, &refused)
		if code != 400 || len(refused.Error.Details) != 1 || refused.Error.Details[0].Field != "user" {
			t.Errorf("reassign to the viewer val: %d %+v, want 400 naming user", code, refused.Error)
		}
	})
}
