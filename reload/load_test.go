package reload_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// Reloading again and again while events pour in loses no event and
// pages nobody twice: every event answered 2xx is stored with its alert,
// every incident has exactly one page (level 1 of whichever config was in
// force when it opened) and the receiver gets every page exactly once.
// Escalation and delivery run concurrently too, as in the server.
func TestReloadUnderLoadLosesNothingAndPagesOnce(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		a := configFile(policy("web", "alice"), "web", "")
		b := configFile(policy("web", "bob"), "web", `rules:
  - {id: tag, when: 'severity == "critical"', then: {links: [{href: "https://wiki.example.com/x", text: Runbook}]}}
notify:
  delivery:
    webhook: {concurrency: 4}
`)
		r := newRig(t, eng, a)
		const workers, perWorker, reloads = 4, 40, 20
		// The engines' passes run to completion (a cancelled pass would
		// leave its claimed pages leased past the test's fake clock).
		var stopped atomic.Bool
		var engines sync.WaitGroup
		for _, run := range []func(context.Context) (int, error){r.esc.RunDue, r.del.RunDue} {
			engines.Add(1)
			go func() {
				defer engines.Done()
				for !stopped.Load() {
					if _, err := run(context.Background()); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		accepted := make(chan string, workers*perWorker)
		var load sync.WaitGroup
		for w := range workers {
			load.Add(1)
			go func() {
				defer load.Done()
				for i := range perWorker {
					key := fmt.Sprintf("w%d-e%d", w, i)
					if code := r.enqueue(key); code/100 == 2 {
						accepted <- key
					} else {
						t.Errorf("event %s answered %d", key, code)
					}
				}
			}()
		}
		var loaded atomic.Bool
		go func() { load.Wait(); loaded.Store(true) }()
		// Reload until the load is over, at least reloads times.
		for i := 0; i < reloads || !loaded.Load(); i++ {
			next := a
			if i%2 == 0 {
				next = b
			}
			r.write(next)
			if code, body := r.post("/-/reload", r.admin, ""); code != http.StatusOK {
				t.Fatalf("reload %d: %d %s", i, code, body)
			}
		}
		load.Wait()
		close(accepted)
		stopped.Store(true)
		engines.Wait()
		for _, run := range []func(context.Context) (int, error){r.esc.RunDue, r.del.RunDue} {
			if _, err := run(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		n := 0
		for key := range accepted {
			n++
			r.expectOnePage(key)
		}
		if n != workers*perWorker {
			t.Errorf("%d events accepted, want %d", n, workers*perWorker)
		}
		r.hooks.mu.Lock()
		defer r.hooks.mu.Unlock()
		if len(r.hooks.got) != n {
			t.Errorf("receiver got %d pages, want %d", len(r.hooks.got), n)
		}
		for id, times := range r.hooks.got {
			if times != 1 {
				t.Errorf("page %s delivered %d times", id, times)
			}
		}
	})
}

// enqueue sends one PagerDuty v2 trigger for shop and returns the status.
func (r *rig) enqueue(key string) int {
	body := fmt.Sprintf(`{"routing_key":%q,"event_action":"trigger","dedup_key":%q,
		"payload":{"summary":"Disk full","source":"web-1","severity":"critical"}}`, keyShop, key)
	resp, err := http.Post(r.url+"/v2/enqueue", "application/json", strings.NewReader(body))
	if err != nil {
		r.t.Error(err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// expectOnePage checks the event's alert is stored with an incident that
// paged exactly one person once.
func (r *rig) expectOnePage(key string) {
	r.t.Helper()
	alerts, _, err := r.st.ListAlerts(context.Background(), hypercare.AlertFilter{ServiceID: "shop", DedupKey: key})
	if err != nil || len(alerts) != 1 || alerts[0].IncidentID == "" {
		r.t.Errorf("event %s: alerts %+v, %v; want one with an incident", key, alerts, err)
		return
	}
	if got := r.paged(alerts[0].IncidentID); len(got) != 1 {
		r.t.Errorf("event %s: paged %v, want one page", key, got)
	}
}
