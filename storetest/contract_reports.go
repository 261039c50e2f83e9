package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// seedReports writes the fixture of the report reads: inside [t0, t0+1h)
// two checkout incidents and one search incident, three alerts, seven
// events, pages and change events; one of each outside the range.
func seedReports(t *testing.T, s *store.Store) {
	ctx := context.Background()
	out := at(2 * time.Hour)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		late := incident("inc-late", 10, svcCheckout)
		late.CreatedAt = out
		acked, resolved := at(5*time.Minute), at(30*time.Minute)
		first := incident("inc-1", 1, svcCheckout)
		first.AcknowledgedAt, first.ResolvedAt, first.Status = &acked, &resolved, hypercare.StatusResolved
		held := incident("inc-2", 2, svcCheckout)
		held.SuppressedBy, held.SuppressedUntil = "maintenance:deploys", &resolved
		for _, inc := range []*hypercare.Incident{first, held,
			incident("inc-3", 3, svcSearch), late} {
			if err := tx.InsertIncident(ctx, inc); err != nil {
				return err
			}
		}
		a2, a4 := alert("a2", svcCheckout, "", "k2"), alert("a4", svcCheckout, "inc-late", "k9")
		a4.FirstSeenAt = out
		for _, a := range []*hypercare.Alert{alert("a1", svcCheckout, "inc-1", "k1"), a2,
			alert("a3", svcSearch, "inc-3", "k3"), a4} {
			if err := tx.InsertAlert(ctx, a); err != nil {
				return err
			}
		}
		for i, e := range []struct {
			svc, key, outcome string
			d                 time.Duration
		}{{svcCheckout, "k1", "created", 0}, {svcCheckout, "k1", "updated", time.Minute},
			{svcCheckout, "k1", "updated", 2 * time.Minute}, {svcCheckout, "k2", "suppressed", 0},
			{svcSearch, "k3", "created", 0}, {svcSearch, "k3", "updated", time.Minute},
			{svcCheckout, "k1", "dropped", 3 * time.Minute}, {svcCheckout, "k9", "created", 2 * time.Hour}} {
			ev := event("ev-" + string(rune('a'+i)))
			ev.ServiceID, ev.DedupKey, ev.Outcome, ev.ReceivedAt = e.svc, e.key, e.outcome, at(e.d)
			if err := tx.InsertEvent(ctx, ev); err != nil {
				return err
			}
		}
		pages := []*hypercare.Notification{page("n1", "inc-1", "alice-hook", 1, t0), page("n2", "inc-1", "alice-sms", 1, t0),
			page("n3", "inc-1", "alice-hook", 2, t0), page("n4", "inc-1", "bob-hook", 1, t0),
			page("n5", "inc-3", "alice-hook", 1, t0), page("n6", "inc-late", "alice-hook", 1, t0)}
		pages[1].CreatedAt = at(2 * time.Minute)
		pages[2].CreatedAt = at(10 * time.Minute)
		pages[3].UserID = "bob"
		pages[4].Status = hypercare.NotificationCancelled
		pages[5].CreatedAt = out
		for _, n := range pages {
			if err := tx.InsertNotification(ctx, n); err != nil {
				return err
			}
		}
		for _, c := range []*hypercare.ChangeEvent{
			{ID: "ch-1", ServiceID: svcCheckout, Summary: "deploy v2", Timestamp: at(20 * time.Minute), ReceivedAt: t0, FreezeWindow: "bfcm"},
			{ID: "ch-2", ServiceID: svcCheckout, Summary: "deploy v1", Timestamp: at(10 * time.Minute), ReceivedAt: t0, FreezeWindow: "bfcm"},
			{ID: "ch-3", ServiceID: svcCheckout, Summary: "outside freeze", Timestamp: at(15 * time.Minute), ReceivedAt: t0},
			{ID: "ch-4", ServiceID: svcCheckout, Summary: "later", Timestamp: out, ReceivedAt: out, FreezeWindow: "bfcm"},
		} {
			if err := tx.InsertChangeEvent(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
}

// testFeedback: the last verdict wins and is read back with its actor and
// time; bad verdicts and unknown incidents are refused.
func testFeedback(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	seedReports(t, s)
	alice := hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}
	set := func(id string, v hypercare.Verdict, note string, d time.Duration) error {
		return s.Write(ctx, "test", func(tx hypercare.Tx) error {
			return tx.(hypercare.FeedbackTx).SetFeedback(ctx, id, &hypercare.Feedback{Verdict: v, Note: note, By: alice, At: at(d)})
		})
	}
	for _, err := range []error{set("inc-1", hypercare.VerdictNoise, "flappy", time.Minute),
		set("inc-1", hypercare.VerdictActionable, "real outage", 2*time.Minute), set("inc-3", hypercare.VerdictNoise, "", time.Minute)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, set("inc-2", "meh", "", 0), hypercare.CodeInvalid)
	wantCode(t, set("no-such-incident", hypercare.VerdictNoise, "", 0), hypercare.CodeNotFound)
	got, err := s.IncidentFeedback(ctx, []string{"inc-1", "inc-2", "inc-3"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]hypercare.Feedback{
		"inc-1": {Verdict: hypercare.VerdictActionable, Note: "real outage", By: alice, At: at(2 * time.Minute)},
		"inc-3": {Verdict: hypercare.VerdictNoise, By: alice, At: at(time.Minute)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("IncidentFeedback = %+v, want %+v", got, want)
	}
	stats, err := s.IncidentStats(ctx, t0, at(time.Hour), "")
	if err != nil {
		t.Fatal(err)
	}
	verdicts := map[string]hypercare.Verdict{}
	for _, st := range stats {
		verdicts[st.ID] = st.Verdict
	}
	if w := map[string]hypercare.Verdict{"inc-1": "actionable", "inc-2": "", "inc-3": "noise"}; !reflect.DeepEqual(verdicts, w) {
		t.Errorf("IncidentStats verdicts = %v, want %v", verdicts, w)
	}
	if _, err := s.IncidentFeedback(ctx, []string{"bad\x00id"}); hypercare.ErrorCode(err) != hypercare.CodeInvalid {
		t.Errorf("IncidentFeedback(NUL) = %v, want invalid_argument", err)
	}
}

// testReportReads: every report read counts or lists exactly what is in
// [from, to) (and on the service when one is given).
func testReportReads(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	seedReports(t, s)
	from, to := t0, at(time.Hour)
	check := func(what string, got, want any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s =\n %+v\nwant\n %+v", what, got, want)
		}
	}
	ev, err := s.EventCounts(ctx, from, to, "")
	check("EventCounts", ev, []hypercare.EventCount{{ServiceID: svcCheckout, Outcome: "created", Count: 1},
		{ServiceID: svcCheckout, Outcome: "dropped", Count: 1},
		{ServiceID: svcCheckout, Outcome: "suppressed", Count: 1}, {ServiceID: svcCheckout, Outcome: "updated", Count: 2},
		{ServiceID: svcSearch, Outcome: "created", Count: 1}, {ServiceID: svcSearch, Outcome: "updated", Count: 1}}, err)
	ev, err = s.EventCounts(ctx, from, to, svcSearch)
	check("EventCounts(search)", ev, []hypercare.EventCount{{ServiceID: svcSearch, Outcome: "created", Count: 1},
		{ServiceID: svcSearch, Outcome: "updated", Count: 1}}, err)
	al, err := s.AlertCounts(ctx, from, to, "")
	check("AlertCounts", al, []hypercare.AlertCount{{ServiceID: svcCheckout, Alerts: 2, WithoutIncident: 1},
		{ServiceID: svcSearch, Alerts: 1, WithoutIncident: 0}}, err)
	st, err := s.IncidentStats(ctx, from, to, svcCheckout)
	acked, resolved := at(5*time.Minute), at(30*time.Minute)
	check("IncidentStats(checkout)", st, []hypercare.IncidentStat{
		{ID: "inc-1", Number: 1, ServiceID: svcCheckout, CreatedAt: at(time.Second), AcknowledgedAt: &acked, ResolvedAt: &resolved,
			FirstResolvedAt: &resolved, FirstPageAt: ptr(t0)},
		{ID: "inc-2", Number: 2, ServiceID: svcCheckout, CreatedAt: at(2 * time.Second), Held: true}}, err)
	pg, err := s.PageStats(ctx, from, to, "")
	check("PageStats", pg, []hypercare.PageStat{{IncidentID: "inc-1", ServiceID: svcCheckout, UserID: "alice", Step: 1, At: t0},
		{IncidentID: "inc-1", ServiceID: svcCheckout, UserID: "bob", Step: 1, At: t0},
		{IncidentID: "inc-1", ServiceID: svcCheckout, UserID: "alice", Step: 2, At: at(10 * time.Minute)}}, err)
	pg, err = s.PageStats(ctx, from, to, svcSearch)
	check("PageStats(search)", pg, []hypercare.PageStat{}, err)
	keys, err := s.NoisiestKeys(ctx, from, to, "", 2)
	check("NoisiestKeys", keys, []hypercare.KeyCount{{ServiceID: svcCheckout, DedupKey: "k1", Summary: "disk k1 full", Events: 4}, {ServiceID: svcSearch, DedupKey: "k3", Summary: "disk k3 full", Events: 2}}, err)
	ch, err := s.FreezeChanges(ctx, "bfcm", from, to, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) != 2 || ch[0].ID != "ch-2" || ch[1].ID != "ch-1" || !ch[0].FreezeViolation {
		t.Errorf("FreezeChanges = %+v, want ch-2 then ch-1, flagged", ch)
	}
	if _, err := s.EventCounts(ctx, from, to, "bad\x00svc"); hypercare.ErrorCode(err) != hypercare.CodeInvalid {
		t.Errorf("EventCounts(NUL) = %v, want invalid_argument", err)
	}
}

// testReportFirstAck: an incident acknowledged, re-triggered by its ack
// timeout and acknowledged again reports its first acknowledgement (the
// timeline's), so MTTA is the time until someone first answered, not until
// the last of them; without an acknowledgement on the timeline (pruned,
// or written without one) the incident's acknowledged_at counts.
func testReportFirstAck(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	seedReports(t, s)
	second := at(40 * time.Minute)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		inc := incident("inc-9", 9, svcSearch)
		inc.AcknowledgedAt, inc.Status = &second, hypercare.StatusAcknowledged
		if err := tx.InsertIncident(ctx, inc); err != nil {
			return err
		}
		alice := hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}
		for i, e := range []struct {
			typ string
			d   time.Duration
		}{{hypercare.TimelineTriggered, 0}, {hypercare.TimelineAcknowledged, 2 * time.Minute},
			{hypercare.TimelineTriggered, 32 * time.Minute}, {hypercare.TimelineAcknowledged, 40 * time.Minute}} {
			if err := tx.AppendTimeline(ctx, &hypercare.TimelineEntry{ID: fmt.Sprintf("tl-9-%d", i), IncidentID: "inc-9",
				At: at(e.d), Type: e.typ, Actor: alice, Message: e.typ}); err != nil {
				return err
			}
		}
		return nil
	})
	stats, err := s.IncidentStats(ctx, t0, at(time.Hour), "")
	if err != nil {
		t.Fatal(err)
	}
	acked := map[string]*time.Time{}
	for _, st := range stats {
		acked[st.ID] = st.AcknowledgedAt
	}
	if a := acked["inc-9"]; a == nil || !a.Equal(at(2*time.Minute)) {
		t.Errorf("inc-9 acknowledged at %v, want its first acknowledgement %v", a, at(2*time.Minute))
	}
	if a := acked["inc-1"]; a == nil || !a.Equal(at(5*time.Minute)) {
		t.Errorf("inc-1 acknowledged at %v, want acknowledged_at %v (no timeline entry)", a, at(5*time.Minute))
	}
	if a := acked["inc-2"]; a != nil {
		t.Errorf("inc-2 acknowledged at %v, want never", a)
	}
}

