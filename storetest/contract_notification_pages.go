package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testNotificationPages: ListIncidentNotifications pages an incident's
// notifications oldest first (created_at, then id, so pages created in the
// same instant are neither repeated nor skipped across pages), bounded by
// the page limit, other incidents' pages left out; a bad cursor is
// invalid_argument. GET /api/v1/incidents/{id}/notifications read every
// page of an incident paged for days in one answer.
func testNotificationPages(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	var all []hypercare.Notification
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for i, id := range []string{"inc-1", "inc-2"} {
			if err := tx.InsertIncident(ctx, incident(id, int64(i+1), svcCheckout)); err != nil {
				return err
			}
		}
		for i := range 37 {
			inc := "inc-1"
			if i%5 == 4 {
				inc = "inc-2"
			}
			n := page(fmt.Sprintf("n-%02d", (i*7)%37), inc, "alice-hook", i, at(time.Duration(i)*time.Minute))
			n.CreatedAt = at(time.Duration(i/3) * time.Second) // three share each instant
			if err := tx.InsertNotification(ctx, n); err != nil {
				return err
			}
			all = append(all, *n)
		}
		return nil
	})
	want := idsOf(sortedNotifications(all), func(n hypercare.Notification) bool { return n.IncidentID == "inc-1" },
		func(n hypercare.Notification) string { return n.ID })
	for _, limit := range []int{1, 4, 0, len(want), len(want) + 1} {
		got := walk(t, fmt.Sprintf("notifications limit %d", limit), limit, func(n hypercare.Notification) string { return n.ID },
			func(p hypercare.Page) ([]hypercare.Notification, string, error) {
				return s.ListIncidentNotifications(ctx, "inc-1", p)
			})
		if !slices.Equal(got, want) {
			t.Errorf("notifications limit %d: %v\nwant %v", limit, got, want)
		}
	}
	list, next, err := s.ListIncidentNotifications(ctx, "inc-1", hypercare.Page{Limit: 2})
	if err != nil || len(list) != 2 || next == "" || list[0].UserID != "alice" || !list[0].CreatedAt.Equal(t0) {
		t.Fatalf("first page = %+v %q %v", list, next, err)
	}
	_, _, err = s.ListIncidentNotifications(ctx, "inc-1", hypercare.Page{Cursor: "!!"})
	wantCode(t, err, hypercare.CodeInvalid)
	if list, next, err := s.ListIncidentNotifications(ctx, "inc-9", hypercare.Page{}); err != nil || len(list) != 0 || next != "" {
		t.Fatalf("notifications of an incident with none = %+v %q %v", list, next, err)
	}
}

func sortedNotifications(list []hypercare.Notification) []hypercare.Notification {
	out := slices.Clone(list)
	slices.SortFunc(out, func(a, b hypercare.Notification) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out
}
