package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testSilences: silences round-trip, expire once (idempotently), are
// "active" until they end; incidents keep suppressed_by and
// suppressed_until, and SuppressedIncidents finds the open ones.
func testSilences(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := context.Background()
	s := openSeeded(t, open)
	sl := &hypercare.Silence{ID: "sil-1", Matchers: []string{`env="prod"`}, Services: []string{svcCheckout},
		StartsAt: at(0), EndsAt: at(time.Hour), Comment: "drill", CreatedBy: "alice", CreatedAt: at(0)}
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.InsertSilence(ctx, sl) })
	err := s.Write(ctx, "test", func(tx hypercare.Tx) error { return tx.InsertSilence(ctx, sl) })
	if hypercare.ErrorCode(err) != hypercare.CodeConflict {
		t.Errorf("second insert: %v, want conflict", err)
	}
	got, err := s.GetSilence(ctx, "sil-1")
	if err != nil || !slices.Equal(got.Matchers, sl.Matchers) || !got.EndsAt.Equal(sl.EndsAt) || got.ExpiredAt != nil {
		t.Fatalf("get: %+v %v", got, err)
	}
	var active []hypercare.Silence
	mustWrite(t, s, func(tx hypercare.Tx) error {
		var err error
		active, err = tx.ActiveSilences(ctx, at(30*time.Minute))
		return err
	})
	if len(active) != 1 {
		t.Fatalf("active at +30m: %+v", active)
	}
	var expired *hypercare.Silence
	mustWrite(t, s, func(tx hypercare.Tx) error {
		var err error
		expired, err = tx.ExpireSilence(ctx, "sil-1", at(10*time.Minute))
		return err
	})
	if expired.ExpiredAt == nil || !expired.EndsAt.Equal(at(10*time.Minute)) {
		t.Fatalf("expired: %+v", expired)
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		again, err := tx.ExpireSilence(ctx, "sil-1", at(20*time.Minute))
		if err == nil && !again.EndsAt.Equal(at(10*time.Minute)) {
			t.Errorf("expiring again moved the end: %+v", again)
		}
		if err == nil {
			active, err = tx.ActiveSilences(ctx, at(15*time.Minute))
		}
		return err
	})
	if len(active) != 0 {
		t.Errorf("active after expiry: %+v", active)
	}
	err = s.Write(ctx, "test", func(tx hypercare.Tx) error { _, err := tx.ExpireSilence(ctx, "nope", at(0)); return err })
	if !hypercare.IsNotFound(err) {
		t.Errorf("expire unknown: %v, want not_found", err)
	}
	list, _, err := s.ListSilences(ctx, hypercare.SilenceFilter{Page: hypercare.Page{Limit: 10}})
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %+v %v", list, err)
	}
	// ListLiveSilences: the not-ended ones only, newest first, whatever
	// ended since (sil-1 ended at +10m).
	for i, id := range []string{"sil-live-1", "sil-live-2"} {
		live := &hypercare.Silence{ID: id, Services: []string{svcCheckout}, StartsAt: at(time.Duration(i) * time.Hour),
			EndsAt: at(3 * time.Hour), Comment: "later", CreatedBy: "bob", CreatedAt: at(time.Duration(i) * time.Minute)}
		mustWrite(t, s, func(tx hypercare.Tx) error { return tx.InsertSilence(ctx, live) })
	}
	liveList, err := s.ListLiveSilences(ctx, at(30*time.Minute), 10)
	if err != nil || len(liveList) != 2 || liveList[0].ID != "sil-live-2" || liveList[1].ID != "sil-live-1" {
		t.Fatalf("live silences at +30m: %+v %v, want sil-live-2 then sil-live-1", liveList, err)
	}
	if one, err := s.ListLiveSilences(ctx, at(30*time.Minute), 1); err != nil || len(one) != 1 {
		t.Fatalf("live silences, limit 1: %+v %v", one, err)
	}
	inc := incident("inc-held", 1, svcCheckout)
	inc.SuppressedBy, inc.SuppressedUntil = "silence:sil-1", ptr(at(time.Hour))
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.InsertIncident(ctx, inc) })
	read, err := s.GetIncident(ctx, "inc-held")
	if err != nil || read.SuppressedBy != "silence:sil-1" || read.SuppressedUntil == nil || !read.SuppressedUntil.Equal(at(time.Hour)) {
		t.Fatalf("incident: %+v %v", read, err)
	}
	var ids []string
	mustWrite(t, s, func(tx hypercare.Tx) error {
		var err error
		ids, err = tx.SuppressedIncidents(ctx, "silence:sil-1")
		return err
	})
	if !slices.Equal(ids, []string{"inc-held"}) {
		t.Errorf("suppressed incidents %v", ids)
	}
	// HoldingRefs: each ref holding an unresolved incident once; a
	// resolved incident's hold no longer counts.
	for i, ref := range []string{"maintenance:db", "maintenance:db", "silence:sil-1"} {
		held := incident(fmt.Sprintf("inc-ref-%d", i), int64(10+i), svcCheckout)
		held.SuppressedBy, held.SuppressedUntil = ref, ptr(at(time.Hour))
		if i == 2 {
			held.Status, held.ResolvedAt = hypercare.StatusResolved, ptr(at(time.Minute))
		}
		mustWrite(t, s, func(tx hypercare.Tx) error { return tx.InsertIncident(ctx, held) })
	}
	var refs []string
	mustWrite(t, s, func(tx hypercare.Tx) error {
		var err error
		refs, err = tx.HoldingRefs(ctx)
		return err
	})
	if !slices.Equal(refs, []string{"maintenance:db", "silence:sil-1"}) {
		t.Errorf("holding refs %v, want maintenance:db and silence:sil-1 (inc-held's), once each", refs)
	}
}

// testAnnouncements: scheduling the same edge twice inserts once; a
// claimed row is leased, and claimable again only after the lease.
func testAnnouncements(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := context.Background()
	s := open(t)
	row := func(id string) hypercare.Announcement {
		return hypercare.Announcement{ID: id, Subject: "maintenance:m", Edge: "start", OccurrenceAt: at(0),
			Target: "user:alice:alice-hook", Message: "started", DueAt: at(0), CreatedAt: at(0)}
	}
	for i, want := range []int{1, 0} {
		n, err := s.ScheduleAnnouncements(ctx, []hypercare.Announcement{row([]string{"a1", "a2"}[i])})
		if err != nil || n != want {
			t.Fatalf("schedule #%d: %d %v, want %d", i+1, n, err, want)
		}
	}
	claimed, err := s.ClaimAnnouncements(ctx, at(0), at(time.Minute), 10)
	if err != nil || len(claimed) != 1 || claimed[0].Attempts != 1 || claimed[0].Status != "sending" {
		t.Fatalf("claim: %+v %v", claimed, err)
	}
	if again, _ := s.ClaimAnnouncements(ctx, at(30*time.Second), at(time.Minute), 10); len(again) != 0 {
		t.Errorf("claimed while leased: %+v", again)
	}
	a := claimed[0]
	a.Status, a.SentAt = "sent", ptr(at(time.Second))
	if err := s.UpdateAnnouncement(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.NextAnnouncementDue(ctx); ok || err != nil {
		t.Errorf("next due after sending: %v %v", ok, err)
	}
	if list, err := s.ListAnnouncements(ctx, "maintenance:m"); err != nil || len(list) != 1 || list[0].SentAt == nil {
		t.Errorf("list: %+v %v", list, err)
	}
}
