package api_test

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// eventSource reads a stream the way the HTML standard's EventSource
// parses it ("Interpreting an event stream"): lines end at CRLF, LF or
// CR; the id field sets the last event ID buffer, which every dispatch
// (with or without data) copies into lastEventID and which is not reset
// between events; a dispatch with an empty data buffer fires nothing.
type eventSource struct {
	t      *testing.T
	r      *bufio.Reader
	cancel context.CancelFunc
	// lastEventID is what a browser sends as Last-Event-ID when it
	// reconnects ("" sends none).
	lastEventID string
	idBuf       string
	data        strings.Builder
	typ         string
}

// openEventSource connects as an EventSource does: Last-Event-ID only
// when its last event ID string is not empty.
func (e *env) openEventSource(token, query, lastEventID string) *eventSource {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", e.url+"/api/v1/stream"+query, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		e.t.Fatalf("open stream: %v", err)
	}
	if resp.StatusCode != 200 {
		cancel()
		resp.Body.Close()
		e.t.Fatalf("open stream: %d", resp.StatusCode)
	}
	es := &eventSource{t: e.t, r: bufio.NewReader(resp.Body), cancel: cancel, lastEventID: lastEventID, idBuf: lastEventID}
	e.t.Cleanup(func() { cancel(); resp.Body.Close() })
	return es
}

// line reads one line ending at CRLF, LF or CR.
func (es *eventSource) line() (string, error) {
	var b strings.Builder
	for {
		c, err := es.r.ReadByte()
		if err != nil {
			return b.String(), err
		}
		switch c {
		case '\n':
			return b.String(), nil
		case '\r':
			if n, err := es.r.Peek(1); err == nil && n[0] == '\n' {
				_, _ = es.r.ReadByte()
			}
			return b.String(), nil
		}
		b.WriteByte(c)
	}
}

// dispatch is one dispatch step: typ "" when it fired no event.
type dispatch struct {
	typ, data, lastEventID string
}

// step reads up to the next blank line and dispatches (with a deadline:
// the test fails rather than hang).
func (es *eventSource) step() dispatch {
	es.t.Helper()
	type res struct {
		d   dispatch
		err error
	}
	ch := make(chan res, 1)
	go func() {
		for {
			l, err := es.line()
			if err != nil {
				ch <- res{err: err}
				return
			}
			if l == "" {
				es.lastEventID = es.idBuf
				d := dispatch{lastEventID: es.lastEventID}
				if es.data.Len() > 0 {
					d.typ, d.data = es.typ, strings.TrimSuffix(es.data.String(), "\n")
					if d.typ == "" {
						d.typ = "message"
					}
				}
				es.data.Reset()
				es.typ = ""
				ch <- res{d: d}
				return
			}
			if strings.HasPrefix(l, ":") {
				continue
			}
			field, value, _ := strings.Cut(l, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "event":
				es.typ = value
			case "data":
				es.data.WriteString(value + "\n")
			case "id":
				if !strings.ContainsRune(value, 0) {
					es.idBuf = value
				}
			}
		}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			es.t.Fatalf("stream: %v", r.err)
		}
		return r.d
	case <-time.After(10 * time.Second):
		es.t.Fatal("no dispatch within 10 s")
	}
	return dispatch{}
}

// next returns the next event fired (skipping dispatches that fire none).
func (es *eventSource) next() dispatch {
	es.t.Helper()
	for {
		if d := es.step(); d.typ != "" {
			return d
		}
	}
}

// TestStreamEventSourceResumesBeforeFirstEvent: a browser's EventSource
// that connected, got no event yet (a quiet incident room), and lost its
// connection reconnects with the Last-Event-ID it has. The stream must
// have given it one on connect: otherwise it reconnects with none and
// every change committed while it was away is lost, although "nothing is
// lost" on a drop is promised (README "Live updates").
func TestStreamEventSourceResumesBeforeFirstEvent(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		es := e.openEventSource(e.viewer, "", "")
		if d := es.step(); d.typ != "" { // retry and ": connected"
			t.Fatalf("first dispatch fired %+v, want the connection's comment block", d)
		}
		es.cancel() // the phone lost its network

		// While it is away, an incident opens.
		e.send(trigger(keyCheckout, "disk", "Disk full"))
		missed := e.committed(0)
		if len(missed) == 0 {
			t.Fatal("the trigger published nothing")
		}

		// It reconnects as EventSource does, then a later change commits.
		es2 := e.openEventSource(e.viewer, "", es.lastEventID)
		e.send(trigger(keySearch, "cpu", "CPU high"))
		got := es2.next()
		if got.lastEventID != strconv.FormatInt(missed[0].ID, 10) || got.typ != missed[0].Kind {
			t.Fatalf("after reconnecting with Last-Event-ID %q the first event is id %s %s, want id %d %s "+
				"(committed while disconnected: lost)", es.lastEventID, got.lastEventID, got.typ, missed[0].ID, missed[0].Kind)
		}
		for _, w := range missed[1:] {
			if g := es2.next(); g.lastEventID != strconv.FormatInt(w.ID, 10) {
				t.Fatalf("replayed id %s, want %d", g.lastEventID, w.ID)
			}
		}
	})
}
