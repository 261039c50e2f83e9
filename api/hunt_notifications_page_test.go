package api_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// GET /api/v1/incidents/{id}/notifications is paged like the API's other
// lists (?limit=&cursor=, next_cursor; 25 by default): it answered every
// page of an incident paged for days in one response.
func TestIncidentNotificationsArePaged(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newPager(t, eng)
		p.send(trigger(keyCheckout, "checkout-5xx", "Checkout 5xx above 5%"))
		p.after(0, "alice level 1 incident #1")
		var one struct{ Incident hypercare.Incident }
		if code := p.do("GET", "/api/v1/incidents/1", p.viewer, nil, &one); code != 200 {
			t.Fatalf("incident 1: %d", code)
		}
		err := p.st.Write(t.Context(), "test", func(tx hypercare.Tx) error {
			for i := range 40 {
				n := &hypercare.Notification{ID: fmt.Sprintf("n-extra-%02d", i), IncidentID: one.Incident.ID, UserID: "alice",
					ContactMethod: "alice-hook", Type: hypercare.ContactWebhook, Level: 1, Step: 100 + i, Reason: "repeat",
					Status: hypercare.NotificationSent, DueAt: p.clock.Now(), CreatedAt: p.clock.Now().Add(time.Duration(i) * time.Minute)}
				if err := tx.InsertNotification(t.Context(), n); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		type page struct {
			Notifications []hypercare.Notification
			NextCursor    string `json:"next_cursor"`
		}
		var first page
		if code := p.do("GET", "/api/v1/incidents/1/notifications", p.viewer, nil, &first); code != 200 ||
			len(first.Notifications) != 25 || first.NextCursor == "" {
			t.Fatalf("first page: %d, %d notifications, next %q; want 25 and a cursor", code, len(first.Notifications), first.NextCursor)
		}
		seen, cursor := map[string]bool{}, ""
		for range 10 {
			var pg page
			q := "?limit=7"
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			if code := p.do("GET", "/api/v1/incidents/1/notifications"+q, p.viewer, nil, &pg); code != 200 || len(pg.Notifications) > 7 {
				t.Fatalf("page %s: %d, %d notifications", q, code, len(pg.Notifications))
			}
			for _, n := range pg.Notifications {
				if seen[n.ID] {
					t.Fatalf("notification %s listed twice", n.ID)
				}
				seen[n.ID] = true
			}
			if cursor = pg.NextCursor; cursor == "" {
				break
			}
		}
		if len(seen) != 41 || cursor != "" {
			t.Fatalf("walked %d notifications (cursor %q), want 41", len(seen), cursor)
		}
		for _, q := range []string{"?limit=0", "?limit=1000", "?limit=x", "?cursor=!!"} {
			var bad struct {
				Error struct{ Code string }
			}
			if code := p.do("GET", "/api/v1/incidents/1/notifications"+q, p.viewer, nil, &bad); code != 400 || bad.Error.Code != "invalid_argument" {
				t.Errorf("notifications%s: %d %+v, want 400", q, code, bad)
			}
		}
	})
}
