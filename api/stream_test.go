package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/intake"
)

// sseEvent is one parsed Server-Sent Event.
type sseEvent struct {
	ID    int64
	Event string
	Data  string
}

// streamData is the JSON of a stream event's data line.
type streamData struct {
	Kind           string          `json:"kind"`
	Op             string          `json:"op"`
	IncidentID     string          `json:"incident_id"`
	IncidentNumber int64           `json:"incident_number"`
	Object         json.RawMessage `json:"object"`
}

func (ev sseEvent) data(t *testing.T) streamData {
	t.Helper()
	var d streamData
	if err := json.Unmarshal([]byte(ev.Data), &d); err != nil {
		t.Fatalf("event %d data %q: %v", ev.ID, ev.Data, err)
	}
	return d
}

// sseConn is an open stream read by a goroutine into events.
type sseConn struct {
	t      *testing.T
	cancel context.CancelFunc
	events chan sseEvent
	// comments counts comment lines (": keepalive").
	comments chan string
}

// openStream connects to GET /api/v1/stream; lastID "" sends no
// Last-Event-ID.
func (e *env) openStream(token, query, lastID string) *sseConn {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", e.url+"/api/v1/stream"+query, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		e.t.Fatalf("open stream: %v", err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		cancel()
		resp.Body.Close()
		e.t.Fatalf("open stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	c := &sseConn{t: e.t, cancel: cancel, events: make(chan sseEvent, 10000), comments: make(chan string, 100)}
	go func() {
		defer close(c.events)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var cur sseEvent
		for sc.Scan() {
			line := sc.Text()
			field, value, _ := strings.Cut(line, ": ")
			switch {
			case line == "":
				if cur.Event != "" {
					c.events <- cur
				}
				cur = sseEvent{}
			case strings.HasPrefix(line, ":"):
				select {
				case c.comments <- line:
				default:
				}
			case field == "id":
				cur.ID, _ = strconv.ParseInt(value, 10, 64)
			case field == "event":
				cur.Event = value
			case field == "data":
				cur.Data = value
			}
		}
	}()
	e.t.Cleanup(c.close)
	return c
}

func (c *sseConn) close() { c.cancel() }

// next returns the next event, failing after a generous bound.
func (c *sseConn) next() sseEvent {
	c.t.Helper()
	select {
	case ev, ok := <-c.events:
		if !ok {
			c.t.Fatal("stream ended")
		}
		return ev
	case <-time.After(10 * time.Second):
		c.t.Fatal("no stream event within 10 s")
	}
	return sseEvent{}
}

// ended reports whether the stream ends (EOF) within a generous bound,
// skipping events still in flight.
func (c *sseConn) ended() bool {
	deadline := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-c.events:
			if !ok {
				return true
			}
		case <-deadline:
			return false
		}
	}
}

// committed returns the store's retained stream events after id: the
// truth a stream is checked against.
func (e *env) committed(after int64) []hypercare.StreamEvent {
	e.t.Helper()
	if err := e.st.StreamSettle(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	evs, err := e.st.StreamAfter(context.Background(), after, 10000)
	if err != nil {
		e.t.Fatal(err)
	}
	return evs
}

// expect reads len(want) events and checks they are want, in order.
func (c *sseConn) expect(want []hypercare.StreamEvent) int64 {
	c.t.Helper()
	var last int64
	for i, w := range want {
		got := c.next()
		if got.ID != w.ID || got.Event != w.Kind {
			c.t.Fatalf("event %d = id %d %s, want id %d %s", i, got.ID, got.Event, w.ID, w.Kind)
		}
		last = got.ID
	}
	return last
}

// TestStreamResume: a client that drops and reconnects with Last-Event-ID
// receives every change committed meanwhile, in order, none twice, and
// then follows live.
func TestStreamResume(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		s1 := e.openStream(e.viewer, "", "")
		e.send(trigger(keyCheckout, "disk", "Disk full"))
		first := e.committed(0)
		if len(first) < 3 {
			t.Fatalf("a new incident published %d events, want incident, alert, timeline", len(first))
		}
		last := s1.expect(first)
		d := first[0]
		if d.Kind != hypercare.StreamIncident || d.Op != hypercare.StreamCreated || d.IncidentNumber == 0 {
			t.Fatalf("first event = %+v, want the incident created", d)
		}
		s1.close()

		// While disconnected: ack, a note, a new incident.
		num := strconv.FormatInt(d.IncidentNumber, 10)
		if code := e.do("POST", "/api/v1/incidents/"+num+"/acknowledge", e.responder, nil, nil); code != 200 {
			t.Fatalf("ack: %d", code)
		}
		if code := e.do("POST", "/api/v1/incidents/"+num+"/notes", e.responder, map[string]string{"message": "on it"}, nil); code != 201 {
			t.Fatalf("note: %d", code)
		}
		e.send(trigger(keySearch, "cpu", "CPU high"))
		missed := e.committed(last)
		if len(missed) < 5 {
			t.Fatalf("only %d events committed while disconnected", len(missed))
		}

		s2 := e.openStream(e.viewer, "", strconv.FormatInt(last, 10))
		last = s2.expect(missed)
		// Then live, with nothing in between.
		e.send(trigger(keySearch, "mem", "Memory high"))
		s2.expect(e.committed(last))
		acked := false
		for _, m := range missed {
			acked = acked || (m.Kind == hypercare.StreamIncident && m.Op == hypercare.StreamUpdated)
		}
		if !acked {
			t.Error("the acknowledgement was not among the missed events")
		}
	})
}

