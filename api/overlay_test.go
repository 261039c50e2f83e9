package api_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// bfcm is a hypercare window on checkout from t0+10m to t0+40m.
func bfcm() hypercare.Window {
	return hypercare.Window{ID: "bfcm-2026", Name: "BFCM", TimeZone: time.UTC,
		Start: t0.Add(10 * time.Minute), End: t0.Add(40 * time.Minute), Services: []string{"checkout"},
		MaxEscalateAfter: 2 * time.Minute, Urgency: hypercare.UrgencyHigh, ChangeFreeze: true}
}

// While the window is open the second level is paged after the window's
// 2 minutes instead of the policy's 5; before and after it, after 5.
func TestScenarioEscalationFasterInsideWindow(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newWindowPager(t, eng, []hypercare.Window{bfcm()})
		climb := func(dedup string, n int, wait time.Duration) {
			t.Helper()
			p.send(trigger(keyCheckout, dedup, "Checkout 5xx"))
			p.after(0, "alice level 1 incident #"+strconv.Itoa(n))
			p.after(wait - time.Second)
			p.after(time.Second, "bob level 2 incident #"+strconv.Itoa(n))
			p.send(action(keyCheckout, "resolve", dedup))
		}
		climb("before", 1, 5*time.Minute) // t0 .. t0+5m
		p.after(10 * time.Minute)         // t0+15m: inside
		climb("inside", 2, 2*time.Minute)
		p.after(25 * time.Minute) // t0+42m: after the end
		climb("after", 3, 5*time.Minute)
	})
}
