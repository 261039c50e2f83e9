package api_test

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/webhook"
	"github.com/hypercare/hypercare/readiness"
	"github.com/hypercare/hypercare/storetest"
)

// unverifiedConfig: alice's only method is marked verified: false and
// high-urgency pages use it, so readiness warns until it is verified.
const unverifiedConfig = `
users:
  - id: alice
    name: Alice
    contact_methods: [{id: alice-hook, type: webhook, address: "%s", verified: false}]
schedules:
  - {id: s, time_zone: UTC, layers: [{id: l, start: "2026-11-23T00:00", shift: 1d, users: [alice]}]}
escalation_policies:
  - {id: p, levels: [{targets: [{schedule: s}], escalate_after_minutes: 5}]}
services:
  - id: checkout
    name: Checkout
    escalation_policy: p
    integrations:
      - {id: checkout-v2, type: events-v2, key: 0123456789abcdef0123456789abcdef}
hypercare_windows:
  - {id: bf, name: Black Friday, time_zone: UTC, start: "2026-11-27T00:00", end: "2026-11-28T00:00", services: [checkout]}
`

// A method the config marks verified: false is an unverified_contact
// finding until a code sent to it is confirmed through the API.
func TestVerificationClearsReadinessFinding(t *testing.T) {
	rec := &titles{}
	hook := httptest.NewServer(rec)
	t.Cleanup(hook.Close)
	cfg, err := config.Parse("v.yaml", []byte(fmt.Sprintf(unverifiedConfig, hook.URL)))
	if err != nil {
		t.Fatal(err)
	}
	catalog := readiness.FromConfig(cfg, []hypercare.ContactType{hypercare.ContactWebhook})
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		st := eng.Open(t)
		e := newEnvWith(t, st, 0, func(_ *intake.Intake, clk *clocktest.Clock, o *api.Options) {
			o.Readiness = catalog
			o.Escalation = escalate.New(st, clk, catalog.Directory, o.Logger)
			channels := notify.NewRegistry()
			channels.Register(hypercare.ContactWebhook, webhook.New(notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true})))
			o.Channels = channels
		})
		unverified := func() int {
			var rep readiness.Report
			if code := e.do("GET", "/api/v1/windows/bf/readiness?at=2026-11-26T00:00:00Z", e.viewer, nil, &rep); code != 200 {
				t.Fatalf("readiness: %d", code)
			}
			n := 0
			for _, f := range rep.Findings {
				if f.Kind == readiness.UnverifiedContact {
					n++
				}
			}
			return n
		}
		if n := unverified(); n != 1 {
			t.Fatalf("before verification: %d unverified_contact findings, want 1", n)
		}
		if aliceVerified(t, e) {
			t.Fatal("users list shows alice-hook verified before any code")
		}
		c := sendCode(t, e, rec)
		if status, _ := confirm(e, c); status != 200 {
			t.Fatalf("confirm = %d", status)
		}
		if n := unverified(); n != 0 {
			t.Errorf("after verification: %d unverified_contact findings, want 0", n)
		}
	})
}
