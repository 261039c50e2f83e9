package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/storetest"
)

// checkout pauses first pages for 10 minutes (pause_notifications_minutes:
// a blip that clears within them never pages). An incident opened during a
// one-hour silence is held to the silence's end. Expiring the silence one
// minute after the incident opened must not page before the pause is
// over: the first page is due at 08:10, and an alert that clears at 08:05
// is a blip that pages nobody. It used to page at once on expiry (08:01):
// the release moved the first step to now, dropping the pause (and an
// event rule's delay_minutes) that max(delay, hold) had folded into it.
func TestSilenceExpiredEarlyKeepsPauseBeforeFirstPage(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newMaintPager(t, eng, nil)
		p.in.SetNoise(map[string]correlate.Noise{"checkout": {Pause: 10 * time.Minute}})
		var out struct {
			Silence api.SilenceView `json:"silence"`
		}
		body := map[string]any{"services": []string{"checkout"}, "ends_at": t0.Add(time.Hour).Format(time.RFC3339),
			"comment": "failover drill"}
		if code := p.do("POST", "/api/v1/silences", p.responder, body, &out); code != http.StatusCreated {
			t.Fatalf("create silence: %d", code)
		}
		p.send(trigger(keyCheckout, "flaky", "Checkout probe failed"))
		p.send(trigger(keyCheckout, "real", "Checkout 5xx above 5%"))
		p.after(0)
		p.clock.Advance(time.Minute)
		if code := p.do("DELETE", "/api/v1/silences/"+out.Silence.ID, p.responder, nil, nil); code != 200 {
			t.Fatalf("expire: %d", code)
		}
		p.after(0) // 08:01: still inside the 10-minute pause
		p.after(4 * time.Minute)
		p.send(action(keyCheckout, "resolve", "flaky")) // 08:05: a blip
		p.after(5*time.Minute, "alice level 1 incident #2")
	})
}
