package escalate_test

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/storetest"
)

// Escalating an incident whose first page has not gone out yet (held by
// the service's pause) pages level 1 now: in PagerDuty an incident is
// assigned to level 1 the moment it triggers, and "escalate" moves it on
// from the level that was told. Hypercare used to page level 2, and level
// 1, the people on call, never heard of the incident. The next escalate
// pages level 2, and the held first page does not page level 1 again.
func TestEscalateBeforeTheFirstPagePagesLevel1(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		n := newNode(t, eng.Options(t), clk, directory(webPolicy()))
		n.in.SetNoise(map[string]correlate.Noise{"shop": {Pause: 5 * time.Minute}})
		inc := n.trigger(t, "k1", hypercare.SeverityWarning)
		n.runDue(t)
		n.expectPages(t, inc.ID)
		st, err := n.eng.Escalate(n.ctx, inc, 0, responder)
		if err != nil {
			t.Fatal(err)
		}
		n.expectPages(t, inc.ID, "alice/alice-hook@0")
		if st.Level != 1 || !st.DueAt.Equal(t0.Add(5*time.Minute)) {
			t.Errorf("after escalating: level index %d due %s, want 1 due %s", st.Level, st.DueAt, t0.Add(5*time.Minute))
		}
		if _, err := n.eng.Escalate(n.ctx, inc, 0, responder); err != nil {
			t.Fatal(err)
		}
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "carol/carol-hook@0")
		clk.Advance(5 * time.Minute) // the pause's end pages nobody again
		n.runDue(t)
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "carol/carol-hook@0")
	})
}
