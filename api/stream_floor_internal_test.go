package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// refreshingOutbox answers StreamRefresh with the object's newer state,
// counting calls.
type refreshingOutbox struct {
	emptyStream
	at        time.Time
	refreshed int
}

func (f *refreshingOutbox) StreamRefresh(_ context.Context, evs []hypercare.StreamEvent) ([]hypercare.StreamEvent, error) {
	f.refreshed++
	out := append([]hypercare.StreamEvent(nil), evs...)
	for i := range out {
		out[i].Object = json.RawMessage(`{"id":"inc-1","status":"resolved"}`)
		out[i].ReadFrom, out[i].ReadTo = f.at, f.at.Add(time.Millisecond)
	}
	return out, nil
}

// A client never sees an object go back in time: an event whose object
// was read before the newest object the client was sent (the broker reads
// ahead while a client replays from the store) is read again before it is
// sent; later reads go out as the broker read them; an event whose object
// is gone moves the client past it and sends nothing.
func TestStreamNeverSendsAnOlderObject(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 23, 0, 0, 0, time.UTC)
	src := &refreshingOutbox{at: t0.Add(10 * time.Second)}
	s := &Server{streamStore: src}
	rec := httptest.NewRecorder()
	c := &streamClient{out: &sseWriter{w: rec, rc: http.NewResponseController(rec)}, admin: true}
	ev := func(id int64, obj string, read time.Time) hypercare.StreamEvent {
		e := hypercare.StreamEvent{ID: id, Kind: hypercare.StreamIncident, Op: hypercare.StreamUpdated,
			IncidentID: "inc-1", ObjectID: "inc-1", ReadFrom: read, ReadTo: read.Add(time.Millisecond)}
		if obj != "" {
			e.Object = json.RawMessage(obj)
		}
		return e
	}
	send := func(e hypercare.StreamEvent) string {
		t.Helper()
		rec.Body.Reset()
		if err := s.send(t.Context(), c, e, nil); err != nil {
			t.Fatal(err)
		}
		return rec.Body.String()
	}
	// Replayed, read at t0+5s: the client's floor moves there.
	if out := send(ev(1, `{"id":"inc-1","status":"acknowledged"}`, t0.Add(5*time.Second))); !strings.Contains(out, "acknowledged") {
		t.Fatalf("first frame = %q", out)
	}
	// Read by the broker at t0+1s, before the replay's read: read again.
	if out := send(ev(2, `{"id":"inc-1","status":"triggered"}`, t0.Add(time.Second))); !strings.Contains(out, `"resolved"`) || src.refreshed != 1 {
		t.Fatalf("an object read before the floor went out as read (%d refreshes): %q", src.refreshed, out)
	}
	// Read after the floor: sent as read.
	if out := send(ev(3, `{"id":"inc-1","status":"resolved","title":"x"}`, t0.Add(time.Minute))); !strings.Contains(out, `"title":"x"`) || src.refreshed != 1 {
		t.Fatalf("a later read was not sent as read (%d refreshes): %q", src.refreshed, out)
	}
	// Gone: nothing sent, the client moves past it.
	if out := send(ev(4, "", t0.Add(2*time.Minute))); out != "" || c.sent != 4 {
		t.Fatalf("an event without its object sent %q, client at %d", out, c.sent)
	}
}
