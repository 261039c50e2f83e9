package reload_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/storetest"
)

// pausingStore holds the first write of an intake request (any key but
// the reload's "catalog") until proceed is closed, so a test can land a
// reload between the moment a request read its config and its write.
type pausingStore struct {
	hypercare.Store
	once    sync.Once
	entered chan struct{}
	proceed chan struct{}
}

func (p *pausingStore) Write(ctx context.Context, key string, fn func(hypercare.Tx) error) error {
	if key != "catalog" {
		p.once.Do(func() {
			close(p.entered)
			<-p.proceed
		})
	}
	return p.Store.Write(ctx, key, fn)
}

// An event that arrives as a reload removes the maintenance window
// covering it is handled under one file: either the old one, and the
// reload then releases the hold it set, or the new one, which holds
// nothing. It is never held by a window the reload already ended, until
// that window's old end (README: "an event is handled entirely under the
// old file or entirely under the new one").
func TestReloadRacingAnEventReleasesTheHoldOfTheWindowItRemoves(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		window := `maintenance:
  - {id: db-upgrade, services: [shop], start: "2026-11-27T07:00", end: "2026-11-27T12:00", time_zone: UTC}
`
		r := newRig(t, eng, configFile(policy("web", "alice"), "web", window))
		ps := &pausingStore{Store: r.st, entered: make(chan struct{}), proceed: make(chan struct{})}
		in := intake.New(ps, r.clk)
		r.rl.Attach(in, r.esc, r.del)
		it, ok := in.Lookup(keyShop)
		if !ok {
			t.Fatal("shop's routing key is not routed")
		}
		type outcome struct {
			res []intake.Result
			err error
		}
		processed := make(chan outcome, 1)
		go func() {
			res, err := in.Process(context.Background(), it, []hypercare.Event{{Action: hypercare.ActionTrigger,
				DedupKey: "disk", Summary: "Checkout is down", Severity: hypercare.SeverityCritical}})
			processed <- outcome{res, err}
		}()
		<-ps.entered // the request has read its config and is about to write
		r.write(configFile(policy("web", "alice"), "web", ""))
		reloaded := make(chan error, 1)
		go func() {
			_, err := r.rl.Reload(context.Background())
			reloaded <- err
		}()
		// Let the reload go as far as it can before the request writes:
		// to the end, unless it waits for requests in flight.
		var reloadErr error
		done := false
		select {
		case reloadErr = <-reloaded:
			done = true
		case <-time.After(time.Second):
		}
		close(ps.proceed)
		got := <-processed
		if got.err != nil {
			t.Fatal(got.err)
		}
		if !done {
			reloadErr = <-reloaded
		}
		if reloadErr != nil {
			t.Fatal(reloadErr)
		}
		inc := got.res[0].IncidentID
		r.clk.Advance(time.Minute)
		r.runDue()
		if paged := r.paged(inc); !slices.Equal(paged, []string{"alice"}) {
			t.Errorf("paged %v a minute after the reload removed the window; want alice now, not at 12:00\n%s",
				paged, r.timeline(inc))
		}
	})
}
