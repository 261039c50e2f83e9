package intake

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/rules"
	"github.com/hypercare/hypercare/storetest"
)

// TestRuleDelayedBlipIsTransient: an event rule delays a certificate
// warning's first page by 30 minutes on a service without a pause. One
// whose monitor resolves it 10 minutes in, before its page was due and
// unpaged, is a blip like one inside the service's pause, and is marked
// transient, so the noise report and the incident's badge count it; one
// resolved after its page was due is not, nor is one without a delay
// (due at once). Before, only the service's pause marked incidents
// transient, and the first stayed a plain resolved incident.
func TestRuleDelayedBlipIsTransient(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		slow := rules.Spec{ID: "cert", When: `summary startsWith "Certificate"`, Then: rules.Then{Delay: 30 * time.Minute}}
		b := newNoiseHarness(t, eng, map[string]correlate.Noise{}, slow)
		b.send("shop", triggerOf("a", "Certificate expires soon", hypercare.SeverityWarning))
		b.clk.Advance(10 * time.Minute)
		b.send("shop", action(hypercare.ActionResolve, "a"))
		b.send("shop", triggerOf("b", "Certificate expires soon", hypercare.SeverityWarning))
		b.clk.Advance(31 * time.Minute)
		b.send("shop", action(hypercare.ActionResolve, "b"))
		b.send("shop", triggerOf("c", "Checkout down", hypercare.SeverityCritical))
		b.clk.Advance(time.Minute)
		b.send("shop", action(hypercare.ActionResolve, "c"))
		incs := b.incidents()
		if len(incs) != 3 {
			t.Fatalf("incidents %+v; want three", incs)
		}
		for i, want := range []bool{true, false, false} {
			if incs[i].Status != hypercare.StatusResolved || incs[i].Transient != want {
				t.Errorf("incident #%d %s transient %v; want resolved, transient %v", incs[i].Number, incs[i].Status, incs[i].Transient, want)
			}
		}
	})
}
