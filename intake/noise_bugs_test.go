package intake

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/rules"
	"github.com/hypercare/hypercare/storetest"
)

// TestTransientCountsTheIncidentsAge: an incident held open for 21
// minutes (its first page delayed 30 by a rule, pause 5) whose alerts
// all resolve before its page is due (the join at 20 minutes brought it
// forward to 25) paged nobody and is transient, as a rule-delayed blip is
// (TestRuleDelayedBlipIsTransient); one whose alerts all resolve within
// the pause is too. (It used to be no blip, for its age past the pause.)
func TestTransientCountsTheIncidentsAge(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		hold := rules.Spec{ID: "hold", When: `summary == "Checkout down"`, Then: rules.Then{Delay: 30 * time.Minute}}
		b := newNoiseHarness(t, eng, map[string]correlate.Noise{"shop": {Pause: 5 * time.Minute,
			Grouping: correlate.Grouping{Type: correlate.GroupTime, Window: time.Hour}}}, hold)
		b.send("shop", triggerOf("a", "Checkout down", hypercare.SeverityCritical))
		b.clk.Advance(20 * time.Minute)
		b.send("shop", triggerOf("b", "Checkout 5xx", hypercare.SeverityCritical)) // joins
		b.send("shop", action(hypercare.ActionResolve, "a"))
		b.clk.Advance(time.Minute)
		b.send("shop", action(hypercare.ActionResolve, "b"))
		b.clk.Advance(2 * time.Hour)
		b.send("shop", triggerOf("c", "Checkout blip", hypercare.SeverityCritical))
		b.clk.Advance(time.Minute)
		b.send("shop", action(hypercare.ActionResolve, "c"))
		incs := b.incidents()
		if len(incs) != 2 || incs[0].Status != hypercare.StatusResolved || incs[1].Status != hypercare.StatusResolved {
			t.Fatalf("incidents %+v; want two, resolved", incs)
		}
		if !incs[0].Transient {
			t.Error("an incident resolved, unpaged, before its page was due not marked transient")
		}
		if !incs[1].Transient {
			t.Error("a blip of one minute (pause 5) not marked transient")
		}
	})
}

// TestAcknowledgedSymptomPromotedAcknowledged: a symptom its sender
// acknowledged, still firing when its upstream incident is resolved by
// hand, becomes an incident of its own that is acknowledged and pages
// nobody (a later acknowledge event would find nothing to acknowledge,
// so only a person could have stopped the page).
func TestAcknowledgedSymptomPromotedAcknowledged(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		b := newNoiseHarness(t, eng, map[string]correlate.Noise{"shop": {Upstream: []string{"db"}, SymptomGrace: 10 * time.Minute}})
		b.send("db", triggerOf("db", "DB down", hypercare.SeverityCritical))
		b.send("shop", triggerOf("s", "Checkout slow", hypercare.SeverityCritical))
		b.send("shop", action(hypercare.ActionAcknowledge, "s"))
		svc := &incident.Service{Store: b.st, Clock: b.clk, Policies: b.in.Policy}
		if _, err := svc.Resolve(context.Background(), "1", hypercare.Actor{Type: hypercare.ActorUser, ID: "u", Name: "U"}); err != nil {
			t.Fatal(err)
		}
		incs := b.incidents()
		if len(incs) != 2 || incs[1].ServiceID != "shop" {
			t.Fatalf("incidents %+v; want db's and the promoted one on shop", incs)
		}
		if incs[1].Status != hypercare.StatusAcknowledged {
			t.Errorf("promoted incident %s, want acknowledged (its only alert is)", incs[1].Status)
		}
		if st := b.esc(incs[1].ID); st != nil && st.Status == hypercare.EscalationActive && !st.DueAt.After(b.clk.Now()) {
			t.Errorf("promoted incident's escalation %+v pages now", st)
		}
	})
}

// suppressWarnings is a rule that suppresses warnings.
var suppressWarnings = rules.Spec{ID: "quiet-warnings", When: `severity == "warning"`, Then: rules.Then{Suppress: true}}