// testReportPagesAsSent: a page's time in the reports is when it was sent
// (a low-urgency page made at 03:00 and held by quiet hours until 07:00
// did not wake anyone at 03:00), else when it was made (never sent); a
// digest standing for held pages is not a page of its own: the held
// pages it carried are (one per incident, step and user), so a digest of
// two pages counts two, not three.
func testReportPagesAsSent(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	sent := at(30 * time.Minute)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for i, id := range []string{"inc-q", "inc-d1", "inc-d2"} {
			if err := tx.InsertIncident(ctx, incident(id, int64(i+1), svcCheckout)); err != nil {
				return err
			}
		}
		held := page("n-q", "inc-q", "alice-hook", 1, sent)
		held.Status, held.SentAt = hypercare.NotificationSent, &sent
		d1, d2 := page("n-d1", "inc-d1", "alice-hook", 1, t0), page("n-d2", "inc-d2", "alice-hook", 1, t0)
		d1.Kind, d1.Status, d1.DigestID = hypercare.NotificationHeld, "digested", "n-dg"
		d2.Kind, d2.Status, d2.DigestID = hypercare.NotificationHeld, "digested", "n-dg"
		dg := page("n-dg", "inc-d1", "alice-hook", -2, at(10*time.Minute))
		dg.Kind, dg.Status, dg.SentAt, dg.CreatedAt = hypercare.NotificationDigest, hypercare.NotificationSent, ptr(at(10*time.Minute)), at(10*time.Minute)
		for _, n := range []*hypercare.Notification{held, d1, d2, dg} {
			if err := tx.InsertNotification(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	pages, err := s.PageStats(ctx, t0, at(time.Hour), "")
	if err != nil {
		t.Fatal(err)
	}
	want := []hypercare.PageStat{
		{IncidentID: "inc-d1", ServiceID: svcCheckout, UserID: "alice", Step: 1, At: t0},
		{IncidentID: "inc-d2", ServiceID: svcCheckout, UserID: "alice", Step: 1, At: t0},
		{IncidentID: "inc-q", ServiceID: svcCheckout, UserID: "alice", Step: 1, At: sent},
	}
	if !reflect.DeepEqual(pages, want) {
		t.Errorf("PageStats =\n %+v\nwant\n %+v", pages, want)
	}
}
