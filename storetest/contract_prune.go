package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// Retention fixtures: "old" is before the cutoff, "recent" after it.
var (
	pruneOld    = at(24 * time.Hour)
	pruneCutoff = at(10 * 24 * time.Hour)
	pruneRecent = at(20 * 24 * time.Hour)
)

// pruneFixture writes incidents in every state retention must tell apart.
// inc-old (resolved long ago) and the standalone resolved alert must go
// with everything referencing them; the others must stay whole.
func pruneFixture(t *testing.T, s *store.Store) {
	ctx := t.Context()
	type spec struct {
		id         string
		resolvedAt *time.Time
		alertOpen  bool
		pageStatus string
		escStatus  string
	}
	specs := []spec{
		{"inc-old", &pruneOld, false, hypercare.NotificationSent, hypercare.EscalationDone},
		{"inc-open", nil, true, hypercare.NotificationSent, hypercare.EscalationActive},
		{"inc-recent", &pruneRecent, false, hypercare.NotificationFailed, hypercare.EscalationDone},
		{"inc-pending", &pruneOld, false, hypercare.NotificationPending, hypercare.EscalationDone},
		{"inc-upstream", &pruneOld, false, hypercare.NotificationCancelled, hypercare.EscalationDone},
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for i, sp := range specs {
			inc := incident(sp.id, int64(i+1), svcCheckout)
			inc.CreatedAt, inc.UpdatedAt = pruneOld, pruneOld
			switch sp.id { // held by silences that ended long ago
			case "inc-open":
				inc.SuppressedBy = "silence:sil-holding"
			case "inc-recent":
				inc.SuppressedBy = "silence:sil-history"
			}
			a := alert("al-"+sp.id, svcCheckout, sp.id, "k-"+sp.id)
			if sp.resolvedAt != nil {
				inc.Status, inc.ResolvedAt, inc.OpenAlertCount = hypercare.StatusResolved, sp.resolvedAt, 0
				a.Status, a.ResolvedAt = hypercare.StatusResolved, sp.resolvedAt
			}
			if err := tx.InsertIncident(ctx, inc); err != nil {
				return err
			}
			if err := tx.InsertAlert(ctx, a); err != nil {
				return err
			}
			for j := range 12 { // more than one batch of 10
				err := tx.AppendTimeline(ctx, &hypercare.TimelineEntry{ID: fmt.Sprintf("tl-%s-%02d", sp.id, j), IncidentID: sp.id,
					At: pruneOld, Type: "note", Actor: hypercare.SystemActor, Message: "m"})
				if err != nil {
					return err
				}
			}
			n := page("pg-"+sp.id, sp.id, "hook", 0, pruneOld)
			n.Status, n.CreatedAt = sp.pageStatus, pruneOld
			if err := tx.InsertNotification(ctx, n); err != nil {
				return err
			}
			e := escalationState(sp.id, pruneOld)
			e.Status, e.UpdatedAt = sp.escStatus, pruneOld
			if err := tx.SaveEscalation(ctx, e); err != nil {
				return err
			}
			err := tx.(hypercare.FeedbackTx).SetFeedback(ctx, sp.id, &hypercare.Feedback{Verdict: hypercare.VerdictNoise,
				By: hypercare.SystemActor, At: pruneOld})
			if err != nil {
				return err
			}
			if err := tx.SetSymptomGrace(ctx, &hypercare.SymptomGrace{IncidentID: sp.id, RecoveringSince: pruneOld, DueAt: pruneOld}); err != nil {
				return err
			}
			// A notification group's incident was merged into this one.
			merged := &hypercare.Incident{ID: "merged-" + sp.id, ServiceID: svcCheckout, GroupKey: "{}:{g=" + sp.id + "}"}
			if err := tx.MergeGroup(ctx, merged, sp.id); err != nil {
				return err
			}
		}
		// Symptoms: a resolved one of inc-old goes with it; an open one
		// of inc-upstream keeps that incident.
		for _, sym := range []struct {
			id, of string
			open   bool
		}{{"sym-old", "inc-old", false}, {"sym-open", "inc-upstream", true}} {
			a := alert(sym.id, svcSearch, "", sym.id)
			a.SymptomOf = sym.of
			if !sym.open {
				a.Status, a.ResolvedAt = hypercare.StatusResolved, &pruneOld
			}
			if err := tx.InsertAlert(ctx, a); err != nil {
				return err
			}
		}
		// Standalone alerts (suppressed by a rule): resolved long ago
		// goes; still open or resolved recently stays.
		for _, sa := range []struct {
			id         string
			resolvedAt *time.Time
		}{{"solo-old", &pruneOld}, {"solo-open", nil}, {"solo-recent", &pruneRecent}} {
			a := alert(sa.id, svcSearch, "", sa.id)
			if sa.resolvedAt != nil {
				a.Status, a.ResolvedAt = hypercare.StatusResolved, sa.resolvedAt
			}
			if err := tx.InsertAlert(ctx, a); err != nil {
				return err
			}
		}
		for i, when := range []time.Time{pruneOld, pruneOld, pruneRecent} {
			e := event(fmt.Sprintf("ev-%d", i))
			e.ReceivedAt = when
			if err := tx.InsertEvent(ctx, e); err != nil {
				return err
			}
			err := tx.InsertChangeEvent(ctx, &hypercare.ChangeEvent{ID: fmt.Sprintf("ch-%d", i), ServiceID: svcCheckout,
				IntegrationID: "checkout-v2", Summary: "deploy", Source: "ci", Timestamp: when, ReceivedAt: when})
			if err != nil {
				return err
			}
		}
		// Silences that ended long ago go, unless an open incident is still
		// held by one (a resolved one's suppressed_by is history).
		for _, sl := range []struct {
			id   string
			ends time.Time
		}{{"sil-old", pruneOld}, {"sil-holding", pruneOld}, {"sil-history", pruneOld}, {"sil-recent", pruneRecent}} {
			err := tx.InsertSilence(ctx, &hypercare.Silence{ID: sl.id, Matchers: []string{`env="prod"`}, StartsAt: pruneOld.Add(-time.Hour),
				EndsAt: sl.ends, Comment: "deploy", CreatedBy: "ci", CreatedAt: pruneOld.Add(-time.Hour)})
			if err != nil {
				return err
			}
		}
		// Change events are kept by when they arrived, not by the sender's
		// clock: one stamped long ago that just arrived stays, one
		// stamped a year ahead that arrived long ago goes.
		for _, c := range []struct {
			id           string
			stamp, recvd time.Time
		}{{"ch-stamped-old", pruneOld, pruneRecent}, {"ch-stamped-ahead", at(365 * 24 * time.Hour), pruneOld}} {
			err := tx.InsertChangeEvent(ctx, &hypercare.ChangeEvent{ID: c.id, ServiceID: svcCheckout,
				IntegrationID: "checkout-v2", Summary: "deploy", Source: "ci", Timestamp: c.stamp, ReceivedAt: c.recvd})
			if err != nil {
				return err
			}
		}
		return nil
	})
	for _, sp := range specs {
		if err := s.SaveChatThread(ctx, sp.id, "C1", "C1", "1.2", pruneOld); err != nil {
			t.Fatal(err)
		}
	}
}