// TestUnsuppressedAlertIsPlacedAsNew: an alert suppressed at first (a
// warning) and then not (raised to critical) goes through noise reduction
// like a new alert: its incident's first page waits for the pause, it
// joins an open incident under grouping, and it becomes a symptom of an
// open upstream incident; it used to open an incident of its own that
// paged at once in every case.
func TestUnsuppressedAlertIsPlacedAsNew(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		t.Run("pause", func(t *testing.T) {
			b := newNoiseHarness(t, eng, map[string]correlate.Noise{"shop": {Pause: 5 * time.Minute}}, suppressWarnings)
			b.send("shop", triggerOf("disk", "Disk full", hypercare.SeverityWarning))
			b.send("shop", triggerOf("disk", "Disk full", hypercare.SeverityCritical))
			incs := b.incidents()
			if len(incs) != 1 {
				t.Fatalf("%d incidents, want 1", len(incs))
			}
			if due := b.esc(incs[0].ID).DueAt; !due.Equal(b.clk.Now().Add(5 * time.Minute)) {
				t.Errorf("first page due in %v, want 5m (the pause)", due.Sub(b.clk.Now()))
			}
			if al := b.alerts(); len(al) != 1 || al[0].IncidentID != incs[0].ID || al[0].EventCount != 2 {
				t.Errorf("alerts %+v: want the one alert, in the incident, 2 events", al)
			}
		})
		t.Run("grouping", func(t *testing.T) {
			b := newNoiseHarness(t, eng, map[string]correlate.Noise{"shop": {Grouping: correlate.Grouping{Type: correlate.GroupTime}}}, suppressWarnings)
			b.send("shop", triggerOf("a", "Checkout down", hypercare.SeverityCritical))
			b.send("shop", triggerOf("b", "Disk full", hypercare.SeverityWarning))
			b.send("shop", triggerOf("b", "Disk full", hypercare.SeverityCritical))
			if incs := b.incidents(); len(incs) != 1 || incs[0].AlertCount != 2 {
				t.Errorf("incidents %+v, want 1 of 2 alerts (time grouping)", incs)
			}
		})
		t.Run("dependency", func(t *testing.T) {
			b := newNoiseHarness(t, eng, map[string]correlate.Noise{"shop": {Upstream: []string{"db"}, SymptomGrace: 10 * time.Minute}}, suppressWarnings)
			b.send("db", triggerOf("db", "DB down", hypercare.SeverityCritical))
			b.send("shop", triggerOf("b", "Checkout slow", hypercare.SeverityWarning))
			b.send("shop", triggerOf("b", "Checkout slow", hypercare.SeverityCritical))
			incs := b.incidents()
			if len(incs) != 1 {
				t.Fatalf("%d incidents, want 1 (shop's alert a symptom of db's)", len(incs))
			}
			for _, a := range b.alerts() {
				if a.DedupKey == "b" && a.SymptomOf != incs[0].ID {
					t.Errorf("alert b %+v, want a symptom of incident %s", a, incs[0].ID)
				}
			}
		})
	})
}

