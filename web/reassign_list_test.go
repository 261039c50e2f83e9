package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/oncall"
	"github.com/hypercare/hypercare/storetest"
	"github.com/hypercare/hypercare/web"
)

// reassignDirectory is the harness directory with three more users: val,
// a viewer with a working contact method (a viewer cannot act on an
// incident), lou, a responder paged only at low urgency, and rex, a
// responder paged at any urgency.
func reassignDirectory() *escalate.Directory {
	d := directory()
	hook := func(id string) []hypercare.ContactMethod {
		return []hypercare.ContactMethod{{ID: id + "-hook", Type: hypercare.ContactWebhook, Address: "https://hooks.example.com/" + id}}
	}
	users := []hypercare.User{
		{ID: "val", Name: "Val Viewer", Role: hypercare.RoleViewer, ContactMethods: hook("val"),
			NotificationRules: []hypercare.NotificationRule{{ContactMethod: "val-hook"}}},
		{ID: "lou", Name: "Lou Low", Role: hypercare.RoleResponder, ContactMethods: hook("lou"),
			NotificationRules: []hypercare.NotificationRule{{ContactMethod: "lou-hook", Urgency: hypercare.UrgencyLow}}},
		{ID: "rex", Name: "Rex Responder", Role: hypercare.RoleResponder, ContactMethods: hook("rex"),
			NotificationRules: []hypercare.NotificationRule{{ContactMethod: "rex-hook"}}},
	}
	for _, u := range d.Users {
		users = append(users, u)
	}
	var policies []hypercare.EscalationPolicy
	for _, p := range d.Policies {
		policies = append(policies, p)
	}
	var schedules []*oncall.Schedule
	for _, s := range d.Schedules {
		schedules = append(schedules, s)
	}
	return escalate.NewDirectory(users, schedules, policies,
		[]hypercare.Service{{ID: "checkout", Name: "Checkout", Active: true, EscalationPolicy: "web"}}, nil)
}

// The incident page's Reassign list offers only users the reassignment
// would page and who can act on the incident: responders and admins with
// a notification rule for the incident's urgency. It offered every user,
// viewers and users no page reaches included, and choosing one of those
// was refused. The one offered is accepted.
func TestBrowserReassignListOffersOnlyUsersWhoCanRespond(t *testing.T) {
	exe := chromiumPath(t)
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		var esc *escalate.Engine
		h := startHarnessWith(t, e.Open(t), func(o *web.Options) { esc = o.Escalation })
		esc.SetDirectory(reassignDirectory())
		h.trigger("re-1", "Checkout 5xx above 2%", "") // critical: high urgency
		ctx := newBrowser(t, exe)
		signIn(t, ctx, h.URL, "rita")
		run(t, ctx, "open the incident", chromedp.Navigate(h.URL+"/incidents/1"),
			chromedp.WaitVisible(chromedp.Search(`//button[normalize-space()="Reassign"]`)))
		got := eval[string](t, ctx, `[...document.querySelectorAll("#re-user option")].filter(o => o.value).map(o => o.value).join(",")`)
		if got != "ada,rex" {
			t.Fatalf("Reassign offers %q, want ada,rex (viewers, and users without a rule for high urgency, cannot respond)", got)
		}
		run(t, ctx, "reassign to rex",
			chromedp.SetValue(chromedp.ID("re-user"), "rex"),
			chromedp.Click(chromedp.Search(`//button[normalize-space()="Reassign"]`)),
			chromedp.WaitVisible(chromedp.Search(`//p[normalize-space()="Reassigned."]`)),
			waitText("#timeline", "Paging Rex Responder"))
	})
}
