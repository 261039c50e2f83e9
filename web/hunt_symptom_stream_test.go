package web_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/storetest"
)

// TestSymptomChangeReachesItsIncidentPage: incident 1's page shows its
// symptom alerts (alerts of a dependent service), and follows the stream
// for incident 1 alone (?incident=1). A symptom is held by no incident,
// so its changes (it resolved, it fired again) went out with incident_id
// "" and never reached the page: it kept showing the symptom firing.
func TestSymptomChangeReachesItsIncidentPage(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		h := startHarness(t, e.Open(t))
		h.trigger("d1", "Checkout down", "")
		ctx, now := context.Background(), h.Clock.Now()
		inc, err := h.Store.GetIncidentByNumber(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		sym := &hypercare.Alert{ID: hypercare.NewID(now), ServiceID: "payments", IntegrationID: "payments-v2", DedupKey: "p1",
			Status: hypercare.StatusTriggered, Summary: "Payments timeouts", Severity: hypercare.SeverityError,
			Source: "pay-1", EventCount: 1, FirstSeenAt: now, LastSeenAt: now}
		if err := h.Store.Write(ctx, "payments", func(tx hypercare.Tx) error {
			return incident.AttachSymptom(ctx, tx, inc, sym, hypercare.SystemActor, now)
		}); err != nil {
			t.Fatal(err)
		}
		b := h.browser()
		b.mustLogin("vic")
		sctx, cancel := context.WithCancel(ctx)
		defer cancel()
		req, _ := http.NewRequestWithContext(sctx, "GET", h.URL+"/api/v1/stream?incident=1", nil)
		resp, err := b.c.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("open the incident's stream: %v", err)
		}
		defer resp.Body.Close()
		lines := make(chan string, 100)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		for l := range lines {
			if strings.HasPrefix(l, ": connected") {
				break
			}
		}
		if err := h.Store.Write(ctx, "payments", func(tx hypercare.Tx) error {
			sym.Status, sym.ResolvedAt = hypercare.StatusResolved, &now
			return tx.UpdateAlert(ctx, sym)
		}); err != nil {
			t.Fatal(err)
		}
		deadline := time.After(10 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatal("the stream ended")
				}
				if strings.HasPrefix(l, "data: ") && strings.Contains(l, `"kind":"alert"`) && strings.Contains(l, sym.ID) {
					if !strings.Contains(l, `"incident_number":1`) {
						t.Errorf("the symptom's event does not name incident 1: %s", l)
					}
					return
				}
			case <-deadline:
				t.Fatal("the symptom's resolution never reached incident 1's stream")
			}
		}
	})
}
