package api_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/oncall"
	"github.com/hypercare/hypercare/storetest"
)

// newScheduleEnv is a server whose directory holds the given schedules,
// users alice, bob and carol, and the escalation policy "web" (checkout)
// paging the first schedule.
func newScheduleEnv(t *testing.T, eng storetest.Engine, windows []hypercare.Window, scheds ...*oncall.Schedule) *env {
	t.Helper()
	var users []hypercare.User
	for _, id := range []string{"alice", "bob", "carol"} {
		users = append(users, hypercare.User{ID: id, Name: id, Role: hypercare.RoleResponder})
	}
	policy := hypercare.EscalationPolicy{ID: "web", Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{Schedule: scheds[0].ID}}, EscalateAfter: 5 * time.Minute}}}
	dir := escalate.NewDirectory(users, scheds, []hypercare.EscalationPolicy{policy},
		[]hypercare.Service{{ID: "checkout", EscalationPolicy: "web"}}, windows)
	st := eng.Open(t)
	return newEnvWith(t, st, 0, func(_ *intake.Intake, clk *clocktest.Clock, opts *api.Options) {
		opts.Escalation = escalate.New(st, clk, dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	})
}

// GET /api/v1/oncall says "until" is the end of the current shift if it
// ends within 90 days, and null otherwise. A one-person layer is on call
// for good, yet the answer says "until" exactly 90 days after the moment
// asked: a made-up handoff that moves with every question.
func TestOnCallUntilIsNullForAShiftBeyond90Days(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		solo := &oncall.Schedule{ID: "solo", TimeZone: time.UTC, Layers: []oncall.Layer{{ID: "always",
			Start: oncall.LocalDateTime{Year: 2026, Month: 1, Day: 1}, Shift: 7 * 24 * time.Hour, Users: []string{"alice"}}}}
		e := newScheduleEnv(t, eng, nil, solo)
		var oc hypercare.OnCall
		if code := e.do("GET", "/api/v1/oncall?at=2026-11-27T09:00:00Z", e.viewer, nil, &oc); code != 200 {
			t.Fatalf("oncall: %d", code)
		}
		if len(oc.OnCall) != 1 || oc.OnCall[0].User != "alice" {
			t.Fatalf("on call: %+v", oc.OnCall)
		}
		if u := oc.OnCall[0].Until; u != nil {
			t.Fatalf("alice is on call for good, but until = %s (90 days after the moment asked)", u.Format(time.RFC3339))
		}
	})
}

// "until" is when the person asked about stops being on call. Alice takes
// the day before her own week as an override (a swap); from Sunday 09:00
// she is on call without a break until her week ends on Monday 30
// November, yet the answer says she is on call only until the override
// ends, Monday 23 November 09:00, where nothing changes.
func TestOnCallUntilSpansBackToBackShiftsOfTheSamePerson(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		weekly := &oncall.Schedule{ID: "weekly", TimeZone: time.UTC,
			Layers: []oncall.Layer{{ID: "weekly", Start: oncall.LocalDateTime{Year: 2026, Month: 11, Day: 16, Hour: 9},
				Shift: 7 * 24 * time.Hour, Users: []string{"bob", "alice"}}},
			Overrides: []oncall.Override{{User: "alice",
				Start: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}}}
		e := newScheduleEnv(t, eng, nil, weekly)
		var oc hypercare.OnCall
		if code := e.do("GET", "/api/v1/oncall?at=2026-11-22T12:00:00Z", e.viewer, nil, &oc); code != 200 {
			t.Fatalf("oncall: %d", code)
		}
		want := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
		if len(oc.OnCall) != 1 || oc.OnCall[0].User != "alice" || oc.OnCall[0].Until == nil || !oc.OnCall[0].Until.Equal(want) {
			var until string
			if len(oc.OnCall) == 1 && oc.OnCall[0].Until != nil {
				until = oc.OnCall[0].Until.Format(time.RFC3339)
			}
			t.Fatalf("on call %+v until %s, want alice until %s (the override runs straight into her week)",
				oc.OnCall, until, want.Format(time.RFC3339))
		}
	})
}

// feedStore fails CalendarFeed lookups while fail is set, as a database
// that is restarting does.
type feedStore struct {
	hypercare.Store
	fail atomic.Bool
}

func (s *feedStore) CalendarFeed(ctx context.Context, tokenHash string) (string, string, error) {
	if s.fail.Load() {
		return "", "", errors.New("calendar feed: dial tcp 127.0.0.1:5432: connect: connection refused")
	}
	return s.Store.CalendarFeed(ctx, tokenHash)
}

// A feed whose lookup fails (the database is down for a moment) answers
// 404 "no such calendar feed", as for a revoked URL: calendar apps are told
// the subscription is gone (some stop refreshing it) and the operator sees
// no 5xx and no log line. It must be a server error, which apps retry.
func TestCalendarFeedStoreFailureIsNotNotFound(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		solo := &oncall.Schedule{ID: "primary", TimeZone: time.UTC, Layers: []oncall.Layer{{ID: "daily",
			Start: oncall.LocalDateTime{Year: 2026, Month: 1, Day: 1}, Shift: 24 * time.Hour, Users: []string{"alice", "bob"}}}}
		var fs *feedStore
		st := eng.Open(t)
		dir := escalate.NewDirectory([]hypercare.User{{ID: "alice", Name: "Alice"}, {ID: "bob", Name: "Bob"}},
			[]*oncall.Schedule{solo}, nil, nil, nil)
		e := newEnvWith(t, st, 0, func(_ *intake.Intake, clk *clocktest.Clock, opts *api.Options) {
			opts.Escalation = escalate.New(st, clk, dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
			fs = &feedStore{Store: opts.Store}
			opts.Store = fs
		})
		var feed newFeed
		if code := e.do("POST", "/api/v1/schedules/primary/calendar", e.responder, nil, &feed); code != 201 {
			t.Fatalf("create feed: %d", code)
		}
		p := &pager{env: e}
		if code, _ := p.getFeed(t, feed.Path); code != 200 {
			t.Fatalf("feed: %d", code)
		}
		fs.fail.Store(true)
		if code, body := p.getFeed(t, feed.Path); code < 500 {
			t.Fatalf("feed while the store fails: %d %s, want a 5xx (the feed exists)", code, body)
		}
	})
}
