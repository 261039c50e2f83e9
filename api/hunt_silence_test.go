package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/storetest"
)

// Two overlapping silences on checkout: A is active now (until 09:30), B
// starts at 09:00 and runs to 11:00. An incident opened at 08:00 is held
// to B's end (the holds chain), but it is A that holds it now. Expiring A
// at 08:10 must page it at once, as the docs say ("incidents it held that
// are still open page at once"): nothing covers it between 08:10 and
// 09:00. It used to stay held until 11:00, because only B, the end of the
// chain, was recorded on the incident and expiring A looked for A alone.
func TestSilenceExpiredEarlyReleasesIncidentHeldByChain(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newMaintPager(t, eng, nil)
		create := func(starts, ends time.Time) string {
			t.Helper()
			var out struct {
				Silence api.SilenceView `json:"silence"`
			}
			body := map[string]any{"services": []string{"checkout"}, "starts_at": starts.Format(time.RFC3339),
				"ends_at": ends.Format(time.RFC3339), "comment": "db migration"}
			if code := p.do("POST", "/api/v1/silences", p.responder, body, &out); code != http.StatusCreated {
				t.Fatalf("create silence: %d", code)
			}
			return out.Silence.ID
		}
		a := create(t0, t0.Add(90*time.Minute))
		create(t0.Add(time.Hour), t0.Add(3*time.Hour))
		p.send(trigger(keyCheckout, "checkout-5xx", "Checkout 5xx above 5%"))
		p.after(0) // held: nobody paged

		p.clock.Advance(10 * time.Minute)
		var expired struct {
			Released  int `json:"released_incidents"`
			StillHeld int `json:"still_held_incidents"`
		}
		if code := p.do("DELETE", "/api/v1/silences/"+a, p.responder, nil, &expired); code != 200 {
			t.Fatalf("expire: %d", code)
		}
		if expired.Released != 1 || expired.StillHeld != 0 {
			t.Errorf("expire A: %+v, want 1 released (nothing covers the incident until 09:00)", expired)
		}
		// Nothing holds incident #1 now: it pages at once.
		p.after(0, "alice level 1 incident #1")
	})
}
