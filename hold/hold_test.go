package hold_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/hold"
	"github.com/hypercare/hypercare/oncall"
	"github.com/hypercare/hypercare/storetest"
)

var t0 = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

// Apply holds an incident covered by a window for as long as the window
// (and any window or silence chained to its end) lasts, records it on the
// incident and its timeline, and reads labels only when a matcher needs
// them; an incident nothing covers is left alone.
func TestApply(t *testing.T) {
	window := correlate.Maintenance{ID: "deploy", Zone: time.UTC, Services: []string{"shop"},
		Start: local(t0.Add(-time.Hour)), End: local(t0.Add(90 * time.Minute))}
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		st := e.Open(t)
		err := st.Write(ctx, "t", func(tx hypercare.Tx) error {
			if err := tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: "shop", Name: "Shop", Active: true},
				{ID: "search", Name: "Search", Active: true}}, nil); err != nil {
				return err
			}
			return tx.InsertSilence(ctx, &hypercare.Silence{ID: "late", Matchers: []string{`source="db-1"`},
				StartsAt: t0.Add(80 * time.Minute), EndsAt: t0.Add(3 * time.Hour), CreatedBy: "alice", CreatedAt: t0})
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			service, source string
			want            time.Duration
		}{
			{"shop", "web-1", 90 * time.Minute}, // the window; the silence does not match
			{"shop", "db-1", 3 * time.Hour},     // the window, then the silence that overlaps its end
			{"search", "web-1", 0},              // nothing covers it
		} {
			inc := &hypercare.Incident{ID: "inc-" + tc.service + tc.source, Number: int64(len(tc.source) + len(tc.service)),
				Title: "x", Status: hypercare.StatusTriggered, Urgency: hypercare.UrgencyHigh,
				Severity: hypercare.SeverityCritical, ServiceID: tc.service, CreatedAt: t0, UpdatedAt: t0}
			labelled := 0
			var got time.Duration
			err := st.Write(ctx, "t", func(tx hypercare.Tx) error {
				if err := tx.InsertIncident(ctx, inc); err != nil {
					return err
				}
				var err error
				got, err = hold.New([]correlate.Maintenance{window}).Apply(ctx, tx, inc, func() (correlate.EventLabels, error) {
					labelled++
					return hold.OfAlert(&hypercare.Alert{ServiceID: tc.service, Source: tc.source})
				}, t0)
				return err
			})
			if err != nil || got != tc.want || labelled != 1 {
				t.Errorf("%s/%s: held %v (%v), labels read %d times; want %v, once (a silence has matchers)",
					tc.service, tc.source, got, err, labelled, tc.want)
			}
			stored, err := st.GetIncident(ctx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			held := stored.SuppressedUntil != nil && stored.SuppressedUntil.Equal(t0.Add(tc.want))
			if held != (tc.want > 0) {
				t.Errorf("%s/%s: stored %q until %v", tc.service, tc.source, stored.SuppressedBy, stored.SuppressedUntil)
			}
			tl, _, err := st.ListTimeline(ctx, inc.ID, hypercare.Page{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if noted := len(tl) == 1 && strings.Contains(tl[0].Message, "nobody paged"); noted != (tc.want > 0) {
				t.Errorf("%s/%s: timeline %+v", tc.service, tc.source, tl)
			}
		}
	})
}

func local(t time.Time) oncall.LocalDateTime {
	return oncall.LocalDateTime{Year: t.Year(), Month: t.Month(), Day: t.Day(), Hour: t.Hour(), Minute: t.Minute()}
}

// An incident without alerts has no labels to test: a silence with a
// negative matcher (env!="prod", which empty labels satisfy) does not hold
// it, a window on its whole service does.
func TestApplyWithoutLabels(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		st := e.Open(t)
		err := st.Write(ctx, "t", func(tx hypercare.Tx) error {
			if err := tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: "shop", Name: "Shop", Active: true}}, nil); err != nil {
				return err
			}
			return tx.InsertSilence(ctx, &hypercare.Silence{ID: "non-prod", Matchers: []string{`env!="prod"`},
				StartsAt: t0.Add(-time.Hour), EndsAt: t0.Add(3 * time.Hour), CreatedBy: "alice", CreatedAt: t0})
		})
		if err != nil {
			t.Fatal(err)
		}
		window := correlate.Maintenance{ID: "deploy", Zone: time.UTC, Services: []string{"shop"},
			Start: local(t0.Add(-time.Hour)), End: local(t0.Add(time.Hour))}
		for i, tc := range []struct {
			windows []correlate.Maintenance
			want    time.Duration
		}{
			{nil, 0},
			{[]correlate.Maintenance{window}, time.Hour},
		} {
			inc := &hypercare.Incident{ID: fmt.Sprintf("inc-%d", i), Number: int64(i + 1), Title: "x",
				Status: hypercare.StatusTriggered, Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityCritical,
				ServiceID: "shop", CreatedAt: t0, UpdatedAt: t0}
			var got time.Duration
			err := st.Write(ctx, "t", func(tx hypercare.Tx) error {
				if err := tx.InsertIncident(ctx, inc); err != nil {
					return err
				}
				var err error
				got, err = hold.New(tc.windows).Apply(ctx, tx, inc, hold.OfIncident(ctx, tx, inc.ID), t0)
				return err
			})
			if err != nil || got != tc.want {
				t.Errorf("windows %d: held %v (%v), want %v", len(tc.windows), got, err, tc.want)
			}
		}
	})
}
