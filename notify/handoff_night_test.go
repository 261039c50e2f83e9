package notify_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/webhook"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// incidentReads counts the incident reads delivery makes.
type incidentReads struct {
	*store.Store
	n atomic.Int32
}

func (s *incidentReads) GetIncident(ctx context.Context, id string) (*hypercare.Incident, error) {
	s.n.Add(1)
	return s.Store.GetIncident(ctx, id)
}

// During someone's quiet hours a high-urgency first page handed over by
// the write that opened its incident is sent without reading the incident:
// the quiet-hours check takes the write's snapshot, as the send does. It
// read the incident for every page at night (a tenth of a paging storm's
// CPU after 22:00).
func TestNightFirstPageReadsNoIncident(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		rec := &receiver{got: map[string]int{}}
		hooks := httptest.NewServer(rec)
		defer hooks.Close()
		st := e.Open(t)
		counted := &incidentReads{Store: st}
		users := dir{"alice": {ID: "alice", Name: "Alice", ContactMethods: []hypercare.ContactMethod{
			{ID: "alice-hook", Type: hypercare.ContactWebhook, Address: hooks.URL + "/alice"}}}}
		channels := notify.NewRegistry()
		channels.Register(hypercare.ContactWebhook, webhook.New(notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true})))
		eng := notify.NewEngine(counted, clocktest.New(t0), channels, func() notify.Directory { return users },
			slog.New(slog.NewTextHandler(io.Discard, nil)))
		hour := time.Duration(t0.Hour()) * time.Hour // t0 is inside these quiet hours
		eng.SetPolicy(notify.Policy{Quiet: &hypercare.QuietHours{Start: hour - time.Hour, End: hour + time.Hour, Zone: time.UTC}})
		n := openIncident(t, st) // high urgency
		runEngine(t, eng)
		eng.Deliver(claimOpened(t, st, eng, n), t0)
		for status(t, st, n).Status != hypercare.NotificationSent {
			runtime.Gosched()
		}
		if got := counted.n.Load(); got != 0 || rec.count(n.ID) != 1 {
			t.Fatalf("%d incident reads, %d sends; want none and one", got, rec.count(n.ID))
		}
	})
}
