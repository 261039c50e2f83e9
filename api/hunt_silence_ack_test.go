package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/storetest"
)

// An incident held by a silence and acknowledged meanwhile is not paged
// when the silence is expired early (right: someone is on it), but its
// timeline used to say "still open, paging now" and the answer counted it
// released: a responder reading it expects a page that never comes. The
// timeline must not promise a page the escalation will not make.
func TestSilenceExpiredEarlyDoesNotPromisePageOfAcknowledgedIncident(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newMaintPager(t, eng, nil)
		var out struct {
			Silence api.SilenceView `json:"silence"`
		}
		body := map[string]any{"services": []string{"checkout"}, "ends_at": t0.Add(time.Hour).Format(time.RFC3339),
			"comment": "failover drill"}
		if code := p.do("POST", "/api/v1/silences", p.responder, body, &out); code != http.StatusCreated {
			t.Fatalf("create silence: %d", code)
		}
		p.send(trigger(keyCheckout, "checkout-5xx", "Checkout 5xx above 5%"))
		p.after(0)
		if code := p.do("POST", "/api/v1/incidents/1/acknowledge", p.responder, nil, nil); code != 200 {
			t.Fatalf("acknowledge: %d", code)
		}
		p.clock.Advance(time.Minute)
		var expired struct {
			Released  int `json:"released_incidents"`
			StillHeld int `json:"still_held_incidents"`
		}
		if code := p.do("DELETE", "/api/v1/silences/"+out.Silence.ID, p.responder, nil, &expired); code != 200 {
			t.Fatalf("expire: %d", code)
		}
		p.after(0) // acknowledged: nobody paged
		for _, e := range p.timeline("1") {
			if strings.Contains(e.Message, "paging now") {
				t.Errorf("timeline of the acknowledged incident says %q, but nobody is paged", e.Message)
			}
		}
		if expired.Released != 0 {
			t.Errorf("expire: %+v, want 0 released: the acknowledged incident pages nobody", expired)
		}
		p.after(2 * time.Hour)
	})
}
