package reload_test

import (
	"context"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// An event whose routing key was looked up just before a reload removed
// its service (and so the integration) is refused with a retryable error,
// not recorded under the old integration as an incident of a service the
// config in force no longer has, whose policy pages nobody. A retry gets
// the answer of an unknown key, as an event arriving after the reload.
func TestEventForAServiceARemovedByReloadIsRefusedNotOrphaned(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		search := "  - id: search\n    name: Search\n    team: web\n    escalation_policy: web\n" +
			"    integrations: [{type: events-v2, name: Datadog, key: " + keySearch + "}]\n"
		r := newRig(t, eng, configFile(policy("web", "alice"), "web", search))
		it, ok := r.in.Lookup(keySearch)
		if !ok {
			t.Fatal("search's routing key is not routed")
		}
		r.reloadFile(configFile(policy("web", "alice"), "web", ""))
		res, err := r.in.Process(context.Background(), it, []hypercare.Event{{Action: hypercare.ActionTrigger,
			DedupKey: "disk", Summary: "Search is down", Severity: hypercare.SeverityCritical}})
		if err == nil {
			t.Fatalf("event for a service the reload removed was accepted (incident %s, nobody to page); want a retryable refusal",
				res[0].IncidentID)
		}
		if code := hypercare.ErrorCode(err); code != hypercare.CodeUnavailable {
			t.Errorf("refused with %s (%v); want unavailable (503, retried by senders)", code, err)
		}
	})
}