// TestStreamWireFormat: id, event and one line of JSON with kind, op,
// incident ID and number, and the object as the REST API shows it.
func TestStreamWireFormat(t *testing.T) {
	e := newEnv(t, storetestEngines(t)[0].Open(t), 0)
	s := e.openStream(e.viewer, "", "")
	e.send(trigger(keyCheckout, "disk", "Disk full"))
	ev := s.next()
	d := ev.data(t)
	incs := e.incidents("")
	if ev.Event != "incident" || d.Kind != "incident" || d.Op != "created" || d.IncidentID != incs[0].ID ||
		d.IncidentNumber != incs[0].Number {
		t.Fatalf("event = %+v %+v, want incident created %s #%d", ev, d, incs[0].ID, incs[0].Number)
	}
	var obj hypercare.Incident
	if err := json.Unmarshal(d.Object, &obj); err != nil || obj.ID != incs[0].ID || obj.Title != "Disk full" {
		t.Fatalf("object = %s (%v)", d.Object, err)
	}
	alert := s.next()
	if alert.Event != "alert" || alert.data(t).Op != "created" || alert.ID <= ev.ID {
		t.Fatalf("second event = %+v, want alert created after %d", alert, ev.ID)
	}
}

// TestStreamRoles: a failed page's error_detail (in the notification and in
// its timeline entry) reaches admins' streams only, as in the REST API.
func TestStreamRoles(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		viewer := e.openStream(e.viewer, "", "")
		admin := e.openStream(e.admin, "", "")
		const detail = "dial tcp 10.1.2.3:8443: connection refused"
		ctx := context.Background()
		err := e.st.Write(ctx, "t", func(tx hypercare.Tx) error {
			inc := &hypercare.Incident{ID: "inc-roles", Title: "t", Status: hypercare.StatusTriggered,
				Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityCritical, ServiceID: "checkout",
				CreatedAt: t0, UpdatedAt: t0}
			if err := tx.InsertIncident(ctx, inc); err != nil {
				return err
			}
			if err := tx.InsertNotification(ctx, &hypercare.Notification{ID: "n-1", IncidentID: inc.ID, UserID: "bob",
				ContactMethod: "bob-hook", Type: "webhook", Reason: "level 1", Status: "failed", Attempts: 1,
				LastError: "connection refused", ErrorDetail: detail, DueAt: t0, CreatedAt: t0}); err != nil {
				return err
			}
			return tx.AppendTimeline(ctx, &hypercare.TimelineEntry{ID: "tl-roles", IncidentID: inc.ID, At: t0,
				Type: "notify_failed", Actor: hypercare.SystemActor, Message: "Page failed",
				Details: json.RawMessage(`{"error_detail":"` + detail + `","attempts":1}`)})
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			s    *sseConn
			want bool
		}{{"viewer", viewer, false}, {"admin", admin, true}} {
			for _, kind := range []string{"incident", "notification", "timeline"} {
				ev := c.s.next()
				if ev.Event != kind {
					t.Fatalf("%s: event %s, want %s", c.name, ev.Event, kind)
				}
				if got := strings.Contains(ev.Data, "10.1.2.3"); kind != "incident" && got != c.want {
					t.Errorf("%s %s event shows error detail = %v, want %v: %s", c.name, kind, got, c.want, ev.Data)
				}
				if kind == "notification" && !strings.Contains(ev.Data, "connection refused") {
					t.Errorf("%s: last_error missing: %s", c.name, ev.Data)
				}
			}
		}
	})
}

