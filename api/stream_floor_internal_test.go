package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
)

// refreshingOutbox answers StreamRefresh with each object's newest state,
// read at a time the test sets, counting calls.
type refreshingOutbox struct {
	emptyStream
	mu        sync.Mutex
	at        time.Time
	refreshed int
}

func (f *refreshingOutbox) StreamRefresh(_ context.Context, evs []hypercare.StreamEvent) ([]hypercare.StreamEvent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refreshed++
	out := append([]hypercare.StreamEvent(nil), evs...)
	for i := range out {
		out[i].Object = json.RawMessage(`{"id":"` + out[i].ObjectID + `","status":"resolved"}`)
		out[i].ReadFrom, out[i].ReadTo = f.at, f.at.Add(time.Millisecond)
	}
	return out, nil
}

func (f *refreshingOutbox) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refreshed
}

// A client never gets an object in an older state than one it was sent,
// and never reads one again without need: a state read after the client's
// goes out as read; one read before it (the broker reading ahead while the
// client replayed) goes out as the newer state the client has; one whose
// read overlapped the client's, or that was read before the connection
// began, is read again, by the broker, all waiting ones in one read, and
// reads again never chain; an event whose object is gone moves the client
// past it; a client that remembers too many objects forgets them safely.
func TestStreamNeverSendsAnOlderObject(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 23, 0, 0, 0, time.UTC)
	src := &refreshingOutbox{at: t0.Add(10 * time.Second)}
	b := newBroker(src, clocktest.New(t0), slog.New(slog.DiscardHandler), 8)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- b.Run(ctx) }()
	defer func() { cancel(); <-done }()
	s := &Server{streamStore: src, broker: b}
	rec := httptest.NewRecorder()
	c := newStreamClient(&sseWriter{w: rec, rc: http.NewResponseController(rec)}, nil, 0, true, t0)

	var id int64
	ev := func(obj, state string, read time.Duration) *streamItem {
		id++
		e := hypercare.StreamEvent{ID: id, Kind: hypercare.StreamIncident, Op: hypercare.StreamUpdated,
			IncidentID: obj, ObjectID: obj, ReadFrom: t0.Add(read), ReadTo: t0.Add(read + time.Millisecond)}
		if state != "" {
			e.Object = json.RawMessage(`{"id":"` + obj + `","status":"` + state + `"}`)
		}
		return &streamItem{ev: e}
	}
	frames := func(out string) []string {
		var got []string
		for _, line := range strings.Split(out, "\n") {
			if rest, ok := strings.CutPrefix(line, "data: "); ok {
				var d struct{ Object struct{ ID, Status string } }
				if err := json.Unmarshal([]byte(rest), &d); err != nil {
					t.Fatal(err)
				}
				got = append(got, d.Object.ID+"="+d.Object.Status)
			}
		}
		return got
	}
	live := func(items ...*streamItem) []string {
		t.Helper()
		rec.Body.Reset()
		if err := s.sendItems(t.Context(), c, items); err != nil {
			t.Fatal(err)
		}
		return frames(rec.Body.String())
	}
	want := func(what string, got []string, refreshes int, w ...string) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(w) || src.calls() != refreshes {
			t.Fatalf("%s: sent %v after %d reads again, want %v after %d", what, got, src.calls(), w, refreshes)
		}
	}

	// Replayed from the store, one read at t0+5s.
	rec.Body.Reset()
	for _, it := range []*streamItem{ev("x", "acknowledged", 5*time.Second), ev("y", "acknowledged", 5*time.Second)} {
		if err := c.send(it.ev, nil, true); err != nil {
			t.Fatal(err)
		}
	}
	want("replay", frames(rec.Body.String()), 0, "x=acknowledged", "y=acknowledged")

	// The broker read x at t0+1s, before the replay: the client's newer
	// state goes out, nothing is read.
	want("read before", live(ev("x", "triggered", time.Second)), 0, "x=acknowledged")

	// Read while the replay read (overlapping), and z, never seen, read
	// before the connection: both read again, in one read.
	want("overlapping", live(ev("x", "triggered", 5*time.Second+time.Microsecond),
		ev("y", "acknowledged", 5*time.Second+2*time.Millisecond), // after the replay: as read
		ev("z", "triggered", -time.Second)), 1, "x=resolved", "y=acknowledged", "z=resolved")

	// The broker's later reads: as read; one read before the read again
	// (it waited in the buffer): the newer state. No read chains.
	want("later", live(ev("x", "acknowledged", 9*time.Second), ev("z", "triggered", 11*time.Second)), 1,
		"x=resolved", "z=triggered")

	// Gone: nothing sent, the client moves past it.
	gone := ev("x", "", 12*time.Second)
	if got := live(gone); len(got) != 0 || c.sent != gone.ev.ID {
		t.Fatalf("an event without its object sent %v, client at %d", got, c.sent)
	}

	// The broker's reads have passed everything the client remembered.
	if len(c.seen) != 0 {
		t.Fatalf("still remembers %d objects after the broker's reads passed them", len(c.seen))
	}

	// Too many objects from the client's own reads (a long replay):
	// forgotten, and a state read before the forgotten ones' read ended is
	// read again, not trusted.
	c.limit = 4
	rec.Body.Reset()
	for i := range 5 {
		if err := c.send(ev(fmt.Sprint("o", i), "triggered", 20*time.Second).ev, nil, true); err != nil {
			t.Fatal(err)
		}
	}
	if got := frames(rec.Body.String()); len(got) != 5 || len(c.seen) > 4 || src.calls() != 1 {
		t.Fatalf("sent %v, remembers %d objects, %d reads again", got, len(c.seen), src.calls())
	}
	src.mu.Lock()
	src.at = t0.Add(30 * time.Second) // a read again reads now
	src.mu.Unlock()
	want("forgotten", live(ev("o1", "triggered", 20*time.Second-time.Microsecond)), 2, "o1=resolved")
}
