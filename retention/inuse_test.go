package retention_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/retention"
	"github.com/hypercare/hypercare/storetest"
)

// Retention must not delete pages the running server still counts: the
// fatigue guardrail of a hypercare window reads every page a responder had
// within its per_hours (up to a week), so pruning pages older than
// notifications_days (from one day) makes an overloaded responder look
// rested, and the next level is no longer paged to help.
func TestPruneKeepsPagesTheFatigueGuardrailCounts(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e.Options(t))
		ctx := context.Background()
		// One file, as a user writes it: a peak-week guardrail of 2 pages
		// in 72 h, and pages kept for a day.
		cfg, err := config.Parse("hypercare.yaml", []byte(`
users:
  - {id: alice, name: Alice, contact_methods: [{id: alice-hook, type: webhook, address: "https://hooks.example.com/a"}]}
  - {id: bob, name: Bob, contact_methods: [{id: bob-hook, type: webhook, address: "https://hooks.example.com/b"}]}
escalation_policies:
  - id: web
    name: Web
    levels:
      - {targets: [{user: alice}], escalate_after_minutes: 60}
      - {targets: [{user: bob}], escalate_after_minutes: 60}
services:
  - {id: shop, name: Shop, escalation_policy: web}
hypercare_windows:
  - id: peak
    name: Peak week
    time_zone: UTC
    start: "2026-11-26T23:00"
    end: "2026-12-03T23:00"
    services: [shop]
    fatigue: {max_pages: 2, per_hours: 72, max_night_pages: 1000}
retention:
  notifications_days: 1
`))
		if err != nil {
			t.Fatal(err)
		}
		_, services, _ := cfg.Catalog()
		dir := escalate.NewDirectory(cfg.Users(), cfg.Schedules(), cfg.EscalationPolicies(), services, cfg.Windows())
		w.esc.SetDirectory(dir)
		w.in.SetPolicies(dir.PoliciesByService(), func() {})
		channels := notify.NewRegistry()
		channels.Register(hypercare.ContactWebhook, sent{})
		deliver := notify.NewEngine(w.st, w.clock, channels, func() notify.Directory { return w.esc.Directory() }, discard())

		open := func(key string) string {
			t.Helper()
			res, err := w.in.Process(ctx, integration, []hypercare.Event{{Action: hypercare.ActionTrigger, DedupKey: key,
				Summary: "Checkout down", Severity: hypercare.SeverityCritical}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.esc.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := deliver.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
			return res[0].IncidentID
		}
		// Alice is paged twice within the guardrail's 72 h; both
		// incidents resolve.
		for _, key := range []string{"a", "b"} {
			open(key)
			w.send(t, hypercare.ActionResolve, []string{key})
			w.clock.Advance(time.Hour)
		}
		w.clock.Advance(46 * time.Hour) // 48 h after the first page: within 72 h

		eng := retention.New(w.st, w.clock, cfg.Retention, discard())
		if _, err := eng.Pass(ctx); err != nil {
			t.Fatal(err)
		}

		inc := open("c") // alice's third page in 72 h: over the guardrail
		ns, err := w.st.ListNotifications(ctx, inc)
		if err != nil {
			t.Fatal(err)
		}
		var paged []string
		for _, n := range ns {
			paged = append(paged, n.UserID)
		}
		if !slices.Contains(paged, "bob") {
			prior, _ := w.st.RecentPages(ctx, "alice", w.clock.Now().Add(-72*time.Hour))
			t.Errorf("third incident paged %v; want bob paged too (alice's 3rd page in 72 h, limit 2), "+
				"but retention left alice with %d earlier page(s) in the guardrail's 72 h", paged, len(prior))
		}
	})
}

// sent is a channel that accepts every page.
type sent struct{}

func (sent) Send(context.Context, notify.Message) error { return nil }
