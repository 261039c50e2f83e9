package escalate_test

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/storetest"
)

// Checkout groups its alerts (time, 15 min). Three checkout alerts fire
// as symptoms of a payments outage and are still firing when payments'
// grace runs out: the escalation engine promotes them as checkout groups
// alerts, into one incident that pages once, not three that each page.
func TestSymptomsPromotedAfterGraceGroupAsTheirService(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		w := &graceWorld{t: t, opts: eng.Options(t), clock: clocktest.New(t0),
			grouping: correlate.Grouping{Type: correlate.GroupTime, Window: 15 * time.Minute}}
		w = newGraceWorldFrom(w)
		w.send(payInt, hypercare.ActionTrigger, "db")
		w.after(0)
		for _, k := range []string{"5xx", "latency", "errors"} {
			w.send(checkInt, hypercare.ActionTrigger, k)
		}
		w.after(time.Minute)
		w.send(payInt, hypercare.ActionResolve, "db")
		w.after(11 * time.Minute)
		w.want("payments checkout", "payments:resolved", "checkout:triggered")
		if incs := w.incidents(); len(incs) == 2 && incs[1].AlertCount != 3 {
			t.Errorf("the promoted incident has %d alerts, want the 3 symptoms", incs[1].AlertCount)
		}
	})
}
