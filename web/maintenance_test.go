package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// An incident opened under a silence shows the hold on its page and in
// the list, and its timeline says until when.
func TestIncidentShowsSuppression(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			h := startHarness(t, eng.Open(t))
			ctx := context.Background()
			now := h.Clock.Now()
			sl := &hypercare.Silence{ID: "sil-web", Services: []string{"checkout"}, StartsAt: now,
				EndsAt: now.Add(2 * time.Hour), Comment: "deploy", CreatedBy: "rita", CreatedAt: now}
			if err := h.Store.Write(ctx, "test", func(tx hypercare.Tx) error { return tx.InsertSilence(ctx, sl) }); err != nil {
				t.Fatal(err)
			}
			h.trigger("held", "Checkout 5xx during deploy", "")
			b := h.browser()
			b.mustLogin("vic")
			for _, path := range []string{"/incidents", "/incidents/1"} {
				code, page := b.get(path)
				if code != http.StatusOK || !strings.Contains(page, "held by silence:sil-web") {
					t.Errorf("%s: %d, want the hold badge", path, code)
				}
			}
			if _, page := b.get("/incidents/1"); !strings.Contains(page, "Suppressed by silence sil-web until 11:00 UTC") {
				t.Errorf("incident page lacks the suppression timeline entry")
			}
		})
	}
}
