package notify_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/webhook"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

var t0 = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

// receiver answers pages with the statuses queued in replies (then 204),
// counting what it got per notification ID.
type receiver struct {
	mu      sync.Mutex
	replies []int
	got     map[string]int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got[req.Header.Get("Idempotency-Key")]++
	status := http.StatusNoContent
	if len(r.replies) > 0 {
		status, r.replies = r.replies[0], r.replies[1:]
	}
	w.WriteHeader(status)
}

func (r *receiver) count(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got[id]
}

type dir map[string]hypercare.User

func (d dir) User(id string) (hypercare.User, bool) { u, ok := d[id]; return u, ok }

// setup stores an incident with one pending page to alice's webhook.
func setup(t *testing.T, st *store.Store, url string) (*notify.Engine, *clocktest.Clock, *hypercare.Notification) {
	ctx := context.Background()
	clk := clocktest.New(t0)
	inc := &hypercare.Incident{ID: hypercare.NewID(t0), Number: 1, Title: "Checkout down", Status: hypercare.StatusTriggered,
		Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityCritical, ServiceID: "shop", CreatedAt: t0, UpdatedAt: t0}
	n := &hypercare.Notification{ID: hypercare.NewID(t0), IncidentID: inc.ID, UserID: "alice", ContactMethod: "alice-hook",
		Type: hypercare.ContactWebhook, Level: 1, Reason: "test", Status: hypercare.NotificationPending, DueAt: t0, CreatedAt: t0}
	err := st.Write(ctx, "x", func(tx hypercare.Tx) error {
		if err := tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: "shop", Name: "Shop", Active: true}}, nil); err != nil {
			return err
		}
		if err := tx.InsertIncident(ctx, inc); err != nil {
			return err
		}
		return tx.InsertNotification(ctx, n)
	})
	if err != nil {
		t.Fatal(err)
	}
	users := dir{"alice": {ID: "alice", Name: "Alice", ContactMethods: []hypercare.ContactMethod{
		{ID: "alice-hook", Type: hypercare.ContactWebhook, Address: url + "/alice"}}}}
	channels := notify.NewRegistry()
	channels.Register(hypercare.ContactWebhook, webhook.New(notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true})))
	eng := notify.NewEngine(st, clk, channels, func() notify.Directory { return users }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return eng, clk, n
}

func status(t *testing.T, st *store.Store, n *hypercare.Notification) hypercare.Notification {
	t.Helper()
	list, err := st.ListNotifications(context.Background(), n.IncidentID)
	if err != nil || len(list) != 1 {
		t.Fatalf("notifications: %v %v", list, err)
	}
	return list[0]
}

func TestDeliveryRetriesTransientFailures(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		rec := &receiver{replies: []int{500, 503}, got: map[string]int{}}
		hooks := httptest.NewServer(rec)
		defer hooks.Close()
		st := e.Open(t)
		eng, clk, n := setup(t, st, hooks.URL)
		ctx := context.Background()
		run := func() {
			if _, err := eng.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		run() // 500: retry in 5 s
		if got := status(t, st, n); got.Status != hypercare.NotificationPending || got.Attempts != 1 || !got.DueAt.Equal(t0.Add(5*time.Second)) {
			t.Fatalf("after a 500: %+v", got)
		}
		clk.Advance(4 * time.Second)
		run() // not due yet
		if rec.count(n.ID) != 1 {
			t.Fatalf("retried before the backoff: %d attempts", rec.count(n.ID))
		}
		clk.Advance(time.Second)
		run() // 503: retry in 10 s
		clk.Advance(10 * time.Second)
		run() // delivered
		got := status(t, st, n)
		if got.Status != hypercare.NotificationSent || got.Attempts != 3 || got.SentAt == nil || rec.count(n.ID) != 3 {
			t.Fatalf("after retries: %+v, receiver saw %d", got, rec.count(n.ID))
		}
		clk.Advance(time.Hour)
		run()
		if rec.count(n.ID) != 3 {
			t.Fatal("a sent page was sent again")
		}
	})
}

func TestDeliveryGivesUpOnPermanentFailure(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		rec := &receiver{replies: []int{404}, got: map[string]int{}}
		hooks := httptest.NewServer(rec)
		defer hooks.Close()
		st := e.Open(t)
		eng, clk, n := setup(t, st, hooks.URL)
		if _, err := eng.RunDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Hour)
		if _, err := eng.RunDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := status(t, st, n); got.Status != hypercare.NotificationFailed || got.LastError == "" || rec.count(n.ID) != 1 {
			t.Fatalf("after a 404: %+v, receiver saw %d", got, rec.count(n.ID))
		}
	})
}

// A node that claimed a page and died leaves a lease; once it expires
// another node sends the page, with the same idempotency key.
func TestExpiredLeaseIsClaimedAgain(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		rec := &receiver{got: map[string]int{}}
		hooks := httptest.NewServer(rec)
		defer hooks.Close()
		st := e.Open(t)
		eng, clk, n := setup(t, st, hooks.URL)
		ctx := context.Background()
		err := st.Write(ctx, "x", func(tx hypercare.Tx) error { // the dead node's claim
			_, err := tx.ClaimNotifications(ctx, t0, t0.Add(notify.Lease), 10)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := eng.RunDue(ctx); err != nil || rec.count(n.ID) != 0 {
			t.Fatalf("leased page sent early: %v, %d", err, rec.count(n.ID))
		}
		clk.Advance(notify.Lease)
		if _, err := eng.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if got := status(t, st, n); got.Status != hypercare.NotificationSent || got.Attempts != 2 || rec.count(n.ID) != 1 {
			t.Fatalf("after the lease expired: %+v, receiver saw %d", got, rec.count(n.ID))
		}
	})
}
