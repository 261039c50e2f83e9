package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testSymptomGrace: the grace timers of recovering incidents — set
// (insert, then replace), due ones oldest first up to limit, cleared
// (twice is fine), counted by NextEscalationDue with the escalation steps;
// bad text refused.
func testSymptomGrace(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	grace := func(id string, due time.Duration) *hypercare.SymptomGrace {
		return &hypercare.SymptomGrace{IncidentID: id, RecoveringSince: at(0), DueAt: at(due)}
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for i, id := range []string{"inc-1", "inc-2", "inc-3"} {
			if err := tx.InsertIncident(ctx, incident(id, int64(i+1), svcCheckout)); err != nil {
				return err
			}
		}
		if err := tx.SaveEscalation(ctx, escalationState("inc-3", at(30*time.Minute))); err != nil {
			return err
		}
		for _, g := range []*hypercare.SymptomGrace{grace("inc-1", time.Hour), grace("inc-2", 20*time.Minute),
			grace("inc-1", 10*time.Minute)} { // the second inc-1 replaces the first
			if err := tx.SetSymptomGrace(ctx, g); err != nil {
				return err
			}
		}
		return nil
	})
	if due, ok, err := s.NextEscalationDue(ctx); !ok || err != nil || !due.Equal(at(10*time.Minute)) {
		t.Fatalf("NextEscalationDue = %v %v %v, want the grace at %v", due, ok, err, at(10*time.Minute))
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		got, err := tx.DueSymptomGraces(ctx, at(25*time.Minute), 10)
		if err != nil {
			return err
		}
		if want := []hypercare.SymptomGrace{*grace("inc-1", 10*time.Minute), *grace("inc-2", 20*time.Minute)}; !reflect.DeepEqual(got, want) {
			t.Errorf("DueSymptomGraces = %+v, want %+v", got, want)
		}
		if got, err := tx.DueSymptomGraces(ctx, at(25*time.Minute), 1); err != nil || len(got) != 1 || got[0].IncidentID != "inc-1" {
			t.Errorf("DueSymptomGraces limit 1 = %+v %v", got, err)
		}
		if got, err := tx.DueSymptomGraces(ctx, at(5*time.Minute), 10); err != nil || len(got) != 0 {
			t.Errorf("DueSymptomGraces before any is due = %+v %v", got, err)
		}
		for _, id := range []string{"inc-1", "inc-1", "inc-9"} {
			if err := tx.ClearSymptomGrace(ctx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if due, ok, err := s.NextEscalationDue(ctx); !ok || err != nil || !due.Equal(at(20*time.Minute)) {
		t.Fatalf("NextEscalationDue after clearing inc-1 = %v %v %v", due, ok, err)
	}
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.ClearSymptomGrace(ctx, "inc-2") })
	if due, ok, err := s.NextEscalationDue(ctx); !ok || err != nil || !due.Equal(at(30*time.Minute)) {
		t.Fatalf("NextEscalationDue with only the escalation left = %v %v %v", due, ok, err)
	}
	err := s.Write(ctx, "test", func(tx hypercare.Tx) error {
		return tx.SetSymptomGrace(ctx, &hypercare.SymptomGrace{IncidentID: nul})
	})
	wantCode(t, err, hypercare.CodeInvalid)
}
