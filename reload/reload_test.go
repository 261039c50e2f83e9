package reload_test

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// A valid file takes effect for intake (routing keys), escalation
// (policies) and the store's catalog at once, and the answer says what
// changed and what waits for a restart.
func TestReloadAppliesEveryPartTogether(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		r := newRig(t, eng, configFile(policy("web", "alice"), "web", ""))
		next := strings.Replace(configFile(policy("web", "bob", "carol"), "web", `  - id: search
    name: Search
    team: web
    escalation_policy: web
    integrations: [{type: events-v2, name: Search, key: `+keySearch+`}]
ingest: {rate_limit_per_minute: 10}
maintenance:
  - {id: sunday-deploys, services: [shop], start: "2026-11-29T02:00", end: "2026-11-29T04:00", time_zone: Europe/London}
`), "key: "+keyShop, "key: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1)
		res := r.reloadFile(next)
		if res.Version != 2 {
			t.Errorf("version = %d, want 2", res.Version)
		}
		for _, want := range []string{"services", "escalation_policies", "ingest", "maintenance"} {
			if !slices.Contains(res.Changed, want) {
				t.Errorf("changed = %v, want %s in it", res.Changed, want)
			}
		}
		if !slices.Equal(res.RestartRequired, []string{"ingest"}) {
			t.Errorf("restart_required = %v, want [ingest]", res.RestartRequired)
		}
		if _, ok := r.in.Lookup(keyShop); ok {
			t.Error("the removed routing key still routes")
		}
		if it, ok := r.in.Lookup(keySearch); !ok || it.ServiceID != "search" {
			t.Errorf("the new routing key routes to %+v, %v", it, ok)
		}
		if p := r.esc.Directory().Policies["web"]; len(p.Levels) != 2 {
			t.Errorf("policy web has %d levels, want 2", len(p.Levels))
		}
		if p, ok := r.in.Policy("search"); !ok || len(p.Levels) != 2 {
			t.Errorf("intake's policy of search = %+v, %v", p, ok)
		}
		if svc, err := r.st.GetService(context.Background(), "search"); err != nil || !svc.Active {
			t.Errorf("catalog: search = %+v, %v", svc, err)
		}
		if code, body := r.get("/api/v1/maintenance", r.admin); code != 200 || !strings.Contains(string(body), "sunday-deploys") {
			t.Errorf("GET /api/v1/maintenance after the reload: %d %s", code, body)
		}
		if it, ok := r.in.Lookup(keySearch); ok {
			if _, err := r.in.Process(context.Background(), it, []hypercare.Event{{Action: hypercare.ActionTrigger,
				DedupKey: "x", Summary: "x"}}); err != nil {
				t.Errorf("an event on the new service: %v", err)
			}
		}
		if got := r.metric("hypercare_config_reloads_total", "success"); got != 1 {
			t.Errorf("success reloads = %v, want 1", got)
		}
		if got := r.metric("hypercare_config_last_reload_success_timestamp_seconds", ""); got != float64(t0.Unix()) {
			t.Errorf("last success = %v, want %d", got, t0.Unix())
		}
	})
}

// An invalid file is refused with its file:line problems, through the API
// in the standard error envelope, and everything keeps running on the
// config in force.
func TestReloadRefusesAnInvalidFileAndKeepsTheRunningConfig(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		r := newRig(t, eng, configFile(policy("web", "alice"), "web", ""))
		before := r.rl.Current()
		r.write(configFile(policy("web", "alice"), "web", "    escalation_polcy: web\n"))
		code, body := r.post("/-/reload", r.admin, "")
		if code != 400 {
			t.Fatalf("POST /-/reload = %d %s, want 400", code, body)
		}
		var env struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
				Details []struct {
					Field   string `json:"field"`
					Message string `json:"message"`
				} `json:"details"`
			} `json:"error"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		if env.Error.Code != "invalid_argument" || len(env.Error.Details) != 1 ||
			!regexp.MustCompile(`hypercare\.yaml:\d+:\d+: `).MatchString(env.Error.Details[0].Message) ||
			!strings.Contains(env.Error.Details[0].Field, "escalation_polcy") {
			t.Errorf("error = %+v, want invalid_argument naming the field at file:line:col", env.Error)
		}
		if r.rl.Current() != before {
			t.Error("an invalid file replaced the snapshot")
		}
		if _, ok := r.in.Lookup(keyShop); !ok {
			t.Error("the running config's routing key stopped routing")
		}
		if got := r.metric("hypercare_config_reloads_total", "failure"); got != 1 {
			t.Errorf("failed reloads = %v, want 1", got)
		}
		// Below admin the endpoint is refused; fixed, the file applies.
		_, viewer, err := apiToken(r, hypercare.RoleResponder)
		if err != nil {
			t.Fatal(err)
		}
		if code, _ := r.post("/-/reload", viewer, ""); code != 403 {
			t.Errorf("a responder's reload = %d, want 403", code)
		}
		r.write(configFile(policy("web", "alice", "bob"), "web", ""))
		if code, body := r.post("/-/reload", r.admin, "{}"); code != 200 || !strings.Contains(string(body), `"changed":["escalation_policies"]`) {
			t.Errorf("fixed file: %d %s", code, body)
		}
	})
}

// If the catalog cannot be written, nothing swaps.
func TestReloadSwapsNothingWhenTheCatalogWriteFails(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		r := newRig(t, eng, configFile(policy("web", "alice"), "web", ""))
		before := r.rl.Current()
		r.write(configFile(policy("web", "bob"), "web", ""))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := r.rl.Reload(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("reload with the store unreachable: %v, want context.Canceled", err)
		}
		if r.rl.Current() != before || r.esc.Directory().Policies["web"].Levels[0].Targets[0].User != "alice" {
			t.Error("a reload whose catalog write failed replaced the snapshot")
		}
	})
}

// A maintenance window the new file removes no longer holds anything: the
// incidents it held that are still open page now, as when a silence is
// expired early, not at the end the old file gave it (README: a valid
// file takes effect at once, maintenance windows included).
func TestReloadRemovingAMaintenanceWindowReleasesItsHeldIncidents(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		window := `maintenance:
  - {id: db-upgrade, services: [shop], start: "2026-11-27T07:00", end: "2026-11-27T12:00", time_zone: UTC}