// TestRoutedBatchGroupsOnItsServicesWriter: batches from shop's
// integration that a rule routes to db group with db's own single events:
// they run on db's writer, so with time grouping db has one incident.
// With several writers (PostgreSQL) the batches ran on shop's writer, and
// two writers each opened an incident for the same group.
func TestRoutedBatchGroupsOnItsServicesWriter(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		toDB := rules.Spec{ID: "to-db", When: `summary startsWith "DB"`, Then: rules.Then{Route: "db"}}
		for round := range 3 {
			b := newNoiseHarness(t, eng, map[string]correlate.Noise{"db": {Grouping: correlate.Grouping{Type: correlate.GroupTime, Window: time.Hour}}}, toDB)
			var wg sync.WaitGroup
			for i := range 20 {
				wg.Go(func() {
					if _, err := b.in.Process(context.Background(), b.its["db"], []hypercare.Event{
						triggerOf(fmt.Sprintf("s%d", i), "DB x", hypercare.SeverityError)}); err != nil {
						t.Error(err)
					}
				})
				wg.Go(func() {
					if _, err := b.in.Process(context.Background(), b.its["shop"], []hypercare.Event{
						triggerOf(fmt.Sprintf("b%da", i), "DB y", hypercare.SeverityError),
						triggerOf(fmt.Sprintf("b%db", i), "DB z", hypercare.SeverityError)}); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if incs := b.incidents(); len(incs) != 1 || incs[0].ServiceID != "db" || incs[0].AlertCount != 60 {
				var got []string
				for _, inc := range incs {
					got = append(got, fmt.Sprintf("%s: %d alerts", inc.ServiceID, inc.AlertCount))
				}
				t.Errorf("round %d: incidents %v, want one on db of 60 alerts (time grouping, one hour)", round, got)
			}
		}
	})
}

// TestBatchService: a batch keys on the one service its kept events land
// on, else on its integration's.
func TestBatchService(t *testing.T) {
	it := hypercare.Integration{ServiceID: "shop"}
	for _, c := range []struct {
		d    []rules.Decision
		want string
	}{
		{[]rules.Decision{{ServiceID: "db"}, {ServiceID: "db"}}, "db"},
		{[]rules.Decision{{ServiceID: "db"}, {ServiceID: "shop", Drop: true}}, "db"},
		{[]rules.Decision{{ServiceID: "db"}, {ServiceID: "api"}}, "shop"},
		{[]rules.Decision{{ServiceID: "db", Drop: true}}, "shop"},
		{nil, "shop"},
	} {
		if got := batchService(it, c.d); got != c.want {
			t.Errorf("%+v: %q, want %q", c.d, got, c.want)
		}
	}
}

// TestGroupingAcrossNodes: two nodes (two stores and intakes on one
// PostgreSQL database) receiving new alerts of one time-grouped service at
// once open one incident between them: each decision takes the service's
// grouping lock, so the second waits for the first's commit and joins its
// incident. (SQLite has one node.)
func TestGroupingAcrossNodes(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		if eng.Name != "postgres" {
			continue
		}
		noise := map[string]correlate.Noise{"db": {Grouping: correlate.Grouping{Type: correlate.GroupTime, Window: time.Hour}}}
		for round := range 3 {
			a := newNoiseHarness(t, eng, noise)
			b := a.secondNode(t, noise)
			var wg sync.WaitGroup
			for i := range 20 {
				for node, n := range []*noiseHarness{a, b} {
					wg.Go(func() {
						ev := triggerOf(fmt.Sprintf("n%d-%d", node, i), "DB slow", hypercare.SeverityError)
						if _, err := n.in.Process(context.Background(), n.its["db"], []hypercare.Event{ev}); err != nil {
							t.Error(err)
						}
					})
				}
			}
			wg.Wait()
			if incs := a.incidents(); len(incs) != 1 || incs[0].AlertCount != 40 {
				var got []string
				for _, inc := range incs {
					got = append(got, fmt.Sprintf("#%d: %d alerts", inc.Number, inc.AlertCount))
				}
				t.Errorf("round %d: incidents %v, want one of 40 alerts", round, got)
			}
		}
	}
}

