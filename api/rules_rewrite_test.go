package api_test

import (
	"testing"

	"github.com/hypercare/hypercare"
)

// A rule that rewrites a trigger's dedup key from its payload (disk-low:
// "disk-" + source) does not match the acknowledge and resolve that follow
// it, which PagerDuty Events v2 senders send with routing_key, dedup_key
// and event_action only: those mean the alert their trigger, sent with the
// same key, went to. Before, they found no alert under the key as sent,
// changed nothing, and the alert and its incident stayed open for good.
func TestAcknowledgeAndResolveFindTheAlertARuleRekeyed(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		withRules(t, e)
		ev := event("disk 91%", "warning", "disk", "")
		ev["dedup_key"] = "nagios-db-1-disk"
		ev["payload"].(map[string]any)["source"] = "db-1"
		if out := e.send(ev); out.DedupKey != "disk-db-1" {
			t.Fatalf("trigger answered dedup_key %q, want the rule's disk-db-1", out.DedupKey)
		}
		// Another sender's alert under the rewritten key's text is not it.
		e.send(trigger(keyCheckout, "disk-db-2", "unrelated"))

		e.send(action(keyCheckout, "acknowledge", "nagios-db-1-disk"))
		if a := e.alerts("?dedup_key=disk-db-1"); len(a) != 1 || a[0].Status != hypercare.StatusAcknowledged {
			t.Fatalf("after the acknowledge sent with the trigger's key: %+v, want acknowledged", a)
		}
		e.send(action(keyCheckout, "resolve", "nagios-db-1-disk"))
		if a := e.alerts("?dedup_key=disk-db-1"); len(a) != 1 || a[0].Status != hypercare.StatusResolved {
			t.Fatalf("after the resolve sent with the trigger's key: %+v, want resolved", a)
		}
		open := 0
		for _, inc := range e.incidents("") {
			if inc.Status != hypercare.StatusResolved {
				open++
			}
		}
		if open != 1 {
			t.Fatalf("%d incidents open, want only disk-db-2's", open)
		}
		// A resolve of a key nothing was sent with still resolves nothing.
		e.send(action(keyCheckout, "resolve", "nagios-db-9-disk"))
		if a := e.alerts("?dedup_key=disk-db-2"); len(a) != 1 || a[0].Status != hypercare.StatusTriggered {
			t.Fatalf("an unrelated resolve touched disk-db-2: %+v", a)
		}
	})
}

// An alert opened before a reload added a rule that rewrites dedup keys
// (disk-low: "disk-" + source) is stored under the key it was sent with.
// A resolve that carries the whole payload, as Alertmanager-style and
// generic senders send it, matches the rule and gets the rewritten key;
// it used to find no alert under it, nor one remembered as sent with the
// key (the rule did not exist when it opened), and the alert and its
// incident stayed open for good. It now also finds the alert under the
// key as sent.
func TestResolveWithPayloadFindsAlertOpenedBeforeTheRekeyingRule(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		ev := event("disk 91%", "warning", "disk", "")
		ev["dedup_key"] = "nagios-db-1-disk"
		ev["payload"].(map[string]any)["source"] = "db-1"
		if out := e.send(ev); out.DedupKey != "nagios-db-1-disk" {
			t.Fatalf("trigger before the rule answered dedup_key %q", out.DedupKey)
		}
		withRules(t, e) // the reload adds disk-low
		ev["event_action"] = "resolve"
		e.send(ev)
		if a := e.alerts("?dedup_key=nagios-db-1-disk"); len(a) != 1 || a[0].Status != hypercare.StatusResolved {
			t.Fatalf("after the resolve with its payload: %+v, want resolved", a)
		}
		if a := e.alerts("?dedup_key=disk-db-1"); len(a) != 0 {
			t.Fatalf("the resolve stored alerts under the rewritten key: %+v", a)
		}
		for _, inc := range e.incidents("") {
			if inc.Status != hypercare.StatusResolved {
				t.Fatalf("incident %d is %s after its only alert's resolve", inc.Number, inc.Status)
			}
		}
	})
}

// The alert's JSON shows the key its trigger was sent with when a rule
// rewrote it (sent_key), so a responder can see why the monitoring
// tool's key finds it; it is absent when no rule rewrote the key.
func TestAlertShowsTheKeyItWasSentWith(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		withRules(t, e)
		ev := event("disk 91%", "warning", "disk", "")
		ev["dedup_key"] = "nagios-db-1-disk"
		ev["payload"].(map[string]any)["source"] = "db-1"
		e.send(ev)
		e.send(trigger(keyCheckout, "plain-1", "Checkout 5xx"))
		if a := e.alerts("?dedup_key=disk-db-1"); len(a) != 1 || a[0].SentKey != "nagios-db-1-disk" {
			t.Fatalf("rekeyed alert: %+v, want sent_key nagios-db-1-disk", a)
		}
		if a := e.alerts("?dedup_key=plain-1"); len(a) != 1 || a[0].SentKey != "" {
			t.Fatalf("alert no rule rekeyed: %+v, want no sent_key", a)
		}
	})
}

// An alert opened before a reload added a rule that rewrites dedup keys
// (disk-low: "disk-" + source) is re-triggered, not doubled, by a trigger
// that carries its payload: the rule gives that trigger the key disk-db-1,
// under which nothing is open, and it used to open a second alert and
// incident beside the first. It now updates the alert stored under the
// key as sent, which keeps that key (the answer says so, and the key the
// sender acknowledges and resolves with finds it); once that alert has
// resolved, the next trigger opens an alert under the rule's key.
func TestTriggerWithPayloadRetriggersAlertOpenedBeforeTheRekeyingRule(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		ev := event("disk 91%", "warning", "disk", "")
		ev["dedup_key"] = "nagios-db-1-disk"
		ev["payload"].(map[string]any)["source"] = "db-1"
		e.send(ev)
		withRules(t, e) // the reload adds disk-low
		if out := e.send(ev); out.DedupKey != "nagios-db-1-disk" {
			t.Fatalf("re-trigger answered dedup_key %q, want the open alert's nagios-db-1-disk", out.DedupKey)
		}
		if a := e.alerts("?dedup_key=disk-db-1"); len(a) != 0 {
			t.Fatalf("the re-trigger opened a second alert under the rewritten key: %+v", a)
		}
		a := e.alerts("?dedup_key=nagios-db-1-disk")
		if len(a) != 1 || a[0].EventCount != 2 || a[0].Summary != "Disk filling up on db-1" || a[0].Status != hypercare.StatusTriggered {
			t.Fatalf("alert opened before the rule: %+v, want re-triggered (2 events, the rule's summary)", a)
		}
		if incs := e.incidents(""); len(incs) != 1 {
			t.Fatalf("%d incidents, want 1", len(incs))
		}
		e.send(action(keyCheckout, "acknowledge", "nagios-db-1-disk"))
		ev["event_action"] = "resolve"
		e.send(ev)
		if a := e.alerts("?dedup_key=nagios-db-1-disk"); len(a) != 1 || a[0].Status != hypercare.StatusResolved {
			t.Fatalf("after acknowledge and resolve: %+v, want resolved", a)
		}
		ev["event_action"] = "trigger"
		if out := e.send(ev); out.DedupKey != "disk-db-1" {
			t.Fatalf("trigger after the resolve answered dedup_key %q, want the rule's disk-db-1", out.DedupKey)
		}
		if a := e.alerts("?dedup_key=disk-db-1"); len(a) != 1 || a[0].SentKey != "nagios-db-1-disk" {
			t.Fatalf("trigger after the resolve: %+v, want a new alert under disk-db-1", a)
		}
	})
}
