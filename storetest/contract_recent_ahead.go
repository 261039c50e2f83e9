package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testRecentAlertsAfterFind: RecentAlertsByKey right after FindOpenAlert
// found no open alert (what a new trigger does; PostgreSQL answers it from
// the read-ahead FindOpenAlert sent with its own read) gives what the read
// alone gives: the newest first, cut by since and limit, more than were
// read ahead when asked, and a write of the request in between (a new
// alert of the key) included; another key is read, not answered.
func testRecentAlertsAfterFind(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for i := range 10 {
			a := alert(fmt.Sprintf("al-flap-%d", i), svcCheckout, "", "flap")
			a.FirstSeenAt, a.LastSeenAt = at(time.Duration(i)*time.Second), at(time.Duration(i)*time.Second)
			a.Status, a.ResolvedAt = hypercare.StatusResolved, &a.LastSeenAt
			if err := tx.InsertAlert(ctx, a); err != nil {
				return err
			}
		}
		return tx.InsertAlert(ctx, alert("al-other", svcCheckout, "", "other"))
	})
	ids := func(list []hypercare.Alert) []string {
		out := []string{}
		for _, a := range list {
			out = append(out, a.ID)
		}
		return out
	}
	flap := func(from, to int) []string { // al-flap-from down to al-flap-to
		out := []string{}
		for i := from; i >= to; i-- {
			out = append(out, fmt.Sprintf("al-flap-%d", i))
		}
		return out
	}
	cases := []struct {
		name  string
		key   string
		since time.Time
		limit int
		want  []string
	}{
		{"newest three", "flap", time.Time{}, 3, flap(9, 7)},
		{"more than read ahead", "flap", time.Time{}, 10, flap(9, 0)},
		{"as many as read ahead", "flap", time.Time{}, 8, flap(9, 2)},
		{"cut by since", "flap", at(6 * time.Second), 10, flap(9, 6)},
		{"cut by since, short", "flap", at(6 * time.Second), 5, flap(9, 6)},
		{"another key", "other", time.Time{}, 5, []string{"al-other"}},
	}
	for _, c := range cases {
		mustWrite(t, s, func(tx hypercare.Tx) error {
			if a, err := tx.FindOpenAlert(ctx, svcCheckout, "flap"); err != nil || a != nil {
				return fmt.Errorf("find open flap: %+v, %v", a, err)
			}
			got, err := tx.RecentAlertsByKey(ctx, svcCheckout, c.key, c.since, c.limit)
			if err != nil {
				return err
			}
			if !slices.Equal(ids(got), c.want) {
				t.Errorf("%s: %v, want %v", c.name, ids(got), c.want)
			}
			return nil
		})
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if a, err := tx.FindOpenAlert(ctx, svcCheckout, "flap"); err != nil || a != nil {
			return fmt.Errorf("find open flap: %+v, %v", a, err)
		}
		a := alert("al-flap-new", svcCheckout, "", "flap")
		a.FirstSeenAt, a.LastSeenAt = at(20*time.Second), at(20*time.Second)
		if err := tx.InsertAlert(ctx, a); err != nil {
			return err
		}
		got, err := tx.RecentAlertsByKey(ctx, svcCheckout, "flap", time.Time{}, 2)
		if err != nil {
			return err
		}
		if want := []string{"al-flap-new", "al-flap-9"}; !slices.Equal(ids(got), want) {
			t.Errorf("after inserting an alert of the key: %v, want %v", ids(got), want)
		}
		return nil
	})
}
