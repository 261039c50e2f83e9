package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// TestBrowserSplitFormFollowsTheAlerts: a responder has an incident of
// one alert open; more alerts group into it. The alerts list updated
// live, but the split form, outside the live part, did not: it stayed
// absent (one alert cannot split) or listed the alerts of the page load,
// so the new ones could not be split off without a reload. It must list
// the incident's alerts as they are, keeping the boxes already ticked.
func TestBrowserSplitFormFollowsTheAlerts(t *testing.T) {
	exe := chromiumPath(t)
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("sp1", "Checkout down", "")
	ctx := newBrowser(t, exe)
	signIn(t, ctx, h.URL, "rita")
	run(t, ctx, "open the incident", chromedp.Navigate(h.URL+"/incidents/1"),
		chromedp.WaitReady(chromedp.CSS(`body[data-stream="open"]`)))
	addAlerts(t, h, 1)
	run(t, ctx, "the new alert arrives live", waitText("#incident-live", "Pod web-0 crash looping"))
	boxes := `[...document.querySelectorAll("form[action$='/split'] input[type=checkbox]")]`
	if n := eval[int](t, ctx, boxes+`.length`); n != 2 {
		t.Fatalf("the split form offers %d alerts after the second joined live; want 2", n)
	}
	eval[bool](t, ctx, `(() => { document.getElementById("split-storm-00000").click(); return true; })()`)
	addAlert(t, h, "later-1", "Cart service 503s")
	run(t, ctx, "wait", waitText("#incident-live", "Alerts (3)"))
	if n := eval[int](t, ctx, boxes+`.length`); n != 3 {
		t.Errorf("the split form offers %d alerts after the third joined; want 3", n)
	}
	if !eval[bool](t, ctx, `document.getElementById("split-storm-00000").checked`) {
		t.Error("the ticked box lost its tick in the live update")
	}
}

// addAlert puts one more triggered alert with id into incident 1.
func addAlert(t *testing.T, h *harness, id, summary string) {
	t.Helper()
	ctx, now := context.Background(), h.Clock.Now()
	err := h.Store.Write(ctx, "checkout", func(tx hypercare.Tx) error {
		inc, err := tx.GetIncident(ctx, mustIncidentID(t, h, 1))
		if err != nil {
			return err
		}
		al := &hypercare.Alert{ID: id, ServiceID: "checkout", IncidentID: inc.ID, IntegrationID: "checkout-v2",
			DedupKey: id, Status: hypercare.StatusTriggered, Summary: summary, Severity: hypercare.SeverityCritical,
			Source: "k8s", EventCount: 1, FirstSeenAt: now, LastSeenAt: now}
		if err := tx.InsertAlert(ctx, al); err != nil {
			return err
		}
		inc.AlertCount++
		inc.OpenAlertCount++
		return tx.UpdateIncident(ctx, inc)
	})
	if err != nil {
		t.Fatalf("add alert: %v", err)
	}
}
