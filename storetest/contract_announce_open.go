package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testOpenAnnouncements: what a restarted announcer compares with its
// config is every start sent without an end for the same occurrence and
// target, and every end not yet sent; a start whose end exists (sent or
// not), a start never sent, and a sent end are not open.
func testOpenAnnouncements(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := context.Background()
	s := open(t)
	row := func(id, edge string, occ time.Duration, target string) hypercare.Announcement {
		return hypercare.Announcement{ID: id, Subject: "maintenance:m", Edge: edge, OccurrenceAt: at(occ),
			Target: target, Message: edge, DueAt: at(0), CreatedAt: at(0)}
	}
	hook, chat := "user:alice:alice-hook", "direct:abc"
	rows := []hypercare.Announcement{
		row("s-open", "start", 0, hook),                // sent, no end: open
		row("s-ended", "start", 0, chat),               // sent, end sent
		row("e-ended", "end", 0, chat),                 //
		row("s-pending-end", "start", time.Hour, hook), // sent, end pending
		row("e-pending", "end", time.Hour, hook),       // unsent end: open
		row("s-unsent", "start", 2*time.Hour, hook),    // never sent
	}
	if n, err := s.ScheduleAnnouncements(ctx, rows); err != nil || n != len(rows) {
		t.Fatalf("schedule: %d %v", n, err)
	}
	claimed, err := s.ClaimAnnouncements(ctx, at(0), at(time.Minute), 10)
	if err != nil || len(claimed) != len(rows) {
		t.Fatalf("claim: %d %v", len(claimed), err)
	}
	for i := range claimed {
		a := &claimed[i]
		a.Status, a.SentAt = "sent", ptr(at(time.Second))
		if a.ID == "e-pending" || a.ID == "s-unsent" {
			a.Status, a.SentAt = "pending", nil
		}
		if a.ID == "s-unsent" {
			a.Status = "failed"
		}
		if err := s.UpdateAnnouncement(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.OpenAnnouncements(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range got {
		ids = append(ids, a.ID)
	}
	if want := []string{"s-open", "e-pending"}; !slices.Equal(ids, want) {
		t.Errorf("OpenAnnouncements = %q, want %q", ids, want)
	}
}