// TestStreamAfterCommitOnly: a write that rolls back publishes nothing;
// the next event a client sees is the next committed change.
func TestStreamAfterCommitOnly(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		s := e.openStream(e.viewer, "", "")
		ctx := context.Background()
		err := e.st.Write(ctx, "t", func(tx hypercare.Tx) error {
			if err := tx.InsertIncident(ctx, &hypercare.Incident{ID: "inc-rolled-back", Title: "t",
				Status: hypercare.StatusTriggered, Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityCritical,
				ServiceID: "checkout", CreatedAt: t0, UpdatedAt: t0}); err != nil {
				return err
			}
			return hypercare.Errorf(hypercare.CodeConflict, "changed my mind")
		})
		if hypercare.ErrorCode(err) != hypercare.CodeConflict {
			t.Fatalf("write: %v", err)
		}
		e.send(trigger(keyCheckout, "disk", "Disk full"))
		ev := s.next()
		if d := ev.data(t); d.IncidentID == "inc-rolled-back" || d.Kind != "incident" {
			t.Fatalf("first event = %s %s, want the committed incident", ev.Event, ev.Data)
		}
		for _, c := range e.committed(0) {
			if c.IncidentID == "inc-rolled-back" {
				t.Fatalf("rolled-back incident is in the outbox: %+v", c)
			}
		}
	})
}

// TestStreamIncidentFilter: ?incident= (ID or number) sends that incident's
// events only; an unknown incident is a 404.
func TestStreamIncidentFilter(t *testing.T) {
	e := newEnv(t, storetestEngines(t)[0].Open(t), 0)
	e.send(trigger(keyCheckout, "disk", "Disk full"))
	inc := e.incidents("")[0]
	s := e.openStream(e.viewer, "?incident="+strconv.FormatInt(inc.Number, 10), "")
	e.send(trigger(keySearch, "cpu", "CPU high")) // another incident: filtered out
	if code := e.do("POST", "/api/v1/incidents/"+inc.ID+"/acknowledge", e.responder, nil, nil); code != 200 {
		t.Fatalf("ack: %d", code)
	}
	for range 3 { // alert acked, incident acked, timeline
		if d := s.next().data(t); d.IncidentID != inc.ID {
			t.Fatalf("filtered stream sent incident %s's event, want only %s", d.IncidentID, inc.ID)
		}
	}
	if code := e.do("GET", "/api/v1/stream?incident=999", e.viewer, nil, nil); code != 404 {
		t.Errorf("unknown incident: %d, want 404", code)
	}
}

// TestStreamRefusals: bad resume points and missing tokens get a JSON
// refusal naming the problem; a pruned resume point gets event: reset.
func TestStreamRefusals(t *testing.T) {
	e := newEnv(t, storetestEngines(t)[0].Open(t), 0)
	var body hypercare.ErrorBody
	if code := e.do("GET", "/api/v1/stream?last_event_id=abc", e.viewer, nil, &body); code != 400 ||
		!strings.Contains(body.Error.Message, "last_event_id") {
		t.Errorf("bad last_event_id: %d %+v", code, body)
	}
	if code := e.do("GET", "/api/v1/stream", "", nil, nil); code != 401 {
		t.Errorf("no token: %d, want 401", code)
	}
	e.send(trigger(keyCheckout, "disk", "Disk full"))
	evs := e.committed(0)
	if _, err := e.st.PruneStream(context.Background(), time.Now().Add(time.Hour), 1); err != nil {
		t.Fatal(err)
	}
	s := e.openStream(e.viewer, "", "0")
	if ev := s.next(); ev.Event != "reset" || ev.ID != evs[len(evs)-1].ID {
		t.Fatalf("resume from a pruned ID: %+v, want reset with the current ID", ev)
	}
	s2 := e.openStream(e.viewer, "", "999999")
	if ev := s2.next(); ev.Event != "reset" {
		t.Fatalf("resume from a never-issued ID: %+v, want reset", ev)
	}
}

