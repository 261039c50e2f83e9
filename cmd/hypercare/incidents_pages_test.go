package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// TestIncidentsNotifications: `incidents notifications N` lists the
// incident's pages oldest first, following the API's pages, stops at
// --limit and says so, and -o json lists the same; there was no command,
// and the API answered an incident's pages unbounded.
func TestIncidentsNotifications(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *cliEnv) {
		inc, err := e.api.GetIncident(t.Context(), "3")
		if err != nil {
			t.Fatal(err)
		}
		err = e.srv.Store.Write(t.Context(), "test", func(tx hypercare.Tx) error {
			for i := range 45 {
				at := seededNow.Add(time.Duration(i-45) * time.Minute)
				n := &hypercare.Notification{ID: fmt.Sprintf("n-%02d", i), IncidentID: inc.ID, UserID: "alice",
					ContactMethod: "alice-hook", Type: hypercare.ContactWebhook, Level: 1 + i%2, Step: i, Reason: "level 1",
					Status: hypercare.NotificationSent, DueAt: at, CreatedAt: at, SentAt: &at}
				if i == 44 {
					n.Status, n.SentAt, n.LastError = hypercare.NotificationFailed, nil, "HTTP 503 Service Unavailable"
				}
				if err := tx.InsertNotification(t.Context(), n); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		out := e.run(t, "notifications", "3", "--limit", "0")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 46 || !strings.HasPrefix(lines[0], "CREATED") ||
			!strings.Contains(lines[1], "2026-11-25 13:15:00 UTC") || !strings.Contains(lines[45], "HTTP 503 Service Unavailable") {
			t.Fatalf("notifications --limit 0: %d lines:\n%s", len(lines), out)
		}
		out = e.run(t, "notifications", "3", "--limit", "30")
		if n := strings.Count(out, "alice-hook"); n != 30 || !strings.Contains(out, "(first 30 shown; --limit 0 shows all)") {
			t.Fatalf("notifications --limit 30: %d rows:\n%s", n, out)
		}
		var got struct{ Notifications []hypercare.Notification }
		if err := json.Unmarshal([]byte(e.run(t, "pages", "3", "-o", "json")), &got); err != nil || len(got.Notifications) != 45 {
			t.Fatalf("pages -o json: %d notifications, %v", len(got.Notifications), err)
		}
		if _, _, err := execute(t, e.env(nil), append([]string{"notifications", "3", "--limit", "-1"}, e.flags...)...); err == nil {
			t.Fatal("notifications --limit -1: no error")
		}
	})
}
