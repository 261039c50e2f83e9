package api_test

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// TestStreamIncidentFilterKeepsItsPlace: a client following one incident
// (?incident=, the incident page's live updates) is told, at its
// keepalive, the ID it has got to when the events that went by were all
// another incident's, so its EventSource's last event ID keeps up with
// the stream. It kept the ID of its incident's last event: once
// retention pruned past that (a quiet day, or a million events of other
// incidents), its next reconnect was answered with a reset though it had
// missed nothing, and until then every reconnect replayed all the events
// since, only to skip them.
func TestStreamIncidentFilterKeepsItsPlace(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.send(trigger(keyCheckout, "disk", "Disk full"))
		mine := e.committed(0)
		num := strconv.FormatInt(mine[0].IncidentNumber, 10)
		// Retention's loop waits on the clock; the stream's keepalive will
		// be the next waiter.
		for e.clock.Waiters() < 1 {
			runtime.Gosched()
		}
		all := e.openStream(e.viewer, "", "") // sees when the broker fanned out
		es := e.openEventSource(e.viewer, "?incident="+num, "")
		if d := es.step(); d.typ != "" {
			t.Fatalf("first dispatch fired %+v, want the connection's block", d)
		}
		for e.clock.Waiters() < 2 {
			runtime.Gosched()
		}

		// Another incident's events go by; the filter skips them all.
		e.send(trigger(keySearch, "cpu", "CPU high"))
		e.send(trigger(keySearch, "mem", "Memory high"))
		others := e.committed(mine[len(mine)-1].ID)
		last := all.expect(others)

		e.clock.Advance(15 * time.Second) // the keepalive
		if d := es.step(); d.typ != "" || d.lastEventID != strconv.FormatInt(last, 10) {
			t.Errorf("keepalive dispatch %+v; want no event and last event ID %d (the other incident's events were skipped)", d, last)
		}
		es.cancel()

		// Retention prunes every event so far; the client reconnects as
		// EventSource does, then its incident changes.
		if _, err := e.st.PruneStream(ctx, time.Now().Add(time.Hour), 0); err != nil {
			t.Fatal(err)
		}
		if pruned, _, err := e.st.StreamHorizon(ctx); err != nil || pruned != last {
			t.Fatalf("pruned through %d (%v), want %d", pruned, err, last)
		}
		es2 := e.openEventSource(e.viewer, "?incident="+num, es.lastEventID)
		if code := e.do("POST", "/api/v1/incidents/"+num+"/acknowledge", e.responder, nil, nil); code != 200 {
			t.Fatalf("ack: %d", code)
		}
		if got := es2.next(); got.typ != "incident" && got.typ != "timeline" && got.typ != "alert" {
			t.Fatalf("after reconnecting with Last-Event-ID %s: %s %s; want the acknowledgement's events, no reset", es.lastEventID, got.typ, got.data)
		}
	})
}
