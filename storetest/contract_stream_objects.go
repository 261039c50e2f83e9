package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testStreamObjects: the outbox records which object changed, and a read
// returns each event with its object as it is when read (a later change
// shows in an earlier event), stamped with when it was read; StreamRefresh
// reads again; an event whose object retention removed still comes back,
// with no object, so a reader moves past it.
func testStreamObjects(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	inc := incident("inc-1", 1, svcCheckout)
	al := alert("al-1", svcCheckout, "inc-1", "d1")
	al.Status, al.ResolvedAt = hypercare.StatusResolved, &t0 // so retention may remove it below
	n := page("pg-1", "inc-1", "alice-hook", 0, t0)
	n.Status = hypercare.NotificationSent
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, inc); err != nil {
			return err
		}
		if err := tx.InsertAlert(ctx, al); err != nil {
			return err
		}
		if err := tx.AppendTimeline(ctx, &hypercare.TimelineEntry{ID: "tl-1", IncidentID: "inc-1", At: t0,
			Type: "trigger", Actor: hypercare.Actor{Type: hypercare.ActorSystem, Name: "x"}, Message: "m"}); err != nil {
			return err
		}
		return tx.InsertNotification(ctx, n)
	})
	inc.Status, inc.Title = hypercare.StatusAcknowledged, "Disk full, looking"
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.UpdateIncident(ctx, inc) })
	settle(t, s)
	before := time.Now()
	evs, err := s.StreamAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ kind, op, id string }{
		{hypercare.StreamIncident, hypercare.StreamCreated, "inc-1"},
		{hypercare.StreamAlert, hypercare.StreamCreated, "al-1"},
		{hypercare.StreamTimeline, hypercare.StreamCreated, "tl-1"},
		{hypercare.StreamNotification, hypercare.StreamCreated, "pg-1"},
		{hypercare.StreamIncident, hypercare.StreamUpdated, "inc-1"},
	}
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(evs), len(want), evs)
	}
	for i, w := range want {
		e := evs[i]
		var obj struct {
			ID     string `json:"id"`
			Status string `json:"status"`
			Title  string `json:"title"`
		}
		if err := json.Unmarshal(e.Object, &obj); err != nil {
			t.Fatalf("event %d object %s: %v", i, e.Object, err)
		}
		if e.Kind != w.kind || e.Op != w.op || e.ObjectID != w.id || obj.ID != w.id {
			t.Errorf("event %d = %s/%s object %q (%s), want %s/%s %q", i, e.Kind, e.Op, e.ObjectID, obj.ID, w.kind, w.op, w.id)
		}
		if e.ReadFrom.Before(before) || e.ReadTo.Before(e.ReadFrom) {
			t.Errorf("event %d read between %v and %v, asked at %v", i, e.ReadFrom, e.ReadTo, before)
		}
		if w.kind == hypercare.StreamIncident && (obj.Status != "acknowledged" || obj.Title != "Disk full, looking") {
			t.Errorf("event %d shows the incident as %s %q, want it as it is now (acknowledged)", i, obj.Status, obj.Title)
		}
	}
	var got hypercare.Alert
	if err := json.Unmarshal(evs[1].Object, &got); err != nil || got.DedupKey != "d1" || got.IncidentID != "inc-1" {
		t.Errorf("alert object = %s (%v)", evs[1].Object, err)
	}

	// Refresh: read again, now.
	inc.Status = hypercare.StatusResolved
	resolved := t0.Add(time.Minute)
	inc.ResolvedAt = &resolved
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.UpdateIncident(ctx, inc) })
	fresh, err := s.StreamRefresh(ctx, evs[:1])
	if err != nil || len(fresh) != 1 || !json.Valid(fresh[0].Object) || fresh[0].ReadFrom.Before(evs[0].ReadTo) {
		t.Fatalf("refresh = %+v, %v", fresh, err)
	}
	var st struct{ Status string }
	if json.Unmarshal(fresh[0].Object, &st); st.Status != "resolved" {
		t.Errorf("refreshed incident is %q, want resolved", st.Status)
	}

	// Retention removes the incident and what hangs off it: the events
	// stay readable, with no object.
	if r, err := s.Prune(ctx, hypercare.RetentionCutoffs{Incidents: t0.Add(time.Hour)}, 100); err != nil || r.Total() == 0 {
		t.Fatalf("prune = %+v, %v", r, err)
	}
	settle(t, s)
	gone, err := s.StreamAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(gone) != len(want)+1 {
		t.Fatalf("after retention %d events, want %d", len(gone), len(want)+1)
	}
	for _, e := range gone {
		if e.Object != nil {
			t.Errorf("event %d (%s %s) still has an object after retention: %s", e.ID, e.Kind, e.ObjectID, e.Object)
		}
	}
}