// TestMergedRecoveringIncidentLeavesNoGraceTimer: a recovering incident
// (its alert resolved, a symptom still firing) merged into another takes
// its grace timer with it; it used to stay behind, due for nothing.
func TestMergedRecoveringIncidentLeavesNoGraceTimer(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		b := newNoiseHarness(t, eng, map[string]correlate.Noise{"shop": {Upstream: []string{"db"}},
			"db": {SymptomGrace: 10 * time.Minute}})
		b.send("db", triggerOf("db-1", "DB down", hypercare.SeverityCritical))      // #1
		b.send("shop", triggerOf("s", "Checkout slow", hypercare.SeverityCritical)) // a symptom of #1
		b.send("db", triggerOf("db-2", "DB replica down", hypercare.SeverityCritical))
		b.send("db", action(hypercare.ActionResolve, "db-1")) // #1 recovering, grace due in 10 min
		ctx := context.Background()
		due := func() int {
			t.Helper()
			var n int
			if err := b.st.Write(ctx, "read", func(tx hypercare.Tx) error {
				list, err := tx.DueSymptomGraces(ctx, b.clk.Now().Add(time.Hour), 10)
				n = len(list)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := due(); n != 1 {
			t.Fatalf("%d grace timers before the merge, want 1 (incident 1 recovering)", n)
		}
		svc := &incident.Service{Store: b.st, Clock: b.clk, Policies: b.in.Policy}
		if _, err := svc.Merge(ctx, "2", []string{"1"}, hypercare.Actor{Type: hypercare.ActorUser, ID: "u", Name: "U"}); err != nil {
			t.Fatal(err)
		}
		if n := due(); n != 0 {
			t.Errorf("%d grace timers after merging the recovering incident away, want 0", n)
		}
	})
}

// TestRoutedAlertResolvedByItsKey: a trigger a rule routed to db by its
// summary is acknowledged and resolved by PagerDuty-style events that
// carry only the dedup key, which the rule does not match: they find the
// alert on db (a service the integration's rules route to) instead of
// being ignored on shop and leaving it open for good.
func TestRoutedAlertResolvedByItsKey(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		toDB := rules.Spec{ID: "to-db", When: `summary startsWith "DB"`, Then: rules.Then{Route: "db"}}
		b := newNoiseHarness(t, eng, nil, toDB)
		b.send("shop", triggerOf("k1", "DB slow", hypercare.SeverityCritical))
		b.send("shop", triggerOf("k2", "Checkout slow", hypercare.SeverityCritical)) // stays on shop
		for _, act := range []hypercare.Action{hypercare.ActionAcknowledge, hypercare.ActionResolve} {
			if res := b.send("shop", action(act, "k1")); res[0].Outcome == hypercare.OutcomeIgnored {
				t.Fatalf("%s of k1: ignored", act)
			}
		}
		incs := b.incidents()
		if len(incs) != 2 || incs[0].ServiceID != "db" || incs[0].Status != hypercare.StatusResolved ||
			incs[1].ServiceID != "shop" || incs[1].Status != hypercare.StatusTriggered {
			t.Errorf("incidents %+v: want db's resolved and shop's still triggered", incs)
		}
		if res := b.send("shop", action(hypercare.ActionResolve, "k3")); res[0].Outcome != hypercare.OutcomeIgnored {
			t.Errorf("resolve of a key open nowhere: %s, want ignored", res[0].Outcome)
		}
	})
}

// TestBlipWithSymptomsIsTransient: an upstream blip whose own alert and
// whose symptom both resolve within the pause, before any page, is marked
// transient when the incident resolves with its last symptom, as one
// without symptoms is.
func TestBlipWithSymptomsIsTransient(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		b := newNoiseHarness(t, eng, map[string]correlate.Noise{"shop": {Upstream: []string{"db"}},
			"db": {Pause: 5 * time.Minute, SymptomGrace: 10 * time.Minute}})
		b.send("db", triggerOf("db", "DB down", hypercare.SeverityCritical))
		b.send("shop", triggerOf("s", "Checkout slow", hypercare.SeverityCritical)) // a symptom
		b.clk.Advance(time.Minute)
		b.send("db", action(hypercare.ActionResolve, "db")) // recovering: its symptom still fires
		b.clk.Advance(time.Minute)
		b.send("shop", action(hypercare.ActionResolve, "s")) // resolves with it, 2 min after opening
		incs := b.incidents()
		if len(incs) != 1 || incs[0].Status != hypercare.StatusResolved {
			t.Fatalf("incidents %+v; want db's, resolved", incs)
		}
		if !incs[0].Transient {
			t.Error("a 2-minute blip (pause 5) with a symptom, never paged, not marked transient")
		}
	})
}

// TestFeaturelessAlertNotGroupedByExactMatch checks that an alert with no
// features (a summary of numbers only, no source or labels) is not taken
// as an exact match for an incident opened without features (before
// grouping was on): nothing is shared, so it opens its own incident.
func TestFeaturelessAlertNotGroupedByExactMatch(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		b := newNoiseHarness(t, eng, nil)
		b.send("shop", triggerOf("before", "500 502", hypercare.SeverityError)) // grouping off: no features
		b.in.SetNoise(map[string]correlate.Noise{"shop": {Grouping: correlate.Grouping{Type: correlate.GroupIntelligent}}})
		b.send("shop", triggerOf("after", "500 502", hypercare.SeverityError))
		if incs := b.incidents(); len(incs) != 2 {
			t.Fatalf("%d incidents, want 2 (nothing in common, no grouping)", len(incs))
		}
	})
}

