package storetest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testEventsInBulk: a request that logs 101 events (SQLite inserts them
// in multi-row statements of 64, 32, 4 and 1 rows) keeps every one, each
// read back as written; an event whose ID is taken, by an earlier event
// or by one of the same request's, fails its request with a conflict that
// names that ID, and nothing of the request is kept; nor is anything of a
// request whose update finds no row.
func testEventsInBulk(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	var want []*hypercare.EventRecord
	for i := range 101 {
		e := event(fmt.Sprintf("ev-%03d", i))
		e.ReceivedAt, e.AlertID, e.Rules = at(time.Duration(i)*time.Second), fmt.Sprintf("al-%d", i%7), []string{"r1", "r2"}
		e.Payload = []byte(fmt.Sprintf(`{"n":%d}`, i))
		want = append(want, e)
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for _, e := range want {
			if err := tx.InsertEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	got, _, err := s.ListEvents(ctx, hypercare.Page{Limit: 200})
	if err != nil || len(got) != len(want) {
		t.Fatalf("ListEvents = %d events, %v; want %d", len(got), err, len(want))
	}
	for i, e := range got { // newest first
		if w := want[len(want)-1-i]; !reflect.DeepEqual(&e, w) {
			t.Fatalf("event %d = %+v\nwant %+v", i, e, *w)
		}
	}
	for name, ids := range map[string][]string{"taken before": {"ev-new", "ev-050"}, "taken in the request": {"dup-1", "dup-2", "dup-1"}} {
		err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
			for _, id := range ids {
				if err := tx.InsertEvent(ctx, event(id)); err != nil {
					return err
				}
			}
			return nil
		})
		taken := ids[len(ids)-1]
		if hypercare.ErrorCode(err) != hypercare.CodeConflict || !strings.Contains(err.Error(), fmt.Sprintf("event %q", taken)) {
			t.Errorf("%s: error %v, want a conflict naming event %q", name, err, taken)
		}
	}
	// An update that finds no row fails its request as late as a taken ID
	// (PostgreSQL queues both), and the request's event goes with it.
	err = s.Write(ctx, "k", func(tx hypercare.Tx) error {
		if err := tx.InsertEvent(ctx, event("ev-upd")); err != nil {
			return err
		}
		return tx.UpdateAlert(ctx, alert("al-missing", svcCheckout, "", "k-missing"))
	})
	if hypercare.ErrorCode(err) != hypercare.CodeNotFound {
		t.Errorf("update of a missing alert: error %v, want not_found", err)
	}
	have := eventIDs(t, s)
	for _, id := range []string{"ev-new", "dup-1", "dup-2", "ev-upd"} {
		if have[id] {
			t.Errorf("event %s of a failed request was kept", id)
		}
	}
	if len(have) != len(want) {
		t.Errorf("%d events kept, want %d", len(have), len(want))
	}
}
