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
		LastSeenAt: now.Add(time.Second), AcknowledgedAt: &ack, ResolvedAt: &res, SymptomOf: "in-0",
		SentKey: "nagios-disk", RuleUrgency: hypercare.UrgencyLow, RulePriority: "P4"}
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
		case *hypercare.Urgency:
			*v = hypercare.UrgencyHigh
		case *json.RawMessage:
			*v = json.RawMessage(`{"free":"2%"}`)
		case *[]hypercare.Link:
			(*v)[0].Text = "y"
		case *[]hypercare.Image:
			*v = nil
		case *int64:
			*v++
		case *bool:
			*v = !*v
		case *time.Time:
			*v = v.Add(time.Microsecond)
		case **time.Time:
			later := (*v).Add(time.Microsecond)
			*v = &later
		default:
			t.Fatalf("field %s: this test does not know how to change a %s", name, f.Type())
		}
		// SentKey is written once, by the insert: no update writes it;
		// DetailsEncoded is not stored at all.
		want := name == "EventCount" || name == "LastSeenAt" || name == "CustomDetails" || name == "SentKey" ||
			name == "DetailsEncoded"
		if got := repeatOnly(&prev, &a); got != want {
			t.Errorf("%s changed: repeatOnly = %v, want %v", name, got, want)
		}
	}
	for _, unset := range []func(*hypercare.Alert){
		func(a *hypercare.Alert) { a.AcknowledgedAt = nil },
		func(a *hypercare.Alert) { a.ResolvedAt = nil },
	} {
		a := fullAlert(now)
		unset(&a)
		if repeatOnly(&prev, &a) || repeatOnly(&a, &prev) {
			t.Error("a time set on one side only compares equal")
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
// takes the short statement through UpdateAlert, publishes its stream
// event, and the row ends as the full update leaves it; details that are
// not JSON are refused as by the full update; another field changed takes
// the full update; a cache whose counters are not the database's (forced
// here) makes the short statement match nothing and the full update runs
// instead; and after a COMMIT that reported an error the cache is not
// trusted until the alert is read again.
func TestUpdateRepeat(t *testing.T) {
	ctx := t.Context()
	s, _ := openShop(t)
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	a := testAlert("disk", now)
	a.Source = "db-1"
	a.CustomDetails = json.RawMessage(`{"free":"1%"}`)
	write(t, s, func(tx hypercare.Tx) error { return tx.InsertAlert(ctx, a) })

	check := func(want hypercare.Alert) {
		t.Helper()
		got, _, err := s.ListAlerts(ctx, hypercare.AlertFilter{ServiceID: want.ServiceID, DedupKey: want.DedupKey})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
			t.Fatalf("stored alerts\n got %+v\nwant %+v", got, want)
		}
	}
	// step updates a through UpdateAlert. The row's source is first set
	// behind the cache's back: the short statement leaves it, the fuller
	// ones write a's, which tells which one ran.
	step := func(change func(*hypercare.Alert), wantShort bool, wantStatements int) {
		t.Helper()
		a.EventCount++
		a.LastSeenAt = a.LastSeenAt.Add(1500 * time.Nanosecond)
		change(a)
		streamed := 0
		n := reads(t, s, func(tx *tx) error {
			if _, err := tx.c.conn.ExecContext(ctx, "UPDATE alerts SET source = 'untouched' WHERE id = $1", a.ID); err != nil {
				return err
			}
			before := len(tx.stream)
			err := tx.UpdateAlert(ctx, a)
			streamed = len(tx.stream) - before
			return err
		})
		if n != wantStatements || streamed != 1 {
			t.Errorf("%d statements and %d stream events, want %d and 1", n, streamed, wantStatements)
		}
		want := cloneAlert(a, nil)
		if wantShort {
			want.Source = "untouched"
		}
		check(want)
		write(t, s, func(htx hypercare.Tx) error { // put the source back
			_, err := htx.(*tx).c.conn.ExecContext(ctx, "UPDATE alerts SET source = $1 WHERE id = $2", a.Source, a.ID)
			return err
		})
	}
	step(func(*hypercare.Alert) {}, true, 1)
	step(func(a *hypercare.Alert) { a.CustomDetails = json.RawMessage(`{"free":"0%"}`) }, true, 1)
	step(func(a *hypercare.Alert) { a.CustomDetails = nil }, true, 1)
	step(func(a *hypercare.Alert) { a.Summary = "disk still full" }, false, 1)
	step(func(*hypercare.Alert) {}, true, 1)

	bad := cloneAlert(a, nil)
	bad.EventCount++
	bad.CustomDetails = json.RawMessage(`{"free":`)
	err := s.Write(ctx, "k", func(tx hypercare.Tx) error { return tx.UpdateAlert(ctx, &bad) })
	if hypercare.ErrorCode(err) != hypercare.CodeInvalid || !strings.Contains(err.Error(), "custom_details") {
		t.Fatalf("details not JSON: %v", err)
	}
	check(cloneAlert(a, nil))

	// A cache behind the database: its counters match no row.
	write(t, s, func(htx hypercare.Tx) error {
		c := htx.(*tx).c.alerts
		k := alertCacheKey(a.ServiceID, a.DedupKey)
		stale := c.committed[k]
		stale.EventCount--
		c.committed[k] = stale
		return nil
	})
	a.EventCount--                            // what the intake computes from the stale cache
	step(func(*hypercare.Alert) {}, false, 1) // held: at COMMIT the short update matches nothing, the full one runs

	// A COMMIT that reported an error: the next batch reads the alert
	// again (one statement) instead of finding it in the cache (none).
	find := func() int {
		return reads(t, s, func(tx *tx) error { _, err := tx.FindOpenAlert(ctx, "shop", a.DedupKey); return err })
	}
	if n := find(); n != 0 {
		t.Fatalf("FindOpenAlert ran %d statements, want 0 (cached)", n)
	}
	s.wconn.alerts.distrust()
	if n := find(); n != 1 {
		t.Errorf("after a failed COMMIT, FindOpenAlert ran %d statements, want 1 (a read)", n)
	}
}

// TestRepeatsHeldOncePerBatch: on SQLite two re-triggers of one alert in
// one transaction write its row once, when the batch's next statement
// would run (here flushRepeats itself), with the second one's values,
// and publish one stream event.
func TestRepeatsHeldOncePerBatch(t *testing.T) {
	ctx := t.Context()
	s, _ := openShop(t)
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	a := testAlert("disk", now)
	write(t, s, func(tx hypercare.Tx) error { return tx.InsertAlert(ctx, a) })
	changes := func(tx *tx) (n int64) {
		t.Helper()
		if err := tx.c.conn.QueryRowContext(ctx, "SELECT total_changes()").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	write(t, s, func(htx hypercare.Tx) error {
		tx := htx.(*tx)
		before, streamed := changes(tx), len(tx.stream)
		for i := range 2 {
			a.EventCount++
			a.LastSeenAt = now.Add(time.Duration(i+1) * time.Second)
			if err := tx.UpdateAlert(ctx, a); err != nil {
				return err
			}
		}
		if n := changes(tx) - before; n != 0 {
			t.Errorf("%d rows written before the next statement, want 0 (held)", n)
		}
		if err := tx.flushRepeats(); err != nil {
			return err
		}
		if n := changes(tx) - before; n != 1 {
			t.Errorf("%d rows written for two re-triggers of one alert, want 1", n)
		}
		if n := len(tx.stream) - streamed; n != 1 {
			t.Errorf("%d stream events, want 1", n)
		}
		return nil
	})
	got, _, err := s.ListAlerts(ctx, hypercare.AlertFilter{ServiceID: a.ServiceID, DedupKey: a.DedupKey})
	if err != nil || len(got) != 1 || got[0].EventCount != 3 || !got[0].LastSeenAt.Equal(now.Add(2*time.Second)) {
		t.Fatalf("stored: %+v, %v; want event count 3, last seen 2 s on", got, err)
	}
}

// TestHeldRepeatsManyRows: held updates go out as multi-row statements
// (those keeping the details apart from those changing them); when one
// row of such a statement no longer holds its guard (changed behind the
// cache's back here), every row of the statement is written whole, as
// last written, and the other statements stay short. The row's source,
// set behind the cache's back, tells which ran: the short update leaves
// it.
func TestHeldRepeatsManyRows(t *testing.T) {
	ctx := t.Context()
	s, _ := openShop(t)
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	var alerts []*hypercare.Alert
	for _, k := range []string{"k0", "k1", "k2", "k3"} {
		a := testAlert(k, now)
		a.Source = "db-1"
		alerts = append(alerts, a)
	}
	write(t, s, func(tx hypercare.Tx) error {
		for _, a := range alerts {
			if err := tx.InsertAlert(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	write(t, s, func(htx hypercare.Tx) error {
		tx := htx.(*tx)
		for i, a := range alerts {
			a.EventCount++
			a.LastSeenAt = now.Add(time.Second)
			if i == 3 {
				a.CustomDetails = json.RawMessage(`{"free":"0%"}`)
			}
			if err := tx.UpdateAlert(ctx, a); err != nil {
				return err
			}
		}
		for _, q := range []string{"UPDATE alerts SET source = 'untouched'",
			"UPDATE alerts SET event_count = 10 WHERE id = 'al-k1'"} {
			if _, err := tx.c.conn.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return tx.flushRepeats() // k0 and k1 in one statement, k2 alone, k3 alone (details)
	})
	for i, a := range alerts {
		got, _, err := s.ListAlerts(ctx, hypercare.AlertFilter{ServiceID: "shop", DedupKey: a.DedupKey})
		if err != nil || len(got) != 1 {
			t.Fatalf("%s: %+v, %v", a.DedupKey, got, err)
		}
		wantSource := "untouched"
		if i < 2 {
			wantSource = "db-1" // written whole
		}
		g := got[0]
		if g.EventCount != 2 || !g.LastSeenAt.Equal(now.Add(time.Second)) || g.Source != wantSource ||
			string(g.CustomDetails) != string(a.CustomDetails) {
			t.Errorf("%s: count %d, last seen %v, source %q, details %s; want 2, 1 s on, %q, %s", a.DedupKey,
				g.EventCount, g.LastSeenAt, g.Source, g.CustomDetails, wantSource, a.CustomDetails)
		}
	}
}

// TestHeldRepeatFailureIsItsRequests: a held update that fails when a
// later request's statement sends it (here its alert was deleted behind
// the cache, so neither the short nor the whole update finds it) fails
// the request that held it, not the one whose statement sent it (which
// here even ignores the error), and the batch commits the other's
// writes.
func TestHeldRepeatFailureIsItsRequests(t *testing.T) {
	ctx := t.Context()
	s, _ := openShop(t)
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	gone, other := testAlert("gone", now), testAlert("other", now)
	write(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertAlert(ctx, gone); err != nil {
			return err
		}
		return tx.InsertAlert(ctx, other)
	})
	holds := &request{ctx: ctx, done: make(chan struct{}, 1), fn: func(htx hypercare.Tx) error {
		a := cloneAlert(gone, nil)
		a.EventCount++
		if err := htx.UpdateAlert(ctx, &a); err != nil {
			return err
		}
		_, err := htx.(*tx).c.conn.ExecContext(ctx, "DELETE FROM alerts WHERE id = $1", gone.ID)
		return err
	}}
	sends := &request{ctx: ctx, done: make(chan struct{}, 1), fn: func(htx hypercare.Tx) error {
		a := cloneAlert(other, nil)
		a.Summary = "still down" // not a repeat: a statement of its own
		if err := htx.UpdateAlert(ctx, &a); err != nil {
			t.Logf("sending request's update: %v (ignored, as a careless fn would)", err)
		}
		return nil
	}}
	s.execBatch(ctx, []*request{holds, sends}) // as a writer runs a batch; each answer is buffered
	if hypercare.ErrorCode(holds.err) != hypercare.CodeNotFound || sends.err != nil {
		t.Fatalf("holding request: %v (want not_found); sending request: %v (want none)", holds.err, sends.err)
	}
	for _, want := range []struct {
		key     string
		summary string
	}{{"gone", "down"}, {"other", "still down"}} {
		got, _, err := s.ListAlerts(ctx, hypercare.AlertFilter{ServiceID: "shop", DedupKey: want.key})
		if err != nil || len(got) != 1 || got[0].Summary != want.summary || got[0].EventCount != 1 {
			t.Errorf("%s: %+v, %v; want one alert, summary %q, event count 1", want.key, got, err, want.summary)
		}
	}
}
