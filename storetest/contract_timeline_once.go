package storetest

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testAppendTimelineOnce: AppendTimelineOnce says at once, inside the
// transaction, whether its entry was new, so a caller can add a second
// entry only when the first was already told (the delivery throttle's
// "still delayed"), on PostgreSQL too, where AppendTimeline is pipelined
// and reports a duplicate only at commit.
func testAppendTimelineOnce(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	entry := func(id, msg string) *hypercare.TimelineEntry {
		return &hypercare.TimelineEntry{ID: id, IncidentID: "inc-1", At: at(time.Second), Type: hypercare.TimelineNote,
			Actor: hypercare.SystemActor, Message: msg}
	}
	var first, again, later bool
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, incident("inc-1", 1, svcCheckout)); err != nil {
			return err
		}
		var err error
		if first, err = tx.AppendTimelineOnce(ctx, entry("tl-1", "delayed")); err != nil {
			return err
		}
		if again, err = tx.AppendTimelineOnce(ctx, entry("tl-1", "delayed again")); err != nil {
			return err
		}
		if !again {
			later, err = tx.AppendTimelineOnce(ctx, entry("tl-2", "still delayed"))
		}
		return err
	})
	if !first || again || !later {
		t.Fatalf("added = %v, %v, %v; want true, false, true", first, again, later)
	}
	tl, _, err := s.ListTimeline(ctx, "inc-1", hypercare.Page{})
	if err != nil || len(tl) != 2 || tl[0].Message != "delayed" || tl[1].Message != "still delayed" {
		t.Fatalf("ListTimeline = %+v, %v", tl, err)
	}
}

// testLatestTimeline: LatestTimeline returns the newest entries, oldest
// first, and says whether older ones exist (the web UI's incident page
// on a timeline a storm has grown long).
func testLatestTimeline(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, incident("inc-1", 1, svcCheckout)); err != nil {
			return err
		}
		for i := range 5 {
			// Two entries share each instant: id breaks the tie.
			if err := tx.AppendTimeline(ctx, &hypercare.TimelineEntry{ID: "tl-" + string(rune('a'+i)), IncidentID: "inc-1",
				At: at(time.Duration(i/2) * time.Second), Type: hypercare.TimelineNote, Actor: hypercare.SystemActor,
				Message: string(rune('a' + i))}); err != nil {
				return err
			}
		}
		return nil
	})
	msgs := func(tl []hypercare.TimelineEntry) string {
		var b []byte
		for _, e := range tl {
			b = append(b, e.Message...)
		}
		return string(b)
	}
	tl, older, err := s.LatestTimeline(ctx, "inc-1", 3)
	if err != nil || msgs(tl) != "cde" || !older {
		t.Fatalf("LatestTimeline(3) = %q, %v, %v; want cde, older entries", msgs(tl), older, err)
	}
	tl, older, err = s.LatestTimeline(ctx, "inc-1", 5)
	if err != nil || msgs(tl) != "abcde" || older {
		t.Fatalf("LatestTimeline(5) = %q, %v, %v; want abcde, none older", msgs(tl), older, err)
	}
}
