package reload_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/storetest"
)

// keyPausingStore holds the first write under key, once its function has
// run and before it commits, until proceed is closed.
type keyPausingStore struct {
	hypercare.Store
	key     string
	once    sync.Once
	entered chan struct{}
	proceed chan struct{}
}

func (p *keyPausingStore) Write(ctx context.Context, key string, fn func(hypercare.Tx) error) error {
	if key != p.key {
		return p.Store.Write(ctx, key, fn)
	}
	return p.Store.Write(ctx, key, func(tx hypercare.Tx) error {
		err := fn(tx)
		p.once.Do(func() {
			close(p.entered)
			<-p.proceed
		})
		return err
	})
}

// A silence expired early as a reload removes the maintenance window that
// also covers its incident: the expiry re-holds the incident under the
// windows it read, so it must not read the old file and commit after the
// reload released that window's holds, or the incident stays silent until
// the removed window's old end.
func TestSilenceExpiredAsAReloadRemovesAWindowDoesNotHoldUnderIt(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		window := `maintenance:
  - {id: db-upgrade, services: [shop], start: "2026-11-27T07:00", end: "2026-11-27T12:00", time_zone: UTC}
`
		r := newRig(t, eng, configFile(policy("web", "alice"), "web", window))
		ctx := context.Background()
		sl := &hypercare.Silence{ID: "deploy", Services: []string{"shop"}, StartsAt: t0.Add(-time.Hour),
			EndsAt: t0.Add(6 * time.Hour), Comment: "deploy", CreatedBy: "admin", CreatedAt: t0}
		if err := r.st.Write(ctx, "silences", func(tx hypercare.Tx) error { return tx.InsertSilence(ctx, sl) }); err != nil {
			t.Fatal(err)
		}
		inc := r.trigger("disk") // held by the silence, the last of the chain (14:00)
		ps := &keyPausingStore{Store: r.st, key: "silences", entered: make(chan struct{}), proceed: make(chan struct{})}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		srv := api.New(api.Options{Store: ps, Clock: r.clk, Intake: r.in, Escalation: r.esc, Logger: log,
			Config: func() api.ConfigView {
				s := r.rl.Current()
				return api.ConfigView{Readiness: s.Readiness, Maintenance: s.Maintenance}
			}})
		hs := httptest.NewServer(srv.Handler())
		defer hs.Close()
		expired := make(chan int, 1)
		go func() {
			req, _ := http.NewRequest(http.MethodDelete, hs.URL+"/api/v1/silences/deploy", nil)
			req.Header.Set("Authorization", "Bearer "+r.admin)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				expired <- 0
				return
			}
			resp.Body.Close()
			expired <- resp.StatusCode
		}()
		<-ps.entered // the expiry read the windows and is about to commit
		r.write(configFile(policy("web", "alice"), "web", ""))
		reloaded := make(chan error, 1)
		go func() {
			_, err := r.rl.Reload(ctx)
			reloaded <- err
		}()
		var reloadErr error
		done := false
		select {
		case reloadErr = <-reloaded:
			done = true
		case <-time.After(time.Second):
		}
		close(ps.proceed)
		if code := <-expired; code != http.StatusOK {
			t.Fatalf("expire answered %d", code)
		}
		if !done {
			reloadErr = <-reloaded
		}
		if reloadErr != nil {
			t.Fatal(reloadErr)
		}
		r.clk.Advance(time.Minute)
		r.runDue()
		if paged := r.paged(inc); !slices.Equal(paged, []string{"alice"}) {
			t.Errorf("paged %v a minute after the silence expired and the window was removed; want alice now, not at 12:00\n%s",
				paged, r.timeline(inc))
		}
	})
}
