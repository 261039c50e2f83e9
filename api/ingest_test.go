package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

func TestPagerDutyDedupRules(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		first := e.send(trigger(keyCheckout, "disk-full", "Disk full on db-1"))
		if first.Status != "success" || first.Message != "Event processed" || first.DedupKey != "disk-full" {
			t.Fatalf("first trigger answered %+v", first)
		}
		e.clock.Advance(time.Minute)
		e.send(trigger(keyCheckout, "disk-full", "Disk full on db-1 (95%)"))
		incs := e.incidents("")
		if len(incs) != 1 || incs[0].Number != 1 || incs[0].Status != hypercare.StatusTriggered {
			t.Fatalf("after repeat trigger: %+v", incs)
		}
		if incs[0].Title != "Disk full on db-1" || incs[0].Urgency != hypercare.UrgencyHigh {
			t.Errorf("incident title/urgency: %+v", incs[0])
		}
		al := e.alerts("?dedup_key=disk-full")
		if len(al) != 1 || al[0].EventCount != 2 || al[0].Summary != "Disk full on db-1 (95%)" ||
			!al[0].LastSeenAt.Equal(t0.Add(time.Minute)) || !al[0].FirstSeenAt.Equal(t0) {
			t.Fatalf("alert after repeat: %+v", al)
		}

		// Acknowledge and resolve that match nothing are accepted and change nothing.
		e.send(action(keyCheckout, "acknowledge", "no-such-alert"))
		e.send(action(keyCheckout, "resolve", "no-such-alert"))
		// A resolve through another service's routing key does not touch this alert.
		e.send(action(keySearch, "resolve", "disk-full"))
		if got := e.incidents(""); len(got) != 1 || got[0].Status != hypercare.StatusTriggered {
			t.Fatalf("no-op events changed something: %+v", got)
		}

		e.send(action(keyCheckout, "acknowledge", "disk-full"))
		e.send(action(keyCheckout, "acknowledge", "disk-full")) // idempotent
		if got := e.incidents(""); got[0].Status != hypercare.StatusAcknowledged || got[0].AcknowledgedAt == nil {
			t.Fatalf("after ack: %+v", got[0])
		}
		e.send(trigger(keyCheckout, "disk-full", "still full")) // dedup into the acknowledged alert
		if got := e.incidents(""); len(got) != 1 || got[0].Status != hypercare.StatusAcknowledged {
			t.Fatalf("trigger on acknowledged alert: %+v", got)
		}
		e.send(action(keyCheckout, "resolve", "disk-full"))
		if got := e.incidents(""); got[0].Status != hypercare.StatusResolved || got[0].ResolvedAt == nil {
			t.Fatalf("after resolve: %+v", got[0])
		}

		// A trigger after resolve opens a new alert and incident.
		e.send(trigger(keyCheckout, "disk-full", "Disk full again"))
		incs = e.incidents("?status=triggered")
		if len(incs) != 1 || incs[0].Number != 2 {
			t.Fatalf("trigger after resolve: %+v", incs)
		}
		if n := len(e.alerts("?dedup_key=disk-full")); n != 2 {
			t.Fatalf("want 2 alerts for the key, got %d", n)
		}

		types := entryTypes(e.timeline("1"))
		want := []string{"triggered", "acknowledged", "resolved"}
		if strings.Join(types, ",") != strings.Join(want, ",") {
			t.Errorf("timeline of incident 1 = %v, want %v", types, want)
		}
		if tl := e.timeline("1"); tl[0].Actor.Type != hypercare.ActorIntegration || tl[0].Actor.Name != "Datadog" {
			t.Errorf("trigger actor = %+v", tl[0].Actor)
		}
	})
}

func entryTypes(tl []hypercare.TimelineEntry) []string {
	var out []string
	for _, x := range tl {
		out = append(out, x.Type)
	}
	return out
}

