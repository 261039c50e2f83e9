package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// redactVersion is the migration that removes routing keys from the event
// log (0003_redact_routing_keys.sql).
const redactVersion = 3

const oldKey = "0123456789abcdef0123456789abcdef"

// TestMigrationRedactsRoutingKeys: a database written before migration 0003,
// whose event log holds routing keys as the old intake stored them, has no
// key left after the store opens it; every payload is then byte for byte
// what the current intake writes for the same event, on both engines.
func TestMigrationRedactsRoutingKeys(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		opts := eng.Options(t)
		o := openOld(t, opts)
		o.applyBelow(redactVersion)
		db := o.db

		// What the current intake writes for an event, and what the old one
		// wrote: the same with routing_key as the first member.
		now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
		current := func(ev hypercare.Event) string {
			b, err := json.Marshal(&ev)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte("routing_key")) || (ev.RoutingKey != "" && bytes.Contains(b, []byte(ev.RoutingKey))) {
				t.Fatalf("the current encoding carries the key: %s", b)
			}
			return string(b)
		}
		old := func(key, cur string) string { return `{"routing_key":"` + key + `",` + cur[1:] }
		v2 := current(hypercare.Event{RoutingKey: oldKey, Action: hypercare.ActionTrigger, DedupKey: "disk",
			Summary: `<disk> & "full" on web-01 — é`, Severity: hypercare.SeverityCritical, Timestamp: &now,
			CustomDetails: json.RawMessage(`{"big":12345678901234567890,"f":2.50,"html":"<b>","list":[1,{"a":null}]}`),
			Links:         []hypercare.Link{{Href: "https://example.com/?a=1&b=2", Text: "graph"}}})
		am := current(hypercare.Event{Action: hypercare.ActionResolve, DedupKey: "a1b2c3d4e5f60708", Summary: "5xx"})
		rows := []struct{ id, payload, want string }{
			{"01-v2", old(oldKey, v2), v2},
			{"02-native", old("", am), am},
			{"03-current", v2, v2},
			// Not intake's member order: the key goes all the same.
			{"04-other-order", `{"event_action":"resolve","dedup_key":"x","routing_key":"` + oldKey + `"}`,
				`{"event_action":"resolve","dedup_key":"x"}`},
		}
		for _, r := range rows {
			if _, err := db.Exec("INSERT INTO events (id, received_at, integration_id, service_id, action, dedup_key,"+
				" alert_id, incident_id, outcome, payload) VALUES ($1, $2, 'checkout-v2', 'checkout', 'trigger', 'k', '', '', 'created', $3)",
				r.id, now.UnixMicro(), r.payload); err != nil {
				t.Fatalf("insert old-style row %s: %v", r.id, err)
			}
		}
		if _, err := db.Exec("INSERT INTO events (id, received_at, integration_id, service_id, action, dedup_key," +
			" alert_id, incident_id, outcome, payload) VALUES ('05-null', 0, 'i', 's', 'trigger', 'k', '', '', 'created', NULL)"); err != nil {
			t.Fatalf("insert row without payload: %v", err)
		}
		db.Close()

		st := storetest.OpenStore(t, opts) // applies 0003 and later
		got, _, err := st.ListEvents(context.Background(), hypercare.Page{Limit: 100})
		if err != nil || len(got) != len(rows)+1 {
			t.Fatalf("list events: %d rows, %v", len(got), err)
		}
		byID := map[string]string{}
		for _, e := range got {
			byID[e.ID] = string(e.Payload)
			if strings.Contains(string(e.Payload), oldKey) || strings.Contains(string(e.Payload), "routing_key") {
				t.Errorf("event %s still holds the key after migration: %s", e.ID, e.Payload)
			}
		}
		for _, r := range rows[:3] {
			if byID[r.id] != r.want {
				t.Errorf("event %s payload after migration:\n got %s\nwant %s", r.id, byID[r.id], r.want)
			}
		}
		if r := rows[3]; !jsonEqual(t, byID[r.id], r.want) {
			t.Errorf("event %s payload after migration: got %s, want the JSON value %s", r.id, byID[r.id], r.want)
		}
		if p := byID["05-null"]; p != "" {
			t.Errorf("event without payload got %q", p)
		}
	})
}

func jsonEqual(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatalf("%q: %v", a, err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatalf("%q: %v", b, err)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return bytes.Equal(xb, yb)
}
