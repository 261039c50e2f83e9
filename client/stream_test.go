package client_test

import (
	"context"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/apitest"
	"github.com/hypercare/hypercare/client"
)

// TestStream: the client follows the live stream, and resuming after the
// last ID it saw yields exactly the events committed since, in order.
func TestStream(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *env) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		events := make(chan client.StreamEvent, 100)
		go func() {
			for ev, err := range e.viewer.Stream(ctx, client.StreamOptions{Resume: true}) { // from the start: no race with the connect
				if err != nil {
					break
				}
				events <- ev
			}
			close(events)
		}()
		e.srv.Send(apitest.Event{RoutingKey: apitest.KeyCheckout, Action: "trigger", DedupKey: "c1",
			Payload: &apitest.Payload{Summary: "Disk full", Source: "db-1", Severity: "critical"}})
		first := <-events
		if first.Kind != hypercare.StreamIncident || first.Op != "created" || first.IncidentNumber != 1 {
			t.Fatalf("first event = %+v", first)
		}
		cancel()
		for range events {
		}
		if _, err := e.responder.Acknowledge(t.Context(), "1"); err != nil {
			t.Fatal(err)
		}
		want, err := e.srv.Store.StreamAfter(t.Context(), first.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		ctx2, cancel2 := context.WithCancel(t.Context())
		defer cancel2()
		i := 0
		for ev, err := range e.viewer.Stream(ctx2, client.StreamOptions{Resume: true, After: first.ID}) {
			if err != nil {
				t.Fatal(err)
			}
			if ev.ID != want[i].ID || ev.Kind != want[i].Kind {
				t.Fatalf("resumed event %d = %d %s, want %d %s", i, ev.ID, ev.Kind, want[i].ID, want[i].Kind)
			}
			if i++; i == len(want) {
				break
			}
		}
	})
}

// TestStreamResumesFromItsStart: a new stream tells OnStart where it
// starts, so a caller that drops before its first event resumes from
// there and gets what committed while it was away.
func TestStreamResumesFromItsStart(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *env) {
		ctx, cancel := context.WithCancel(t.Context())
		start := int64(-1)
		for _, err := range e.viewer.Stream(ctx, client.StreamOptions{OnStart: func(id int64) { start = id; cancel() }}) {
			if err != nil {
				t.Fatal(err)
			}
		}
		if start < 0 {
			t.Fatal("OnStart never heard the stream's start")
		}
		// Away: an incident opens.
		e.srv.Send(apitest.Event{RoutingKey: apitest.KeyCheckout, Action: "trigger", DedupKey: "c1",
			Payload: &apitest.Payload{Summary: "Disk full", Source: "db-1", Severity: "critical"}})
		for ev, err := range e.viewer.Stream(t.Context(), client.StreamOptions{Resume: true, After: start}) {
			if err != nil {
				t.Fatal(err)
			}
			if ev.Kind != hypercare.StreamIncident || ev.Op != "created" || ev.IncidentNumber != 1 {
				t.Fatalf("first event after resuming from the start %d: %+v, want incident 1 created", start, ev)
			}
			break
		}
	})
}
