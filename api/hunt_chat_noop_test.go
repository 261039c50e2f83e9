package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify/slack"
	"github.com/hypercare/hypercare/storetest"
)

// TestSlackSecondPressDoesNotClaimTheAction: Alice acknowledges from her
// Slack page; Bob's press of the same button (or Alice's double click)
// changed nothing, yet the whole channel was told "#1 acknowledged by
// Bob", and after Alice resolved, Bob's Resolve told it "#1 resolved by
// Bob". Nobody can tell from the channel who is working on it. A press
// that changes nothing is answered to the presser alone, saying so.
func TestSlackSecondPressDoesNotClaimTheAction(t *testing.T) {
	e := newSlackEnv(t, storetest.Engines(t)[0])
	ack, resolve := e.page("slack-noop")
	now := e.clock.Now()
	if code, body := e.press("U0ALICE", slack.ActionAcknowledge, ack, slackSecret, now); code != 200 ||
		!strings.Contains(body, "#1 acknowledged by Alice") {
		t.Fatalf("Alice's ack: %d %s", code, body)
	}
	e.slack.awaitAnswers(t, 1)
	e.slack.take()
	for _, tc := range []struct {
		who, action, value, want string
		then                     hypercare.Status
	}{
		{"C0GONE", slack.ActionAcknowledge, ack, "already acknowledged", hypercare.StatusAcknowledged},
		{"U0ALICE", slack.ActionAcknowledge, ack, "already acknowledged", hypercare.StatusAcknowledged},
		{"U0ALICE", slack.ActionResolve, resolve, "#1 resolved by Alice", hypercare.StatusResolved},
		{"C0GONE", slack.ActionResolve, resolve, "already resolved", hypercare.StatusResolved},
	} {
		code, body := e.press(tc.who, tc.action, tc.value, slackSecret, now)
		if code != http.StatusOK || !strings.Contains(body, tc.want) {
			t.Errorf("%s presses %s: %d %s; want it to say %q", tc.who, tc.action, code, body, tc.want)
		}
		e.slack.awaitAnswers(t, 1)
		_, answers, kinds := e.slack.take()
		wantKind := "ephemeral"
		if strings.HasPrefix(tc.want, "#1") {
			wantKind = "in_channel"
		}
		if len(kinds) != 1 || kinds[0] != wantKind {
			t.Errorf("%s presses %s: the answer %q went %q, want %s", tc.who, tc.action, answers, kinds, wantKind)
		}
		if s := e.status("1"); s != tc.then {
			t.Fatalf("incident is %s, want %s", s, tc.then)
		}
	}
}

// TestSMSReplyToAnAcknowledgedIncidentSaysSo: Bob replies "ack 1" after
// Alice acknowledged; he was told "#1 acknowledged by Bob", though the
// incident and its timeline say Alice.
func TestSMSReplyToAnAcknowledgedIncidentSaysSo(t *testing.T) {
	e := newTwilioEnv(t, storetest.Engines(t)[0])
	e.send(trigger(keyCheckout, "checkout-down", "Checkout down"))
	e.deliver()
	if code, body := e.twilioPost("/hooks/twilio/sms", smsForm(aliceNumber, "ack 1"), twilioToken); code != 200 ||
		!strings.Contains(body, "#1 acknowledged by Alice") {
		t.Fatalf("Alice's ack: %d %s", code, body)
	}
	code, body := e.twilioPost("/hooks/twilio/sms", smsForm(bobNumber, "ack 1"), twilioToken)
	if code != 200 || !strings.Contains(body, "Nothing changed: incident 1 is already acknowledged") {
		t.Errorf("Bob's ack after Alice's: %d %s", code, body)
	}
	if _, who := e.state(); strings.Contains(who, "by Bob") {
		t.Errorf("timeline: %s", who)
	}
}

// TestAckLinkOfAnAcknowledgedIncidentSaysSo: someone acknowledged the
// incident in the UI; Alice's e-mail link still offered "Acknowledge this
// incident?" and, pressed, answered "#1 acknowledged by Alice" (her
// token spent) though nothing changed and the timeline names the other
// responder. The link now says the incident is already acknowledged,
// and stays usable should the incident trigger again.
func TestAckLinkOfAnAcknowledgedIncidentSaysSo(t *testing.T) {
	a := newActEnv(t, storetest.Engines(t)[0])
	_, ack, _ := a.page()
	if code := a.do("POST", "/api/v1/incidents/1/acknowledge", a.responder, nil, nil); code != 200 {
		t.Fatalf("acknowledge through the API: %d", code)
	}
	_, before := a.state()
	for _, m := range []string{"GET", "POST"} {
		code, body, _ := a.open(m, ack)
		if code != http.StatusConflict || !strings.Contains(body, "already acknowledged") || strings.Contains(body, "<button") {
			t.Errorf("%s of the ack link after someone acknowledged = %d:\n%s", m, code, body)
		}
	}
	if _, after := a.state(); len(after) != len(before) {
		t.Errorf("the refused link wrote %d timeline entries", len(after)-len(before))
	}
}

// TestSMSReplyFromASharedNumberActsAsThePagedUser: the team's duty phone
// is the sms contact of several users (here Alice's number is also
// Zoe's). A reply "ack 1" from it was taken as whichever of them the
// directory's map gave first, so the timeline named someone at random,
// and a viewer's turn refused it. It must act as the one of them paged
// for that incident on that number, and say so when it cannot tell.
func TestSMSReplyFromASharedNumberActsAsThePagedUser(t *testing.T) {
	for i := range 8 { // map order differs between runs: try several
		e := newTwilioEnvWith(t, storetest.Engines(t)[0], []hypercare.User{
			{ID: "zoe", Name: "Zoe", Role: hypercare.RoleResponder,
				ContactMethods: []hypercare.ContactMethod{{ID: "zoe-sms", Type: hypercare.ContactSMS, Address: aliceNumber}}},
			{ID: "yan", Name: "Yan", Role: hypercare.RoleViewer,
				ContactMethods: []hypercare.ContactMethod{{ID: "yan-sms", Type: hypercare.ContactSMS, Address: aliceNumber}}}})
		e.send(trigger(keyCheckout, "shared-1", "Checkout down"))
		e.deliver() // pages Alice, on aliceNumber
		code, body := e.twilioPost("/hooks/twilio/sms", smsForm(aliceNumber, "ack 1"), twilioToken)
		if code != 200 || !strings.Contains(body, "#1 acknowledged by Alice") {
			t.Fatalf("run %d: ack from the shared number: %d %s; want it acknowledged by Alice, who was paged", i, code, body)
		}
		// Nobody was paged for incident 2 yet on that number: it cannot
		// say who is replying.
		e.send(trigger(keyCheckout, "shared-2", "Checkout slow"))
		code, body = e.twilioPost("/hooks/twilio/sms", smsForm(aliceNumber, "ack 2"), twilioToken)
		if code != 200 || !strings.Contains(body, "several") {
			t.Fatalf("run %d: ack 2 from the shared number, nobody paged for 2: %d %s; want it to say it cannot tell who", i, code, body)
		}
	}
}