// pruneAll calls Prune until it reports nothing more, bounding the loop.
func pruneAll(t *testing.T, s *store.Store, c hypercare.RetentionCutoffs, limit int) hypercare.PruneResult {
	t.Helper()
	var total hypercare.PruneResult
	for i := 0; ; i++ {
		r, err := s.Prune(t.Context(), c, limit)
		if err != nil {
			t.Fatalf("Prune: %v", err)
		}
		if limit > 0 && r.Total() > int64(limit)+int64(limit/8+1) {
			t.Fatalf("one Prune deleted %d rows, limit %d: %+v", r.Total(), limit, r)
		}
		total.Add(r)
		if !r.More {
			total.More = false
			return total
		}
		if i > 100 {
			t.Fatalf("Prune still has more after %d batches: %+v", i, total)
		}
	}
}

// testPrune: retention deletes old finished history in batches, with
// every row that references it, and keeps anything still live or recent.
func testPrune(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	StartRun(t, s)
	pruneFixture(t, s)
	before := counts(t, s)

	// Pages and escalations alone: only those of incidents resolved
	// before the cutoff, finished, go; the incidents stay.
	got := pruneAll(t, s, hypercare.RetentionCutoffs{Notifications: pruneCutoff, Escalations: pruneCutoff}, 0)
	// inc-old, inc-pending (its escalation; its page is pending) and
	// inc-upstream lose their finished pages and done escalations.
	if got.Notifications != 2 || got.Escalations != 3 || got.Incidents != 0 || got.Events != 0 {
		t.Errorf("pages/escalations prune = %+v, want 2 pages and 3 escalations", got)
	}
	if ns, err := s.ListNotifications(ctx, "inc-open"); err != nil || len(ns) != 1 {
		t.Errorf("an open incident's sent page was pruned: %v %v", ns, err)
	}

	all := hypercare.RetentionCutoffs{Events: pruneCutoff, Notifications: pruneCutoff, Escalations: pruneCutoff, Incidents: pruneCutoff}
	got = pruneAll(t, s, all, 10)
	if got.Incidents != 1 || got.Alerts != 3 || got.Timeline != 12 || got.Events != 2 || got.ChangeEvents != 3 || got.Other != 4 || got.Silences != 2 {
		t.Errorf("full prune = %+v, want inc-old (1 alert, 12 timeline, 4 others), its symptom, solo-old, 2 events, 3 changes, 2 silences", got)
	}
	changes, _, err := s.ListChangeEvents(ctx, hypercare.ChangeFilter{Page: hypercare.Page{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, c := range changes {
		left = append(left, c.ID)
	}
	slices.Sort(left)
	if want := []string{"ch-2", "ch-stamped-old"}; !slices.Equal(left, want) {
		t.Errorf("change events left %v, want %v (pruned by arrival, not by the sender's timestamp)", left, want)
	}
	for id, kept := range map[string]bool{"sil-old": false, "sil-history": false, "sil-holding": true, "sil-recent": true} {
		if _, err := s.GetSilence(ctx, id); kept != (err == nil) || !kept && !hypercare.IsNotFound(err) {
			t.Errorf("silence %s after prune: %v; want kept %t", id, err, kept)
		}
	}
	if _, err := s.GetIncident(ctx, "inc-old"); !hypercare.IsNotFound(err) {
		t.Errorf("inc-old after prune: %v, want not found", err)
	}
	for _, id := range []string{"inc-open", "inc-recent", "inc-pending", "inc-upstream"} {
		if _, err := s.GetIncident(ctx, id); err != nil {
			t.Errorf("%s was pruned: %v", id, err)
		}
		if tl, _, err := s.ListTimeline(ctx, id, hypercare.Page{Limit: 100}); err != nil || len(tl) != 12 {
			t.Errorf("%s timeline = %d entries %v, want 12", id, len(tl), err)
		}
	}
	after := counts(t, s)
	wantGone := map[string]int64{"incidents": 1, "alerts": 3, "timeline": 12, "notifications": 2, "escalations": 3,
		"incident_feedback": 1, "chat_threads": 1, "symptom_grace": 1, "merged_groups": 1, "silences": 2, "events": 2, "change_events": 3}
	for table, n := range wantGone {
		if before[table]-after[table] != n {
			t.Errorf("%s: %d rows before, %d after; want %d deleted", table, before[table], after[table], n)
		}
	}
	orphans, err := s.Orphans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for ref, n := range orphans {
		if n != 0 {
			t.Errorf("%d rows of %s name a deleted incident", n, ref)
		}
	}
	if again := pruneAll(t, s, all, 10); again.Total() != 0 {
		t.Errorf("a second prune deleted %+v, want nothing", again)
	}
	if r, err := s.Prune(ctx, hypercare.RetentionCutoffs{}, 10); err != nil || r.Total() != 0 {
		t.Errorf("prune with retention off = %+v %v, want nothing", r, err)
	}
}

func counts(t *testing.T, s *store.Store) map[string]int64 {
	t.Helper()
	c, err := s.TableCounts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return c
}
