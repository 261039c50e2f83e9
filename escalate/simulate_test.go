package escalate_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/webhook"
)

// The dry run flags each page the channels could not deliver (no channel
// for the type, an address that can never work) and names users whom no
// page would reach.
func TestSimulateFlagsUndeliverable(t *testing.T) {
	erin := hypercare.User{ID: "erin", Name: "Erin", ContactMethods: []hypercare.ContactMethod{
		{ID: "erin-hook", Type: hypercare.ContactWebhook, Address: "ftp://hooks.example.com/erin"}},
		NotificationRules: []hypercare.NotificationRule{{ContactMethod: "erin-hook"}}}
	frank := hypercare.User{ID: "frank", Name: "Frank"} // no rules at all
	policy := hypercare.EscalationPolicy{ID: "web", Levels: []hypercare.EscalationLevel{{Targets: []hypercare.Target{
		{User: "alice"}, {User: "erin"}, {User: "frank"}}, EscalateAfter: 5 * time.Minute}}}
	d := directory(policy)
	dir := escalate.NewDirectory(append([]hypercare.User{erin, frank}, d.Users["alice"]), nil,
		[]hypercare.EscalationPolicy{policy}, []hypercare.Service{{ID: "shop", EscalationPolicy: "web"}}, nil)
	channels := notify.NewRegistry()
	channels.Register(hypercare.ContactWebhook, webhook.New(nil))
	sim, err := dir.Simulate("shop", t0, hypercare.UrgencyHigh, channels.Check)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range sim.Pages {
		got[p.ContactMethod] = p.Undeliverable
	}
	want := map[string]string{
		"alice-hook": "",
		"alice-sms":  `no channel for contact type "sms" in this version`,
		"erin-hook":  `invalid webhook address: address scheme "ftp" is not allowed; use http or https`,
	}
	for cm, w := range want {
		if got[cm] != w {
			t.Errorf("%s undeliverable = %q, want %q", cm, got[cm], w)
		}
	}
	gaps := strings.Join(sim.Gaps, "\n")
	for _, w := range []string{"none of the pages to Erin (erin) can be delivered", "Frank (frank) has no notification rule for high-urgency incidents"} {
		if !strings.Contains(gaps, w) {
			t.Errorf("gaps lack %q:\n%s", w, gaps)
		}
	}
	if strings.Contains(gaps, "alice") {
		t.Errorf("alice is reachable by webhook, yet in the gaps:\n%s", gaps)
	}
}
