package reload_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare/storetest"
)

// An escalation in flight continues at its level number under its
// policy's new definition; a step already scheduled keeps its due time.
func TestInFlightEscalationContinuesUnderTheNewDefinition(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		r := newRig(t, eng, configFile(policy("web", "alice", "bob", "carol"), "web", ""))
		inc := r.trigger("disk")
		r.runDue()
		r.reloadFile(configFile(policy("web", "alice", "dave", "carol"), "web", ""))
		r.clk.Advance(5 * time.Minute)
		r.runDue()
		if got := r.paged(inc); !slices.Equal(got, []string{"alice", "dave"}) {
			t.Fatalf("paged %v; want level 2 as the file now defines it (dave), not bob", got)
		}
	})
}

// A policy that shrank below the escalation's level pages its last level,
// with a note saying why; then the escalation ends as the policy does.
func TestInFlightEscalationOnAShrunkPolicyPagesItsLastLevel(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		r := newRig(t, eng, configFile(policy("web", "alice", "bob", "carol"), "web", ""))
		inc := r.trigger("disk")
		r.runDue()
		r.clk.Advance(5 * time.Minute)
		r.runDue() // bob; carol is next
		r.reloadFile(configFile(policy("web", "alice", "erin"), "web", ""))
		r.clk.Advance(5 * time.Minute)
		r.runDue()
		r.clk.Advance(time.Hour)
		r.runDue()
		if got := r.paged(inc); !slices.Equal(got, []string{"alice", "bob", "erin"}) {
			t.Fatalf("paged %v; want alice, bob, then the new last level (erin) once", got)
		}
		if tl := r.timeline(inc); !strings.Contains(tl, `Level 3 of escalation policy "web" no longer exists (it now has 2): paging its last level`) {
			t.Errorf("timeline does not say why:\n%s", tl)
		}
	})
}

// A removed policy: the escalation continues under the policy its service
// uses now, at the same level; with none it stops, saying so.
func TestInFlightEscalationWhosePolicyWasRemoved(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		r := newRig(t, eng, configFile(policy("web", "alice", "bob"), "web", ""))
		moved := r.trigger("moved")
		r.runDue()
		r.reloadFile(configFile(policy("ops", "carol", "dave", "erin"), "ops", ""))
		r.clk.Advance(5 * time.Minute)
		r.runDue()
		if got := r.paged(moved); !slices.Equal(got, []string{"alice", "dave"}) {
			t.Fatalf("paged %v; want level 2 of shop's policy now (dave)", got)
		}
		if tl := r.timeline(moved); !strings.Contains(tl, `Escalation policy "web" no longer exists: continuing under shop's policy "ops" at level 2`) {
			t.Errorf("timeline does not say why:\n%s", tl)
		}

		stopped := r.trigger("stopped")
		r.runDue()
		r.reloadFile(configFile("", "", ""))
		r.clk.Advance(5 * time.Minute)
		r.runDue()
		if got := r.paged(stopped); !slices.Equal(got, []string{"carol"}) {
			t.Fatalf("paged %v; want only the first page", got)
		}
		if tl := r.timeline(stopped); !strings.Contains(tl, `Escalation stopped: policy "ops" no longer exists and service shop has no escalation policy`) {
			t.Errorf("timeline does not say why:\n%s", tl)
		}
	})
}

// An acknowledgement after a reload that removed the policy's ack
// timeout must not re-trigger and re-page the incident: the escalation
// continues under the policy as the file now defines it (README, "Live
// reload"), and the new file has no ack timeout.
func TestInFlightEscalationAckAfterAckTimeoutRemoved(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		withTimeout := policy("web", "alice", "bob") + "    ack_timeout_minutes: 30\n"
		r := newRig(t, eng, configFile(withTimeout, "web", ""))
		inc := r.trigger("disk")
		r.runDue()
		r.reloadFile(configFile(policy("web", "alice", "bob"), "web", ""))
		if code, body := r.post("/api/v1/incidents/"+inc+"/acknowledge", r.admin, "{}"); code != 200 {
			t.Fatalf("acknowledge = %d %s", code, body)
		}
		r.clk.Advance(31 * time.Minute)
		r.runDue()
		if got := r.paged(inc); !slices.Equal(got, []string{"alice"}) {
			t.Errorf("paged %v; want alice once: the policy in force has no ack timeout", got)
		}
		if tl := r.timeline(inc); strings.Contains(tl, "Re-triggered") {
			t.Errorf("re-triggered under the removed ack timeout:\n%s", tl)
		}
	})
}

// TestInFlightEscalationAckAfterAckTimeoutAdded: a reload that gives the
// policy an ack timeout applies to an incident opened before it and
// acknowledged after it, before its next step: the acknowledgement used to
// arm the timeout stored when the incident opened (none), so the incident
// stayed acknowledged for good.
func TestInFlightEscalationAckAfterAckTimeoutAdded(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		r := newRig(t, eng, configFile(policy("web", "alice", "bob"), "web", ""))
		inc := r.trigger("disk")
		r.runDue()
		r.reloadFile(configFile(policy("web", "alice", "bob")+"    ack_timeout_minutes: 30\n", "web", ""))
		if code, body := r.post("/api/v1/incidents/"+inc+"/acknowledge", r.admin, "{}"); code != 200 {
			t.Fatalf("acknowledge = %d %s", code, body)
		}
		r.clk.Advance(31 * time.Minute)
		r.runDue()
		if got := r.paged(inc); !slices.Equal(got, []string{"alice", "alice"}) {
			t.Errorf("paged %v; want alice again once the new 30-minute ack timeout ran out", got)
		}
		if tl := r.timeline(inc); !strings.Contains(tl, "Re-triggered") {
			t.Errorf("not re-triggered under the ack timeout the reload added:\n%s", tl)
		}
	})
}