// TestStreamEndsOnShutdown: when the server's Run ends (shutdown), open
// streams end, so a graceful shutdown does not wait on them.
func TestStreamEndsOnShutdown(t *testing.T) {
	e := newEnv(t, storetestEngines(t)[0].Open(t), 0)
	s := e.openStream(e.viewer, "", "")
	e.stopStream()
	if !s.ended() {
		t.Fatal("the stream did not end when the server stopped")
	}
	if code := e.do("GET", "/api/v1/stream", e.viewer, nil, nil); code != 503 {
		t.Errorf("stream after stop: %d, want 503", code)
	}
}

// TestStreamOutlivesWriteTimeout: the server's WriteTimeout (counted from
// the request) does not cut a stream: each write sets its own deadline.
func TestStreamOutlivesWriteTimeout(t *testing.T) {
	st := storetestEngines(t)[0].Open(t)
	srv := api.New(api.Options{Store: st, Clock: clocktest.New(t0), Logger: slog.New(slog.DiscardHandler)})
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Config.WriteTimeout = 200 * time.Millisecond
	hs.Start()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; hs.Close() })
	e := &env{t: t, st: st, url: hs.URL, clock: clocktest.New(t0)}
	viewer := e.token("viewer", hypercare.RoleViewer)
	s := e.openStream(viewer, "", "")
	<-time.After(4 * hs.Config.WriteTimeout) // wall time, past the server's WriteTimeout
	err := st.Write(ctx, "t", func(tx hypercare.Tx) error {
		if err := tx.ApplyCatalog(ctx, []hypercare.Team{{ID: "web", Name: "Web"}},
			[]hypercare.Service{{ID: "checkout", Name: "Checkout", TeamID: "web", Active: true}}, nil); err != nil {
			return err
		}
		return tx.InsertIncident(ctx, &hypercare.Incident{ID: "inc-late", Title: "late", Status: hypercare.StatusTriggered,
			Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityCritical, ServiceID: "checkout",
			CreatedAt: t0, UpdatedAt: t0})
	})
	if err != nil {
		t.Fatal(err)
	}
	if ev := s.next(); ev.data(t).IncidentID != "inc-late" {
		t.Fatalf("event after the WriteTimeout = %+v", ev)
	}
}

// TestStreamMetrics: /metrics counts connected stream clients and the
// events fanned out.
func TestStreamMetrics(t *testing.T) {
	e := newEnv(t, storetestEngines(t)[0].Open(t), 0)
	s := e.openStream(e.viewer, "", "")
	e.send(trigger(keyCheckout, "disk", "Disk full"))
	s.next()
	_, _, body := e.raw("GET", "/metrics", "")
	for _, want := range []string{"hypercare_stream_clients 1", "hypercare_stream_cutoffs_total 0"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if !strings.Contains(string(body), "hypercare_stream_events_total ") || strings.Contains(string(body), "hypercare_stream_events_total 0\n") {
		t.Errorf("/metrics does not count the events fanned out")
	}
}

// TestStreamRetention: the server's retention loop prunes beyond
// StreamKeep (once a minute on the server's clock), and a client resuming
// from a pruned ID is told to reset.
func TestStreamRetention(t *testing.T) {
	e := newEnvWith(t, storetestEngines(t)[0].Open(t), 0, func(_ *intake.Intake, _ *clocktest.Clock, o *api.Options) {
		o.StreamKeep = 2
	})
	e.send(trigger(keyCheckout, "disk", "Disk full")) // 3 events
	// Retention also runs when the server starts, which on a slow machine
	// can be after the send: read what it kept, whenever it pruned.
	var pruned int64
	var kept []hypercare.StreamEvent
	deadline := time.Now().Add(10 * time.Second)
	for {
		e.clock.Advance(time.Minute) // the next retention pass
		p, _, err := e.st.StreamHorizon(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if kept = e.committed(p); p > 0 && len(kept) == 2 {
			pruned = p
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("retention did not prune to the newest 2 (pruned through %d, %d kept)", p, len(kept))
		}
		runtime.Gosched()
	}
	if ev := e.openStream(e.viewer, "", "0").next(); ev.Event != "reset" {
		t.Fatalf("resume from a pruned ID: %+v, want reset", ev)
	}
	s := e.openStream(e.viewer, "", strconv.FormatInt(pruned, 10))
	s.expect(kept)
}