// TestAttributesAloneNeverGroupByExactMatch: two alerts whose summaries
// hold no word (addresses, codes) but share every attribute (one host
// class, one component) score 0.3 by similarity, below the threshold, as
// "attributes alone never group" says; the exact-match lookup used to join
// them anyway at "score 1.00", so a second, unrelated failure of the host
// paged nobody.
func TestAttributesAloneNeverGroupByExactMatch(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		b := newNoiseHarness(t, eng, map[string]correlate.Noise{"shop": {Grouping: correlate.Grouping{Type: correlate.GroupIntelligent}}})
		ev := func(key, summary string) hypercare.Event {
			e := triggerOf(key, summary, hypercare.SeverityCritical)
			e.Source, e.Component = "db-1", "postgres"
			return e
		}
		b.send("shop", ev("a", "10.0.0.12:5432"))
		b.send("shop", ev("b", "503 504"))
		if incs := b.incidents(); len(incs) != 2 {
			t.Fatalf("%d incidents (%+v), want 2: attributes alone never group", len(incs), incs)
		}
	})
}

// TestJoiningAlertDoesNotWaitForAnotherAlertsRuleDelay: a batch job's
// warning opens an incident whose first page an event rule holds for 30
// minutes (delay_minutes); a minute later "Checkout down" joins it under
// time grouping. The joining alert asks for no delay, so the incident's
// first page goes out now instead of 29 minutes later; it used to wait
// for the batch rule's delay, a checkout outage silent for half an hour.
// A join that asks for a delay itself (the pause) pages after it.
func TestJoiningAlertDoesNotWaitForAnotherAlertsRuleDelay(t *testing.T) {
	batch := rules.Spec{ID: "batch", When: `summary startsWith "Batch"`, Then: rules.Then{Delay: 30 * time.Minute, Urgency: hypercare.UrgencyLow}}
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		for _, tc := range []struct {
			pause time.Duration
			want  time.Duration
		}{{0, 0}, {5 * time.Minute, 5 * time.Minute}} {
			b := newNoiseHarness(t, eng, map[string]correlate.Noise{"shop": {Pause: tc.pause,
				Grouping: correlate.Grouping{Type: correlate.GroupTime, Window: 15 * time.Minute}}}, batch)
			b.send("shop", triggerOf("batch", "Batch export late", hypercare.SeverityWarning))
			b.clk.Advance(time.Minute)
			b.send("shop", triggerOf("down", "Checkout down", hypercare.SeverityCritical))
			incs := b.incidents()
			if len(incs) != 1 || incs[0].AlertCount != 2 || incs[0].Urgency != hypercare.UrgencyHigh {
				t.Fatalf("incidents %+v, want one of 2 alerts at high urgency", incs)
			}
			if due := b.esc(incs[0].ID).DueAt.Sub(b.clk.Now()); due != tc.want {
				t.Errorf("pause %v: first page due in %v, want %v (the joining alert's own delay)", tc.pause, due, tc.want)
			}
		}
	})
}

// TestHighUrgencySymptomRaisesItsUpstream: "Checkout down" (critical)
// arrives while db has an open incident for a warning, low urgency (low
// urgency reaches nobody by phone and waits out the night's quiet hours),
// whose first page a rule holds for 30 minutes. The checkout alert becomes
// its symptom and pages nobody itself, so the db incident now pages for
// both: at high urgency, and no later than the symptom's own page would
// have gone out. It used to stay low and 30 minutes away.
func TestHighUrgencySymptomRaisesItsUpstream(t *testing.T) {
	slow := rules.Spec{ID: "cert", When: `summary startsWith "Certificate"`, Then: rules.Then{Delay: 30 * time.Minute}}
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		b := newNoiseHarness(t, eng, map[string]correlate.Noise{"shop": {Upstream: []string{"db"}, SymptomGrace: 10 * time.Minute}}, slow)
		b.send("db", triggerOf("cert", "Certificate expires in 10 days", hypercare.SeverityWarning))
		b.clk.Advance(time.Minute)
		if r := b.send("shop", triggerOf("down", "Checkout down", hypercare.SeverityCritical)); r[0].Outcome != hypercare.OutcomeSymptom {
			t.Fatalf("outcome %q, want symptom", r[0].Outcome)
		}
		incs := b.incidents()
		if len(incs) != 1 || incs[0].Urgency != hypercare.UrgencyHigh {
			t.Fatalf("incidents %+v, want db's at high urgency", incs)
		}
		st := b.esc(incs[0].ID)
		if st.Urgency != hypercare.UrgencyHigh || !st.DueAt.Equal(b.clk.Now()) {
			t.Errorf("escalation %+v: want high urgency, first page due now", st)
		}
	})
}
