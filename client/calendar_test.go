package client_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/apitest"
	"github.com/hypercare/hypercare/client"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/oncall"
	"github.com/hypercare/hypercare/storetest"
)

func TestCalendarFeedsCreateListRevoke(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		sched := &oncall.Schedule{ID: "primary", TimeZone: time.UTC, Layers: []oncall.Layer{{ID: "daily",
			Start: oncall.LocalDateTime{Year: 2026, Month: 11, Day: 1, Hour: 9}, Shift: 24 * time.Hour, Users: []string{"alice"}}}}
		dir := escalate.NewDirectory([]hypercare.User{{ID: "alice", Name: "Alice"}}, []*oncall.Schedule{sched}, nil, nil, nil)
		srv := apitest.New(t, eng.Open(t), apitest.WithDirectory(dir))
		ctx := t.Context()
		responder := client.New(srv.URL, srv.Token(hypercare.RoleResponder))
		admin := client.New(srv.URL, srv.Token(hypercare.RoleAdmin))

		_, err := responder.CreateCalendarFeed(ctx, "users", "alice")
		apiError(t, err, hypercare.CodePermissionDenied, "admin")
		feed, err := responder.CreateCalendarFeed(ctx, "schedules", "primary")
		if err != nil || feed.ID == "" || feed.URL != srv.URL+feed.Path {
			t.Fatalf("create: %+v %v", feed, err)
		}
		if _, err := admin.CreateCalendarFeed(ctx, "users", "alice"); err != nil {
			t.Fatal(err)
		}
		mine, err := responder.CalendarFeeds(ctx)
		if err != nil || len(mine) != 1 || mine[0].ID != feed.ID || mine[0].Kind != "schedules" || mine[0].Subject != "primary" {
			t.Fatalf("responder's feeds: %+v %v", mine, err)
		}
		if all, err := admin.CalendarFeeds(ctx); err != nil || len(all) != 2 {
			t.Fatalf("admin's feeds: %+v %v", all, err)
		}
		if err := responder.RevokeCalendarFeed(ctx, feed.ID); err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(feed.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("revoked feed URL: %d", resp.StatusCode)
		}
		apiError(t, responder.RevokeCalendarFeed(ctx, feed.ID), hypercare.CodeNotFound, feed.ID)
	})
}
