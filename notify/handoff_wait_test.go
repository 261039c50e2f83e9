package notify_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// A first page handed over with its incident as the ingest commit left
// it does not trust that snapshot after waiting for a send slot: the
// incident acknowledged meanwhile is read, and the page is cancelled, not
// sent.
func TestHandoffRereadsAfterWaitingForASlot(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		var got atomic.Int32
		started, unblock := make(chan struct{}, 4), make(chan struct{})
		hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if got.Add(1) == 1 { // the first send holds the only slot
				started <- struct{}{}
				<-unblock
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		defer hooks.Close()
		defer close(unblock)
		st, clk := e.Open(t), clocktest.New(t0)
		eng := restarted(st, hooks.URL, clk)
		eng.SetPolicy(notify.Policy{Channels: map[hypercare.ContactType]notify.ChannelLimits{
			hypercare.ContactWebhook: {Concurrency: 1}}})
		runEngine(t, eng)
		first := openIncident(t, st)
		eng.Deliver(claimOpened(t, st, eng, first), t0)
		<-started

		second := openSecondIncident(t, st)
		leased := claimOpened(t, st, eng, second)
		if len(leased) != 1 || leased[0].Incident == nil || leased[0].Incident.Status != hypercare.StatusTriggered {
			t.Fatalf("leased %+v, want the page with its triggered incident", leased)
		}
		eng.Deliver(leased, t0) // waits: the slot is taken
		ctx := context.Background()
		err := st.Write(ctx, "x", func(tx hypercare.Tx) error {
			inc, err := tx.GetIncident(ctx, second.IncidentID)
			if err != nil {
				return err
			}
			inc.Status, inc.AcknowledgedAt = hypercare.StatusAcknowledged, &t0
			return tx.UpdateIncident(ctx, inc)
		})
		if err != nil {
			t.Fatal(err)
		}
		unblock <- struct{}{}
		for status(t, st, second).Status == hypercare.NotificationSending {
			runtime.Gosched()
		}
		if s := status(t, st, second).Status; s != hypercare.NotificationCancelled || got.Load() != 1 {
			t.Fatalf("second page %s, receiver got %d; want it cancelled, one send (the first)", s, got.Load())
		}
	})
}

// openSecondIncident is openIncident's incident number 2.
func openSecondIncident(t *testing.T, st *store.Store) *hypercare.Notification {
	t.Helper()
	ctx := context.Background()
	inc := &hypercare.Incident{ID: hypercare.NewID(t0), Number: 2, Title: "Search down", Status: hypercare.StatusTriggered,
		Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityCritical, ServiceID: "shop", CreatedAt: t0, UpdatedAt: t0}
	if err := st.Write(ctx, "x", func(tx hypercare.Tx) error { return tx.InsertIncident(ctx, inc) }); err != nil {
		t.Fatal(err)
	}
	return alicePage(inc.ID)
}