`
		r := newRig(t, eng, configFile(policy("web", "alice"), "web", window))
		inc := r.trigger("disk")
		r.runDue()
		if got := r.paged(inc); len(got) != 0 {
			t.Fatalf("paged %v inside the maintenance window", got)
		}
		r.reloadFile(configFile(policy("web", "alice"), "web", ""))
		r.clk.Advance(time.Minute)
		r.runDue()
		if got := r.paged(inc); !slices.Equal(got, []string{"alice"}) {
			t.Errorf("paged %v a minute after the reload removed the window; want alice now, not at 12:00\n%s",
				got, r.timeline(inc))
		}
	})
}

// A section that needs a restart stays listed under restart_required by
// every later reload until the server runs it: a second reload that does
// not touch it must not answer that nothing waits for a restart while the
// server still runs the value it started with.
func TestRestartRequiredListsWhatTheServerStillRunsFromItsStart(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		r := newRig(t, eng, configFile(policy("web", "alice"), "web", ""))
		limited := "ingest: {rate_limit_per_minute: 10}\n"
		if res := r.reloadFile(configFile(policy("web", "alice"), "web", limited)); !slices.Equal(res.RestartRequired, []string{"ingest"}) {
			t.Fatalf("first reload: restart_required = %v, want [ingest]", res.RestartRequired)
		}
		res := r.reloadFile(configFile(policy("web", "alice", "bob"), "web", limited))
		if !slices.Equal(res.Changed, []string{"escalation_policies"}) || !slices.Equal(res.RestartRequired, []string{"ingest"}) {
			t.Errorf("second reload: changed = %v, restart_required = %v; want [escalation_policies] and [ingest] "+
				"(the server still runs the rate limit it started with)", res.Changed, res.RestartRequired)
		}
		res = r.reloadFile(configFile(policy("web", "alice", "bob"), "web", ""))
		if !slices.Equal(res.Changed, []string{"ingest"}) || len(res.RestartRequired) != 0 {
			t.Errorf("back to the started ingest: changed = %v, restart_required = %v; want [ingest] and []",
				res.Changed, res.RestartRequired)
		}
	})
}

// Overlapping windows chain, and an incident records only the chain's
// last window: one opened inside a window that a later, overlapping one
// extends is recorded as held by the later one. A reload that removes the
// window the incident opened in must still release it when nothing covers
// it any more, as expiring a silence early does.
func TestReloadRemovingTheFirstWindowOfAChainReleasesItsIncidents(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		later := `  - {id: db-migration, services: [shop], start: "2026-11-27T08:30", end: "2026-11-27T12:00", time_zone: UTC}
`
		both := "maintenance:\n" + `  - {id: db-upgrade, services: [shop], start: "2026-11-27T07:00", end: "2026-11-27T09:00", time_zone: UTC}
` + later
		r := newRig(t, eng, configFile(policy("web", "alice"), "web", both))
		inc := r.trigger("disk")
		r.runDue()
		if got := r.paged(inc); len(got) != 0 {
			t.Fatalf("paged %v inside the maintenance window", got)
		}
		r.reloadFile(configFile(policy("web", "alice"), "web", "maintenance:\n"+later))
		r.clk.Advance(time.Minute)
		r.runDue()
		if got := r.paged(inc); !slices.Equal(got, []string{"alice"}) {
			t.Errorf("paged %v a minute after the reload removed the window the incident opened in (the other "+
				"starts at 08:30); want alice now, not at 12:00\n%s", got, r.timeline(inc))
		}
	})
}
