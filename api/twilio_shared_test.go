package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// TestSharedPhoneReplyIsRecordedAsThePagedUser: a team's on-call phone is
// the sms contact of several users; Bob is paged on it, and his reply
// "ack N" is recorded as Bob's, every time. The sender was whichever user
// with that number the directory's map yielded first, so the timeline
// named Alice or Bob at random.
func TestSharedPhoneReplyIsRecordedAsThePagedUser(t *testing.T) {
	const shared = "+14155550142"
	sms := func(id string) hypercare.ContactMethod {
		return hypercare.ContactMethod{ID: id, Type: hypercare.ContactSMS, Address: shared}
	}
	users := []hypercare.User{
		{ID: "alice", Name: "Alice", Role: hypercare.RoleResponder, ContactMethods: []hypercare.ContactMethod{sms("alice-sms")},
			NotificationRules: []hypercare.NotificationRule{{ContactMethod: "alice-sms"}}},
		{ID: "bob", Name: "Bob", Role: hypercare.RoleResponder, ContactMethods: []hypercare.ContactMethod{sms("bob-sms")},
			NotificationRules: []hypercare.NotificationRule{{ContactMethod: "bob-sms"}}},
	}
	policy := hypercare.EscalationPolicy{ID: "web", Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{User: "bob"}}, EscalateAfter: 30 * time.Minute}}}
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		e := newTwilioEnvFor(t, eng, users, policy)
		const incidents = 8
		for i := range incidents {
			e.send(trigger(keyCheckout, fmt.Sprintf("checkout-%d", i), fmt.Sprintf("Checkout down %d", i)))
		}
		if sent := e.deliver(); len(sent) != incidents {
			t.Fatalf("sent %d pages, want %d: %v", len(sent), incidents, sent)
		}
		for n := 1; n <= incidents; n++ {
			ref := strconv.Itoa(n)
			code, body := e.twilioPost("/hooks/twilio/sms", smsForm(shared, "ack "+ref), twilioToken)
			if code != http.StatusOK || !strings.Contains(body, "#"+ref+" acknowledged by Bob") {
				t.Errorf("ack %s from the shared phone Bob was paged on: %d %s", ref, code, body)
			}
			for _, en := range e.timeline(ref) {
				if en.Type == hypercare.TimelineAcknowledged && en.Actor.ID != "bob" {
					t.Errorf("incident %s: acknowledged by %s, want Bob (he was paged)", ref, en.Actor.Name)
				}
			}
		}
	})
}
