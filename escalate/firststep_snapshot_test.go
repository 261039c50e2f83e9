package escalate_test

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/storetest"
)

// TestFirstStepPagesUnderTheRequestsConfig: the level-1 step taken in the
// ingest write uses the escalation directory of the config the request
// was handled under, not whatever the engine holds by then. A reload
// landing between the two would otherwise open the incident by one file
// (its rules, grouping, holds) and page by another. Here the request's
// config pages dave at level 1 while the engine still holds the file that
// pages the on-call schedule (alice).
func TestFirstStepPagesUnderTheRequestsConfig(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		n := newNode(t, eng.Options(t), clk, directory(webPolicy()))
		next := webPolicy()
		next.Levels = append([]hypercare.EscalationLevel{{Targets: []hypercare.Target{{User: "dave"}},
			EscalateAfter: 5 * time.Minute}}, next.Levels[1:]...)
		dir := directory(next)
		cfg := intake.NewConfig(intake.Settings{Integrations: []hypercare.Integration{integration},
			Policies: dir.PoliciesByService(), Directory: dir}, nil)
		n.in.Use(func() *intake.Config { return cfg })
		inc := n.trigger(t, "k1", hypercare.SeverityCritical)
		n.expectPages(t, inc.ID, "dave/dave-hook@0")
	})
}
