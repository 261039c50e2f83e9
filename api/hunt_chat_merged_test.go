package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hypercare/hypercare/notify/slack"
	"github.com/hypercare/hypercare/storetest"
)

// A responder answers the page of an incident someone has just merged
// into another: its alerts, and the outage, go on in the other incident.
// Slack, SMS and the link all said "already resolved", so the responder
// stood down while the merged incident went on paging. They must say
// where it went.

func TestSlackPressOnAMergedIncidentNamesWhereItWent(t *testing.T) {
	e := newSlackEnv(t, storetest.Engines(t)[0])
	ack, _ := e.page("merged-1")
	e.send(trigger(keyCheckout, "merged-2", "Checkout slow"))
	if code := e.do("POST", "/api/v1/incidents/2/merge", e.responder, map[string]any{"incidents": []string{"1"}}, nil); code != 200 {
		t.Fatalf("merge: %d", code)
	}
	code, body := e.press("U0ALICE", slack.ActionAcknowledge, ack, slackSecret, e.clock.Now())
	if code != http.StatusOK || !strings.Contains(body, "merged into incident 2") {
		t.Errorf("press on the merged incident: %d %s; want it to name incident 2", code, body)
	}
}

func TestSMSReplyOnAMergedIncidentNamesWhereItWent(t *testing.T) {
	e := newTwilioEnv(t, storetest.Engines(t)[0])
	e.send(trigger(keyCheckout, "merged-1", "Checkout down"))
	e.send(trigger(keyCheckout, "merged-2", "Checkout slow"))
	if code := e.do("POST", "/api/v1/incidents/2/merge", e.responder, map[string]any{"incidents": []string{"1"}}, nil); code != 200 {
		t.Fatalf("merge: %d", code)
	}
	code, body := e.twilioPost("/hooks/twilio/sms", smsForm(aliceNumber, "ack 1"), twilioToken)
	if code != 200 || !strings.Contains(body, "merged into incident 2") {
		t.Errorf("ack 1 after the merge: %d %s; want it to name incident 2", code, body)
	}
}

func TestActLinkOfAMergedIncidentNamesWhereItWent(t *testing.T) {
	a := newActEnv(t, storetest.Engines(t)[0])
	_, ack, _ := a.page()
	a.send(trigger(keyCheckout, "merged-2", "Checkout slow"))
	if code := a.do("POST", "/api/v1/incidents/2/merge", a.responder, map[string]any{"incidents": []string{"1"}}, nil); code != 200 {
		t.Fatalf("merge: %d", code)
	}
	for _, m := range []string{"GET", "POST"} {
		if code, body, _ := a.open(m, ack); code != http.StatusConflict || !strings.Contains(body, "merged into incident 2") ||
			!strings.Contains(body, `<a href="/incidents/2">`) {
			t.Errorf("%s of the ack link after the merge = %d; want 409 naming and linking incident 2:\n%s", m, code, body)
		}
	}
}

// TestActPagesLinkTheIncident: every /act page tells the responder to
// "open the incident in Hypercare" (to do more, or because the link is
// spent) but gave no way there: on a phone, from an SMS, they had to find
// it. Each page that names an incident links its room.
func TestActPagesLinkTheIncident(t *testing.T) {
	a := newActEnv(t, storetest.Engines(t)[0])
	_, ack, _ := a.page()
	for _, m := range []string{"GET", "POST", "POST"} { // confirm, done, already used
		if _, body, _ := a.open(m, ack); !strings.Contains(body, `<a href="/incidents/1">`) {
			t.Errorf("%s %s: no link to incident 1:\n%s", m, ack, body)
		}
	}
}
