package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// TestTwilioSMSReplayIsIgnored: a signed Twilio request has no timestamp,
// so one captured (a proxy's log, a leaked request dump) stays valid
// forever. Alice texts "ack 1"; the policy's ack timeout re-triggers the
// incident half an hour later and it pages again. The same request
// (same MessageSid), sent again, must not acknowledge it silently in her
// name: it is answered with an empty TwiML response (no SMS back, as for
// a Twilio retry) and changes nothing. A new message from her still acts,
// and a request without MessageSid is refused, naming it.
func TestTwilioSMSReplayIsIgnored(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			users := []hypercare.User{{ID: "alice", Name: "Alice", Role: hypercare.RoleResponder,
				ContactMethods:    []hypercare.ContactMethod{{ID: "alice-sms", Type: hypercare.ContactSMS, Address: aliceNumber}},
				NotificationRules: []hypercare.NotificationRule{{ContactMethod: "alice-sms"}}}}
			policy := hypercare.EscalationPolicy{ID: "web", AckTimeout: 30 * time.Minute, Levels: []hypercare.EscalationLevel{
				{Targets: []hypercare.Target{{User: "alice"}}, EscalateAfter: 30 * time.Minute}}}
			e := newTwilioEnvFor(t, eng, users, policy)
			e.send(trigger(keyCheckout, "checkout-down", "Checkout down"))
			e.deliver()

			ack := smsForm(aliceNumber, "ack 1")
			code, body := e.twilioPost("/hooks/twilio/sms", ack, twilioToken)
			if code != http.StatusOK || !strings.Contains(body, "#1 acknowledged by Alice") {
				t.Fatalf("ack: %d %s", code, body)
			}
			e.clock.Advance(31 * time.Minute)
			e.deliver()
			if status, _ := e.state(); status != hypercare.StatusTriggered {
				t.Fatalf("31 minutes after the ack (ack timeout 30) the incident is %s, want triggered again", status)
			}

			code, body = e.twilioPost("/hooks/twilio/sms", ack, twilioToken)
			if code != http.StatusOK || strings.Contains(body, "<Message>") {
				t.Errorf("replayed request: %d %s, want 200 with an empty TwiML answer", code, body)
			}
			if status, who := e.state(); status != hypercare.StatusTriggered {
				t.Fatalf("a replayed request acknowledged the incident again: %s (%s)", status, who)
			}

			code, body = e.twilioPost("/hooks/twilio/sms", smsForm(aliceNumber, "ack 1"), twilioToken)
			if code != http.StatusOK || !strings.Contains(body, "#1 acknowledged by Alice") {
				t.Errorf("a new message after a replay: %d %s", code, body)
			}

			noSid := smsForm(aliceNumber, "resolve 1")
			noSid.Del("MessageSid")
			code, body = e.twilioPost("/hooks/twilio/sms", noSid, twilioToken)
			if code != http.StatusBadRequest || !strings.Contains(body, `"field":"MessageSid"`) {
				t.Errorf("no MessageSid: %d %s, want 400 naming MessageSid", code, body)
			}
			if status, _ := e.state(); status != hypercare.StatusAcknowledged {
				t.Errorf("after the refused request the incident is %s, want acknowledged", status)
			}
		})
	}
}
