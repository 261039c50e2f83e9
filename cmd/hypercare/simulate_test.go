package main

import (
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
)

// The simulate table says which pages cannot be delivered, and warns about
// the users nobody would reach.
func TestWriteSimulationShowsUndeliverable(t *testing.T) {
	at := time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	sim := &escalate.Simulation{ServiceID: "checkout", PolicyID: "web", At: at, Urgency: hypercare.UrgencyHigh,
		Pages: []escalate.PlannedPage{
			{At: at, Level: 1, User: "bob", UserName: "Bob", ContactMethod: "bob-hook", Type: hypercare.ContactWebhook},
			{At: at, Level: 1, User: "carol", UserName: "Carol", ContactMethod: "carol-sms", Type: hypercare.ContactSMS,
				Undeliverable: `no channel for contact type "sms" in this version`},
		},
		Gaps: []string{"2026-11-28T03:00:00Z: level 1: none of the pages to Carol (carol) can be delivered"}}
	var b strings.Builder
	if err := writeSimulation(&b, clientEnv{loc: time.UTC}, sim); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`carol-sms  CANNOT BE DELIVERED: no channel for contact type "sms" in this version`,
		"WARNING: 2026-11-28T03:00:00Z: level 1: none of the pages to Carol (carol) can be delivered",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if line := strings.Split(out, "\n")[3]; strings.Contains(line, "CANNOT") {
		t.Errorf("bob's deliverable page flagged: %q", line)
	}
}
