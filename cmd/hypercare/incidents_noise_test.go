package main

import (
	"context"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/apitest"
)

// Merge and split from the CLI, against a real server on both stores: the
// merged incident resolves and its alert moves; the split-off alert opens
// a new incident; refusals name the field.
func TestIncidentsMergeAndSplit(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *cliEnv) {
		ctx := context.Background()
		e.srv.Trigger(apitest.KeyCheckout, "cart-5xx", "Cart returns 5xx", hypercare.SeverityCritical)
		out := e.run(t, "merge", "3", "4")
		if !strings.Contains(out, "3") {
			t.Errorf("merge printed %q", out)
		}
		inc3, err := e.api.GetIncident(ctx, "3")
		if err != nil || inc3.AlertCount != 2 || inc3.OpenAlertCount != 2 {
			t.Fatalf("incident 3 after merge: %+v %v", inc3, err)
		}
		if inc4, _ := e.api.GetIncident(ctx, "4"); inc4.Status != hypercare.StatusResolved || inc4.AlertCount != 0 {
			t.Fatalf("incident 4 after merge: %+v", inc4)
		}
		_, _, err = execute(t, e.env(nil), append([]string{"merge", "3", "2"}, e.flags...)...)
		if err == nil || !strings.Contains(err.Error(), "incidents[0]") || !strings.Contains(err.Error(), "service") {
			t.Errorf("merging another service's incident: %v", err)
		}
		alerts, err := e.api.IncidentAlerts(ctx, "3", 0)
		if err != nil || len(alerts) != 2 {
			t.Fatalf("alerts of 3: %v %v", alerts, err)
		}
		moved := alerts[0].ID
		if alerts[0].DedupKey != "cart-5xx" {
			moved = alerts[1].ID
		}
		e.run(t, "split", "3", moved)
		inc5, err := e.api.GetIncident(ctx, "5")
		if err != nil || inc5.AlertCount != 1 || inc5.Status != hypercare.StatusTriggered || inc5.Title != "Cart returns 5xx" {
			t.Fatalf("split-off incident: %+v %v", inc5, err)
		}
		_, _, err = execute(t, e.env(nil), append([]string{"split", "5", moved}, e.flags...)...)
		if err == nil || !strings.Contains(err.Error(), "alerts") {
			t.Errorf("splitting every alert off: %v", err)
		}
	})
}
