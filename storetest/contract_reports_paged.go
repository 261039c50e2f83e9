package storetest

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testReportFirstPage: an incident's first page is its earliest
// notification that reached someone or was meant to (sent, pending, held
// for a digest), never a cancelled one or a digest row; an incident with
// none of those was never paged. When its first page was due but for
// holds is its escalation's ready_at (none without an escalation or with
// a row from before ready_at was kept).
func testReportFirstPage(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for i, id := range []string{"inc-p", "inc-c", "inc-d", "inc-n"} {
			inc := incident(id, int64(i+1), svcCheckout)
			inc.SuppressedBy = "silence:s1"
			if err := tx.InsertIncident(ctx, inc); err != nil {
				return err
			}
		}
		early, late := page("n-p1", "inc-p", "alice-hook", 1, at(20*time.Minute)), page("n-p2", "inc-p", "alice-sms", 1, at(30*time.Minute))
		early.CreatedAt, late.CreatedAt = at(20*time.Minute), at(30*time.Minute)
		cancelled := page("n-c", "inc-c", "alice-hook", 1, at(5*time.Minute))
		cancelled.Status, cancelled.CreatedAt = hypercare.NotificationCancelled, at(5*time.Minute)
		cancelledFirst := page("n-p0", "inc-p", "alice-voice", 1, at(10*time.Minute))
		cancelledFirst.Status, cancelledFirst.CreatedAt = hypercare.NotificationCancelled, at(10*time.Minute)
		digested := page("n-d", "inc-d", "alice-hook", 1, at(40*time.Minute))
		digested.Kind, digested.Status, digested.DigestID, digested.CreatedAt = hypercare.NotificationHeld, "digested", "n-dg", at(40*time.Minute)
		digest := page("n-dg", "inc-n", "alice-hook", -2, at(50*time.Minute))
		digest.Kind, digest.Status, digest.CreatedAt = hypercare.NotificationDigest, hypercare.NotificationSent, at(50*time.Minute)
		delayed := escalationState("inc-p", at(3*time.Minute))
		delayed.ReadyAt = at(3 * time.Minute)
		old := escalationState("inc-c", at(0)) // a row from before ready_at was kept: zero
		for _, e := range []*hypercare.EscalationState{delayed, old} {
			if err := tx.SaveEscalation(ctx, e); err != nil {
				return err
			}
		}
		for _, n := range []*hypercare.Notification{late, early, cancelled, cancelledFirst, digested, digest} {
			if err := tx.InsertNotification(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	stats, err := s.IncidentStats(ctx, t0, at(time.Hour), "")
	if err != nil {
		t.Fatal(err)
	}
	got, due := map[string]*time.Time{}, map[string]*time.Time{}
	for _, st := range stats {
		got[st.ID], due[st.ID] = st.FirstPageAt, st.PageDueAt
	}
	for id, want := range map[string]*time.Time{"inc-p": ptr(at(3 * time.Minute)), "inc-c": nil, "inc-d": nil} {
		if g := due[id]; (g == nil) != (want == nil) || (g != nil && !g.Equal(*want)) {
			t.Errorf("%s first page due at %v, want %v", id, g, want)
		}
	}
	for id, want := range map[string]*time.Time{"inc-p": ptr(at(20 * time.Minute)), "inc-c": nil, "inc-d": ptr(at(40 * time.Minute)), "inc-n": nil} {
		if g := got[id]; (g == nil) != (want == nil) || (g != nil && !g.Equal(*want)) {
			t.Errorf("%s first paged at %v, want %v", id, g, want)
		}
	}
}
