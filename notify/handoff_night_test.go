package notify_test

import (
	"context"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/notify"
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

// GetPageIncident is the incident read a send makes (with its page's status).
func (s *incidentReads) GetPageIncident(ctx context.Context, id, page string) (*hypercare.Incident, string, error) {
	s.n.Add(1)
	return s.Store.GetPageIncident(ctx, id, page)
}

// nightEngine is a delivery engine paging alice's webhook (rec) whose
// store counts incident reads, at t0, inside its quiet hours.
func nightEngine(t *testing.T, e storetest.Engine) (*store.Store, *incidentReads, *notify.Engine, *receiver) {
	t.Helper()
	rec := &receiver{got: map[string]int{}}
	hooks := httptest.NewServer(rec)
	t.Cleanup(hooks.Close)
	st := e.Open(t)
	counted := &incidentReads{Store: st}
	eng := restarted(counted, hooks.URL, clocktest.New(t0))
	hour := time.Duration(t0.Hour()) * time.Hour
	eng.SetPolicy(notify.Policy{Quiet: &hypercare.QuietHours{Start: hour - time.Hour, End: hour + time.Hour, Zone: time.UTC}})
	return st, counted, eng, rec
}

// During someone's quiet hours a high-urgency first page handed over by
// the write that opened its incident is sent without reading the incident:
// the quiet-hours check takes the write's snapshot, as the send does. It
// read the incident for every page at night (a tenth of a paging storm's
// CPU after 22:00).
func TestNightFirstPageReadsNoIncident(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		st, counted, eng, rec := nightEngine(t, e)
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

// At night a page the loop claims (a later level, a retry) reads its
// incident once: the send takes the quiet-hours check's read. It read it
// twice.
func TestNightPageReadsIncidentOnce(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		st, counted, eng, rec := nightEngine(t, e)
		n := openIncident(t, st) // high urgency
		ctx := context.Background()
		if err := st.Write(ctx, "x", func(tx hypercare.Tx) error { return tx.InsertNotification(ctx, n) }); err != nil {
			t.Fatal(err)
		}
		if _, err := eng.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if got := counted.n.Load(); got != 1 || rec.count(n.ID) != 1 || status(t, st, n).Status != hypercare.NotificationSent {
			t.Fatalf("%d incident reads, %d sends; want one and one", got, rec.count(n.ID))
		}
	})
}
