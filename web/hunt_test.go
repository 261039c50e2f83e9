package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// addAlerts puts n more triggered alerts (and their alert_added timeline
// entries, as intake writes when alerts group) into incident 1, the way a
// storm grouped into one incident leaves it.
func addAlerts(t *testing.T, h *harness, n int) *hypercare.Incident {
	t.Helper()
	ctx := context.Background()
	inc, err := h.Store.GetIncidentByNumber(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	for lo := 0; lo < n; lo += 500 {
		err := h.Store.Write(ctx, "checkout", func(tx hypercare.Tx) error {
			cur, err := tx.GetIncident(ctx, inc.ID)
			if err != nil {
				return err
			}
			for i := lo; i < min(lo+500, n); i++ {
				at := start.Add(time.Duration(i+1) * time.Millisecond)
				al := &hypercare.Alert{ID: fmt.Sprintf("storm-%05d", i), ServiceID: "checkout", IncidentID: inc.ID,
					IntegrationID: "checkout-v2", DedupKey: fmt.Sprintf("storm-%d", i), Status: hypercare.StatusTriggered,
					Summary: fmt.Sprintf("Pod web-%d crash looping", i), Severity: hypercare.SeverityCritical, Source: "k8s",
					EventCount: 1, FirstSeenAt: at, LastSeenAt: at}
				if err := tx.InsertAlert(ctx, al); err != nil {
					return err
				}
				if err := tx.AppendTimeline(ctx, &hypercare.TimelineEntry{ID: fmt.Sprintf("tl-storm-%05d", i), IncidentID: inc.ID,
					At: at, Type: hypercare.TimelineAlertAdded, Actor: hypercare.Actor{Type: hypercare.ActorSystem, Name: "intake"},
					Message: "Alert added: " + al.Summary}); err != nil {
					return err
				}
				cur.AlertCount++
				cur.OpenAlertCount++
			}
			return tx.UpdateIncident(ctx, cur)
		})
		if err != nil {
			t.Fatalf("add alerts: %v", err)
		}
	}
	inc, err = h.Store.GetIncidentByNumber(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

// TestLongIncidentShowsItsLatestTimeline: in an incident whose timeline
// has grown past one render's worth of entries (a storm of alerts grouped
// into it), what responders do now (a note, an acknowledgement) must
// appear on the incident page and its live fragment. The page used to
// show the 200 oldest entries, so the newest never appeared.
func TestLongIncidentShowsItsLatestTimeline(t *testing.T) {
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("d1", "Checkout down", "")
	addAlerts(t, h, 300)
	h.Clock.Advance(time.Minute)
	b := h.browser()
	b.mustLogin("rita")
	page := incidentPage(t, b, 1)
	tok := csrf(t, page)
	if code, body := b.post("/incidents/1/notes", url.Values{"csrf": {tok}, "message": {"Rolled back deploy 4411"}}); code != http.StatusSeeOther {
		t.Fatalf("add note = %d\n%s", code, body)
	}
	if code, body := b.post("/incidents/1/acknowledge", url.Values{"csrf": {tok}}); code != http.StatusSeeOther {
		t.Fatalf("acknowledge = %d\n%s", code, body)
	}
	for _, path := range []string{"/incidents/1?done=notes", "/incidents/1/timeline"} {
		code, page := b.get(path)
		if code != http.StatusOK {
			t.Fatalf("GET %s = %d", path, code)
		}
		for _, want := range []string{"Rolled back deploy 4411", "Acknowledged by Rita Responder"} {
			if !strings.Contains(page, want) {
				t.Errorf("GET %s: the timeline lacks the newest entry %q", path, want)
			}
		}
	}
}

// TestIncidentWithManyAlertsSaysHowMany: the incident page shows a
// bounded number of alerts, but must not claim that is all there are.
func TestIncidentWithManyAlertsSaysHowMany(t *testing.T) {
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("d1", "Checkout down", "")
	inc := addAlerts(t, h, 1000)
	b := h.browser()
	b.mustLogin("vic")
	page := incidentPage(t, b, 1)
	if inc.AlertCount != 1001 {
		t.Fatalf("incident holds %d alerts, want 1001", inc.AlertCount)
	}
	if strings.Contains(page, "Alerts (100)") || !strings.Contains(page, "1001") {
		i := strings.Index(page, `id="h-alerts"`)
		t.Errorf("incident of 1001 alerts: heading %q, want it to say 1001", page[i:i+60])
	}
}

// TestCustomDetailsShowAsSent: custom details are shown as the monitoring
// tool sent them. A query with < > && or a dashboard URL with & used to
// read "a \u003e 5 \u0026\u0026 b" and "d?a=1\u0026b=2" (encoding/json's
// HTML escaping), so a responder copying the URL got a broken one.
func TestCustomDetailsShowAsSent(t *testing.T) {
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("d1", "Checkout down", `,"payload":{"summary":"Checkout down","source":"web-1","severity":"critical",`+
		`"custom_details":{"query":"errors > 5 && p99 < 2s","dashboard":"https://grafana.example.com/d/x?orgId=1&var-env=prod"}}`)
	b := h.browser()
	b.mustLogin("vic")
	for _, path := range []string{"/incidents/1", "/incidents/1/timeline"} {
		_, page := b.get(path)
		for _, want := range []string{"errors &gt; 5 &amp;&amp; p99 &lt; 2s", "https://grafana.example.com/d/x?orgId=1&amp;var-env=prod"} {
			if !strings.Contains(page, want) {
				i := strings.Index(page, "<pre>")
				t.Errorf("GET %s: details lack %q (as text); they read:\n%s", path, want, page[i:min(len(page), i+200)])
			}
		}
	}
}

// TestRefusedMergeKeepsWhatWasTyped: a refused merge shows the incident
// page again with the error; the numbers the responder typed must still
// be in the box to correct, not gone.
func TestRefusedMergeKeepsWhatWasTyped(t *testing.T) {
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("d1", "Checkout down", "")
	h.trigger("d2", "Checkout slow", "")
	h.triggerWith(paymentsKey, "p1", "Payments down", "")
	b := h.browser()
	b.mustLogin("rita")
	page := incidentPage(t, b, 1)
	code, body := b.post("/incidents/1/merge", url.Values{"csrf": {csrf(t, page)}, "incidents": {"2, 3"}})
	if code != http.StatusBadRequest || !strings.Contains(body, "incidents[1]") {
		t.Fatalf("merge of a payments incident = %d, want 400 naming incidents[1]", code)
	}
	i := strings.Index(body, `id="merge-from"`)
	if i < 0 {
		t.Fatal("the refused merge's page has no merge box")
	}
	if box := body[i : strings.Index(body[i:], ">")+i]; !strings.Contains(box, `value="2, 3"`) {
		t.Errorf("merge box after the refusal is %q, want the typed \"2, 3\" kept", box)
	}
}

// TestIncidentShowsItsAlertGroup: an incident opened for an Alertmanager
// group names the group (escaped), so a responder sees why its alerts
// are together; other incidents show no such line.
func TestIncidentShowsItsAlertGroup(t *testing.T) {
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("d1", "Checkout down", "")
	ctx := context.Background()
	now := h.Clock.Now()
	err := h.Store.Write(ctx, "checkout", func(tx hypercare.Tx) error {
		return tx.InsertIncident(ctx, &hypercare.Incident{ID: hypercare.NewID(now), Title: "Pods crash looping",
			Status: hypercare.StatusTriggered, Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityCritical,
			ServiceID: "checkout", AlertCount: 2, OpenAlertCount: 2, CreatedAt: now, UpdatedAt: now, LastAlertAt: now,
			GroupKey: `{}:{alertname="<b>CrashLoop</b>"}`})
	})
	if err != nil {
		t.Fatal(err)
	}
	b := h.browser()
	b.mustLogin("vic")
	if page := incidentPage(t, b, 2); !strings.Contains(page, `Alert group</dt><dd><code title="the Alertmanager or Grafana notification group whose alerts join this incident while it is open">{}:{alertname=&#34;&lt;b&gt;CrashLoop&lt;/b&gt;&#34;}</code>`) {
		i := strings.Index(page, `class="facts"`)
		t.Errorf("incident 2 does not name its group, escaped; facts:\n%s", page[i:min(len(page), i+900)])
	}
	if page := incidentPage(t, b, 1); strings.Contains(page, "Alert group") {
		t.Error("an incident of no group shows an alert group")
	}
}