func TestTriggerWithoutDedupKeyGetsOne(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		a := e.send(trigger(keyCheckout, "", "no key"))
		b := e.send(trigger(keyCheckout, "", "no key"))
		if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(a.DedupKey) || a.DedupKey == b.DedupKey {
			t.Fatalf("generated keys %q, %q", a.DedupKey, b.DedupKey)
		}
		if n := len(e.incidents("")); n != 2 {
			t.Fatalf("want 2 incidents, got %d", n)
		}
		e.send(action(keyCheckout, "resolve", a.DedupKey))
		if n := len(e.incidents("?status=resolved")); n != 1 {
			t.Fatalf("resolve by generated key: %d resolved", n)
		}
	})
}

func TestBadEventsAreRejectedAndWriteNothing(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		cases := []struct {
			name string
			body any
			code int
			want string // a substring of one error
		}{
			{"empty body", "", 400, ""},
			{"not json", "{", 400, ""},
			{"unknown routing key", trigger("ffffffffffffffffffffffffffffffff", "x", "s"), 400, "Invalid routing key"},
			{"short routing key", trigger("abc", "x", "s"), 400, "routing_key"},
			{"bad action", action(keyCheckout, "explode", "x"), 400, "event_action"},
			{"no summary", map[string]any{"routing_key": keyCheckout, "event_action": "trigger",
				"payload": map[string]any{"source": "s", "severity": "critical"}}, 400, "summary"},
			{"bad severity", map[string]any{"routing_key": keyCheckout, "event_action": "trigger",
				"payload": map[string]any{"summary": "s", "source": "s", "severity": "apocalyptic"}}, 400, "severity"},
			{"summary too long", trigger(keyCheckout, "x", strings.Repeat("a", 1025)), 400, "summary"},
			{"dedup key too long", trigger(keyCheckout, strings.Repeat("k", 256), "s"), 400, "dedup_key"},
			{"too large", `{"routing_key":"` + keyCheckout + `","pad":"` + strings.Repeat("x", 600<<10) + `"}`, 413, ""},
		}
		for _, c := range cases {
			var out pd
			code := e.do("POST", "/v2/enqueue", "", c.body, &out)
			if code != c.code || (out.Status != "invalid event" && out.Status != "Unrecognized object") || len(out.Errors) == 0 {
				t.Errorf("%s: %d %+v", c.name, code, out)
				continue
			}
			if c.want != "" && !strings.Contains(strings.Join(out.Errors, "|"), c.want) {
				t.Errorf("%s: errors %q lack %q", c.name, out.Errors, c.want)
			}
		}
		// Every problem is listed, not just the first.
		var out pd
		e.do("POST", "/v2/enqueue", "", map[string]any{"routing_key": "x", "event_action": "trigger",
			"payload": map[string]any{}}, &out)
		if len(out.Errors) < 4 {
			t.Errorf("want every problem listed, got %q", out.Errors)
		}
		if n := len(e.incidents("")); n != 0 {
			t.Fatalf("rejected events wrote %d incidents", n)
		}
	})
}

func TestHostileTextIsStoredTheSameOnBothStores(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		body := `{"routing_key":"` + keyCheckout + `","event_action":"trigger","dedup_key":"nul",` +
			`"payload":{"summary":"a\u0000b ` + "\xff\xfe" + ` c","source":"s\u0000","severity":"error",` +
			`"custom_details":{"k":"v\u0000` + "\xff" + `"}}}`
		var out pd
		if code := e.do("POST", "/v2/enqueue", "", []byte(body), &out); code != http.StatusAccepted {
			t.Fatalf("hostile text: %d %+v", code, out)
		}
		al := e.alerts("?dedup_key=nul")
		if len(al) != 1 || strings.ContainsRune(al[0].Summary, 0) || !strings.HasPrefix(al[0].Summary, "a") {
			t.Fatalf("stored alert %+v", al)
		}
		var keyOut pd
		code := e.do("POST", "/v2/enqueue", "", []byte(`{"routing_key":"`+keyCheckout+
			`","event_action":"resolve","dedup_key":"a\u0000b"}`), &keyOut)
		if code != 400 {
			t.Fatalf("NUL in dedup_key: %d %+v", code, keyOut)
		}
	})
}

