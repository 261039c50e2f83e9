package notify_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/webhook"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// runEngine runs eng until the test ends or stop is called, and returns
// once it accepts handed-off pages.
func runEngine(t *testing.T, eng *notify.Engine) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	for !eng.Accepting() {
		runtime.Gosched()
	}
	return stop
}

// openIncident stores an incident (no page yet) and returns the page
// its first step would make: alice's webhook, due at t0.
func openIncident(t *testing.T, st *store.Store) *hypercare.Notification {
	t.Helper()
	ctx := context.Background()
	inc := &hypercare.Incident{ID: hypercare.NewID(t0), Number: 1, Title: "Checkout down", Status: hypercare.StatusTriggered,
		Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityCritical, ServiceID: "shop", CreatedAt: t0, UpdatedAt: t0}
	err := st.Write(ctx, "x", func(tx hypercare.Tx) error {
		if err := tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: "shop", Name: "Shop", Active: true}}, nil); err != nil {
			return err
		}
		return tx.InsertIncident(ctx, inc)
	})
	if err != nil {
		t.Fatal(err)
	}
	return alicePage(inc.ID)
}

// alicePage is the page a first step makes for incidentID: alice's
// webhook, due at t0.
func alicePage(incidentID string) *hypercare.Notification {
	return &hypercare.Notification{ID: hypercare.NewID(t0), IncidentID: incidentID, UserID: "alice", ContactMethod: "alice-hook",
		Type: hypercare.ContactWebhook, Level: 1, Reason: "test", Status: hypercare.NotificationPending, DueAt: t0, CreatedAt: t0}
}

