package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testAnnouncementSupersededOutcome: as for pages (SupersededOutcome), an
// announcement whose lease ended mid-attempt and that another claim took
// is the later attempt's: the earlier attempt's outcome, recorded after,
// used to overwrite it (a failure set it pending again, to be sent once
// more, over the other attempt's "sent"). It now writes nothing.
func testAnnouncementSupersededOutcome(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := context.Background()
	s := open(t)
	row := hypercare.Announcement{ID: "a-1", Subject: "maintenance:m", Edge: "start", OccurrenceAt: at(0),
		Target: "user:alice:alice-hook", Message: "start", DueAt: at(0), CreatedAt: at(0)}
	if n, err := s.ScheduleAnnouncements(ctx, []hypercare.Announcement{row}); err != nil || n != 1 {
		t.Fatalf("schedule: %d %v", n, err)
	}
	first, err := s.ClaimAnnouncements(ctx, at(0), at(time.Minute), 10)
	if err != nil || len(first) != 1 || first[0].Attempts != 1 {
		t.Fatalf("first claim: %+v %v", first, err)
	}
	second, err := s.ClaimAnnouncements(ctx, at(2*time.Minute), at(3*time.Minute), 10) // the lease ran out
	if err != nil || len(second) != 1 || second[0].Attempts != 2 {
		t.Fatalf("second claim: %+v %v", second, err)
	}
	latest, stale := second[0], first[0]
	latest.Status, latest.SentAt = "sent", ptr(at(2*time.Minute+time.Second))
	if err := s.UpdateAnnouncement(ctx, &latest); err != nil {
		t.Fatal(err)
	}
	stale.Status, stale.DueAt, stale.LastError = "pending", at(3*time.Minute), "HTTP 503"
	if err := s.UpdateAnnouncement(ctx, &stale); err != nil {
		t.Fatalf("the superseded outcome: %v, want nothing written and no error", err)
	}
	list, err := s.ListAnnouncements(ctx, "maintenance:m")
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %+v %v", list, err)
	}
	if got := list[0]; got.Status != "sent" || got.Attempts != 2 || got.LastError != "" {
		t.Errorf("announcement = %s, %d attempts, error %q; want sent by the second attempt, 2, none", got.Status, got.Attempts, got.LastError)
	}
	if _, ok, err := s.NextAnnouncementDue(ctx); ok || err != nil {
		t.Errorf("next due after the later attempt's send: %v %v; want none", ok, err)
	}
}
