package store

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// fullAlert has every field set, so changing any one is a difference.
func fullAlert(now time.Time) hypercare.Alert {
	ack, res := now.Add(time.Minute), now.Add(2*time.Minute)
	return hypercare.Alert{ID: "al-1", ServiceID: "shop", IncidentID: "in-1", IntegrationID: "shop-v2",
		DedupKey: "disk", Status: hypercare.StatusAcknowledged, Summary: "disk full", Severity: hypercare.SeverityError,
		Source: "db-1", Component: "postgres", Group: "prod", Class: "disk",
		CustomDetails: json.RawMessage(`{"free":"1%"}`), Links: []hypercare.Link{{Href: "https://x.example", Text: "x"}},
		Images: []hypercare.Image{{Src: "https://x.example/g.png"}}, EventCount: 3, FirstSeenAt: now,
		LastSeenAt: now.Add(time.Second), AcknowledgedAt: &ack, ResolvedAt: &res, SymptomOf: "in-0"}
}

// TestRepeatOnlyComparesEveryField changes each field of a full alert in
// turn through reflection, so a field added to hypercare.Alert later that
// repeatOnly does not compare fails here instead of being lost by the
// short update.
func TestRepeatOnlyComparesEveryField(t *testing.T) {
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	prev := fullAlert(now)
	typ := reflect.TypeOf(prev)
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		a := fullAlert(now)
		f := reflect.ValueOf(&a).Elem().Field(i)
		switch v := f.Addr().Interface().(type) {
		case *string:
			*v += "x"
		case *hypercare.Status:
			*v = hypercare.StatusTriggered
		case *hypercare.Severity:
			*v = hypercare.SeverityCritical
		case *json.RawMessage:
			*v = json.RawMessage(`{"free":"2%"}`)
		case *[]hypercare.Link:
			(*v)[0].Text = "y"
		case *[]hypercare.Image:
			*v = nil
		case *int64:
			*v++
		case *time.Time:
			*v = v.Add(time.Microsecond)
		case **time.Time:
			*v = nil
		default:
			t.Fatalf("field %s: this test does not know how to change a %s", name, f.Type())
		}
		want := name == "EventCount" || name == "LastSeenAt" || name == "CustomDetails"
		if got := repeatOnly(&prev, &a); got != want {
			t.Errorf("%s changed: repeatOnly = %v, want %v", name, got, want)
		}
	}
	a := fullAlert(now)
	a.FirstSeenAt = a.FirstSeenAt.Add(time.Nanosecond) // stored as the same microsecond
	later := a.AcknowledgedAt.Add(time.Nanosecond)
	a.AcknowledgedAt = &later
	if !repeatOnly(&prev, &a) {
		t.Error("times equal to the microsecond differ")
	}
}

// TestUpdateRepeat: a repeated trigger, with the same details or new ones,
// takes the short statement and the row ends as the full update leaves it;
// details that are not JSON are refused as by the full update; another
// field changed takes the full update; and a cache whose counters are not
// the database's (forced here) makes the short statement match nothing and
// the full update runs instead.
func TestUpdateRepeat(t *testing.T) {
	ctx := t.Context()
	s, _ := openShop(t)
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	a := testAlert("disk", now)
	a.CustomDetails = json.RawMessage(`{"free":"1%"}`)
	write(t, s, func(tx hypercare.Tx) error { return tx.InsertAlert(ctx, a) })

	check := func(want *hypercare.Alert) {
		t.Helper()
		got, _, err := s.ListAlerts(ctx, hypercare.AlertFilter{ServiceID: want.ServiceID, DedupKey: want.DedupKey})
		if err != nil {
			t.Fatal(err)
		}
		if w := cloneAlert(want); len(got) != 1 || !reflect.DeepEqual(got[0], w) {
			t.Fatalf("stored alerts\n got %+v\nwant %+v", got, w)
		}
	}
	step := func(change func(*hypercare.Alert), wantFast bool, wantStatements int) {
		t.Helper()
		a.EventCount++
		a.LastSeenAt = a.LastSeenAt.Add(1500 * time.Nanosecond)
		change(a)
		n := reads(t, s, func(tx *tx) error {
			done, err := tx.updateRepeat(ctx, a)
			if err != nil || done != wantFast {
				t.Errorf("updateRepeat = %v, %v; want %v", done, err, wantFast)
			}
			if done {
				tx.c.alerts.wrote(a)
				return nil
			}
			return tx.UpdateAlert(ctx, a)
		})
		if n != wantStatements {
			t.Errorf("%d statements, want %d", n, wantStatements)
		}
		check(a)
	}
	step(func(*hypercare.Alert) {}, true, 1)
	step(func(a *hypercare.Alert) { a.CustomDetails = json.RawMessage(`{"free":"0%"}`) }, true, 1)
	step(func(a *hypercare.Alert) { a.CustomDetails = nil }, true, 1)
	step(func(a *hypercare.Alert) { a.Summary = "disk still full" }, false, 1)
	step(func(*hypercare.Alert) {}, true, 1)

	bad := cloneAlert(a)
	bad.EventCount++
	bad.CustomDetails = json.RawMessage(`{"free":`)
	err := s.Write(ctx, "k", func(tx hypercare.Tx) error { return tx.UpdateAlert(ctx, &bad) })
	if hypercare.ErrorCode(err) != hypercare.CodeInvalid || !strings.Contains(err.Error(), "custom_details") {
		t.Fatalf("details not JSON: %v", err)
	}
	check(a)

	// A cache behind the database: its counters match no row.
	write(t, s, func(htx hypercare.Tx) error {
		c := htx.(*tx).c.alerts
		k := alertCacheKey(a.ServiceID, a.DedupKey)
		stale := c.committed[k]
		stale.EventCount--
		c.committed[k] = stale
		return nil
	})
	a.EventCount-- // what the intake computes from the stale cache
	step(func(*hypercare.Alert) {}, false, 3)
}
