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

// A client never sees an object go back in time: from the first event
// whose object was read by another read that began before the newest
// object the client was sent had been read (the broker reads ahead while
// a client replays from the store), the objects are read again, together,
// before they are sent; the events of one read go out as read (one read
// per page of events: refreshing those would cost every client a read per
// event); an event whose object is gone moves the client past it and
// sends nothing.
func TestStreamNeverSendsAnOlderObject(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 23, 0, 0, 0, time.UTC)
	src := &refreshingOutbox{at: t0.Add(10 * time.Second)}
	s := &Server{streamStore: src}
	rec := httptest.NewRecorder()
	c := &streamClient{out: &sseWriter{w: rec, rc: http.NewResponseController(rec)}, admin: true}
	ev := func(id int64, obj string, read time.Time) *streamItem {
		e := hypercare.StreamEvent{ID: id, Kind: hypercare.StreamIncident, Op: hypercare.StreamUpdated,
			IncidentID: "inc-1", ObjectID: "inc-1", ReadFrom: read, ReadTo: read.Add(time.Millisecond)}
		if obj != "" {
			e.Object = json.RawMessage(obj)
		}
		return &streamItem{ev: e}
	}
	send := func(items ...*streamItem) string {
		t.Helper()
		rec.Body.Reset()
		if err := s.sendItems(t.Context(), c, items); err != nil {
			t.Fatal(err)
		}
		return rec.Body.String()
	}
	// Two events of one read (at t0+5s), say a replayed page: as read.
	out := send(ev(1, `{"id":"inc-1","status":"acknowledged"}`, t0.Add(5*time.Second)),
		ev(2, `{"id":"inc-1","status":"acknowledged","n":2}`, t0.Add(5*time.Second)))
	if !strings.Contains(out, `"n":2`) || strings.Count(out, "acknowledged") != 2 || src.refreshed != 0 {
		t.Fatalf("the events of one read were not sent as read (%d refreshes): %q", src.refreshed, out)
	}
	// Read by the broker at t0+1s, before the replay's read: these two
	// and the one after them are read again, in one read.
	out = send(ev(3, `{"id":"inc-1","status":"triggered"}`, t0.Add(time.Second)),
		ev(4, `{"id":"inc-1","status":"triggered"}`, t0.Add(time.Second)),
		ev(5, `{"id":"inc-1","status":"acknowledged"}`, t0.Add(6*time.Second)))
	if strings.Contains(out, "triggered") || strings.Count(out, `"resolved"`) != 3 || src.refreshed != 1 {
		t.Fatalf("objects read before the client's newest went out as read (%d refreshes): %q", src.refreshed, out)
	}
	// Read after the refresh: sent as read.
	if out := send(ev(6, `{"id":"inc-1","status":"resolved","title":"x"}`, t0.Add(time.Minute))); !strings.Contains(out, `"title":"x"`) || src.refreshed != 1 {
		t.Fatalf("a later read was not sent as read (%d refreshes): %q", src.refreshed, out)
	}
	// Gone: nothing sent, the client moves past it.
	if out := send(ev(7, "", t0.Add(2*time.Minute))); out != "" || c.sent != 7 {
		t.Fatalf("an event without its object sent %q, client at %d", out, c.sent)
	}
}