func TestRateLimitPerRoutingKey(t *testing.T) {
	for _, eng := range storetestEngines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			e := newEnv(t, eng.Open(t), 60) // 1/s, burst 10
			var limited bool
			for i := 0; i < 11; i++ {
				var out pd
				req := trigger(keyCheckout, "rl", "storm")
				code := e.do("POST", "/v2/enqueue", "", req, &out)
				if code == http.StatusTooManyRequests {
					limited = true
					if out.Status != "throttle event" {
						t.Errorf("429 body %+v", out)
					}
					break
				}
			}
			if !limited {
				t.Fatal("11 events in one instant at 60/min were not limited")
			}
			// Another key has its own bucket.
			e.send(trigger(keySearch, "other", "fine"))
			// Time refills the bucket.
			e.clock.Advance(2 * time.Second)
			e.send(trigger(keyCheckout, "rl", "after wait"))
		})
	}
}

func TestChangeEventsBecomeRecentContext(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		change := map[string]any{"routing_key": keyCheckout,
			"payload": map[string]any{"summary": "Deploy checkout v2.3.1", "source": "ci",
				"timestamp": t0.Format(time.RFC3339)}}
		var out pd
		if code := e.do("POST", "/v2/change/enqueue", "", change, &out); code != 202 || out.Status != "success" {
			t.Fatalf("change: %d %+v", code, out)
		}
		var list struct {
			ChangeEvents []hypercare.ChangeEvent `json:"change_events"`
		}
		if e.do("GET", "/api/v1/change_events?service=checkout", e.viewer, nil, &list); len(list.ChangeEvents) != 1 {
			t.Fatalf("change events: %+v", list)
		}
		e.clock.Advance(20 * time.Minute)
		e.send(trigger(keyCheckout, "after-deploy", "Checkout errors"))
		e.send(trigger(keySearch, "other-service", "Search slow"))
		e.clock.Advance(15 * time.Minute) // 35 min after the change
		e.send(trigger(keyCheckout, "later", "Unrelated later"))

		has := func(ref string) bool {
			for _, x := range e.timeline(ref) {
				if x.Type == hypercare.TimelineRecentChanges && strings.Contains(string(x.Details), "Deploy checkout v2.3.1") {
					return true
				}
			}
			return false
		}
		if !has("1") {
			t.Error("incident 20 min after the deploy lacks the recent change")
		}
		// The window reads as people say it, not as Go prints "30m0s".
		for _, x := range e.timeline("1") {
			if x.Type == hypercare.TimelineRecentChanges &&
				x.Message != "1 change(s) on this service in the 30 minutes before this incident; latest: Deploy checkout v2.3.1" {
				t.Errorf("recent changes entry: %q", x.Message)
			}
		}
		if has("2") {
			t.Error("incident on another service got the change")
		}
		if has("3") {
			t.Error("incident 35 min after the deploy got the change")
		}
	})
}

func TestEventsV1(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		var out struct {
			Status      string `json:"status"`
			IncidentKey string `json:"incident_key"`
		}
		body := map[string]any{"service_key": keyCheckout, "event_type": "trigger", "incident_key": "nagios/web-01/http",
			"description": "HTTP CRITICAL on web-01", "details": map[string]any{"output": "timeout"}}
		if code := e.do("POST", "/generic/2010-04-15/create_event.json", "", body, &out); code != 200 || out.IncidentKey != "nagios/web-01/http" {
			t.Fatalf("v1 trigger: %d %+v", code, out)
		}
		body["event_type"] = "resolve"
		e.do("POST", "/generic/2010-04-15/create_event.json", "", body, &out)
		if got := e.incidents(""); len(got) != 1 || got[0].Status != hypercare.StatusResolved {
			t.Fatalf("v1 resolve: %+v", got)
		}
	})
}