// claimOpened records page n and leases its incident's due pages in one
// committed write, as intake does in the write that opened the incident.
func claimOpened(t *testing.T, st *store.Store, eng *notify.Engine, n *hypercare.Notification) []hypercare.IncidentPages {
	t.Helper()
	ctx := context.Background()
	var claimed []hypercare.IncidentPages
	err := st.Write(ctx, "x", func(tx hypercare.Tx) error {
		if err := tx.InsertNotification(ctx, n); err != nil {
			return err
		}
		var err error
		claimed, err = eng.ClaimOpened(ctx, tx, []string{n.IncidentID}, t0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return claimed
}

// A page leased in the write that made it is sent by Deliver with no
// claim write of its own; while its lease runs the loop does not claim it
// again, and once sent it is never sent again.
func TestHandoffSendsLeasedPage(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		rec := &receiver{got: map[string]int{}}
		hooks := httptest.NewServer(rec)
		defer hooks.Close()
		st, clk := e.Open(t), clocktest.New(t0)
		eng, n := restarted(st, hooks.URL, clk), openIncident(t, st)
		runEngine(t, eng)
		claimed := claimOpened(t, st, eng, n)
		if len(claimed) != 1 || claimed[0].Incident == nil || claimed[0].Incident.ID != n.IncidentID || len(claimed[0].Pages) != 1 ||
			claimed[0].Pages[0].Status != hypercare.NotificationSending || claimed[0].Pages[0].Attempts != 1 {
			t.Fatalf("leased %+v, want the page with its incident, sending, attempt 1", claimed)
		}
		if _, err := eng.RunDue(context.Background()); err != nil || rec.count(n.ID) != 0 {
			t.Fatalf("the loop sent a leased page: %v, %d", err, rec.count(n.ID))
		}
		eng.Deliver(claimed, t0)
		for status(t, st, n).Status != hypercare.NotificationSent {
			runtime.Gosched()
		}
		clk.Advance(notify.Lease)
		if _, err := eng.RunDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := status(t, st, n); rec.count(n.ID) != 1 || got.Attempts != 1 {
			t.Fatalf("receiver saw %d, page %+v; want one attempt", rec.count(n.ID), got)
		}
	})
}

// The process dies after the write that leased the page committed and
// before Deliver ran. Restarted, it does not send the page while the
// lease runs (the send may have happened), then sends it once, with the
// same idempotency key: the loop's claim semantics, unchanged.
func TestHandoffCrashBeforeSendPagesOnce(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		rec := &receiver{got: map[string]int{}}
		hooks := httptest.NewServer(rec)
		defer hooks.Close()
		st, clk := e.Open(t), clocktest.New(t0)
		dead, n := restarted(st, hooks.URL, clk), openIncident(t, st)
		stop := runEngine(t, dead)
		if claimed := claimOpened(t, st, dead, n); len(claimed) != 1 {
			t.Fatalf("leased %d pages, want 1", len(claimed))
		}
		stop() // dies before Deliver
		// A new engine over the same store: the restarted process.
		eng := restarted(st, hooks.URL, clk)
		if _, err := eng.RunDue(context.Background()); err != nil || rec.count(n.ID) != 0 {
			t.Fatalf("sent during the lease: %v, %d", err, rec.count(n.ID))
		}
		clk.Advance(notify.Lease)
		for range 3 {
			if _, err := eng.RunDue(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if got := status(t, st, n); got.Status != hypercare.NotificationSent || got.Attempts != 2 || rec.count(n.ID) != 1 {
			t.Fatalf("after the lease: %+v, receiver saw %d", got, rec.count(n.ID))
		}
	})
}

// Without Run nothing is leased in the opening write (the loop claims
// the page as before), and pages handed to an engine that stopped are
// handed back, due now, their attempt uncounted.
func TestHandoffWhenNotRunning(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		rec := &receiver{got: map[string]int{}}
		hooks := httptest.NewServer(rec)
		defer hooks.Close()
		st := e.Open(t)
		eng, n := restarted(st, hooks.URL, clocktest.New(t0)), openIncident(t, st)
		if claimed := claimOpened(t, st, eng, n); len(claimed) != 0 {
			t.Fatalf("leased %d pages without Run", len(claimed))
		}
		ctx := context.Background()
		var claimed []hypercare.Notification
		err := st.Write(ctx, "x", func(tx hypercare.Tx) error { // leased while Run was active
			var err error
			claimed, err = tx.ClaimIncidentNotifications(ctx, n.IncidentID, t0, t0.Add(notify.Lease))
			return err
		})
		if err != nil || len(claimed) != 1 {
			t.Fatalf("lease: %v, %d", err, len(claimed))
		}
		inc, err := st.GetIncident(ctx, n.IncidentID)
		if err != nil {
			t.Fatal(err)
		}
		eng.Deliver([]hypercare.IncidentPages{{Incident: inc, Pages: claimed}}, t0)
		if got := status(t, st, n); got.Status != hypercare.NotificationPending || got.Attempts != 0 || rec.count(n.ID) != 0 {
			t.Fatalf("handed to a stopped engine: %+v, receiver saw %d", got, rec.count(n.ID))
		}
		if _, err := eng.RunDue(ctx); err != nil || rec.count(n.ID) != 1 {
			t.Fatalf("next claim: %v, receiver saw %d", err, rec.count(n.ID))
		}
	})
}

// restarted is a new engine over st, as setup builds it: the process
// after a restart, nothing kept in memory.
func restarted(st hypercare.Store, url string, clk *clocktest.Clock) *notify.Engine {
	users := dir{"alice": {ID: "alice", Name: "Alice", ContactMethods: []hypercare.ContactMethod{
		{ID: "alice-hook", Type: hypercare.ContactWebhook, Address: url + "/alice"}}}}
	channels := notify.NewRegistry()
	channels.Register(hypercare.ContactWebhook, webhook.New(notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true})))
	return notify.NewEngine(st, clk, channels, func() notify.Directory { return named{users} }, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// named is a directory that names service shop, as serve's (the config)
// names every service: a send then reads nothing for its message.
type named struct{ dir }

func (named) ServiceName(id string) (string, bool) { return "Shop", id == "shop" }
