package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakePager is an Events v2 server that pages like Hypercare would: each
// new trigger pages the receiver at level 1 and, if levels is 2, at level 2
// (without waiting: tests assert no timing). Resolves are counted.
type fakePager struct {
	*httptest.Server
	receiver string
	levels   int
	mu       sync.Mutex
	resolves int
	wg       sync.WaitGroup
}

func newFakePager(t *testing.T, levels int) (*fakePager, net.Listener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakePager{receiver: "http://" + ln.Addr().String() + "/page", levels: levels}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			_, _ = w.Write([]byte("# HELP x\nprocess_start_time_seconds 1.79562204863e+09\n"))
			return
		}
		var ev sentEvent
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil || ev.RoutingKey != "rk" {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		if ev.EventAction == "resolve" {
			f.mu.Lock()
			f.resolves++
			f.mu.Unlock()
			return
		}
		if ev.Payload == nil || !strings.Contains(ev.Payload.Summary, ev.DedupKey) {
			t.Errorf("trigger %+v: the summary lacks the token", ev)
		}
		created := time.Now().Add(-time.Hour) // level 2 is "due" at once
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			for level := 1; level <= f.levels; level++ {
				body := page(ev.DedupKey+"-"+string(rune('0'+level)), ev.Payload.Summary, level, 0, created)
				if resp, err := http.Post(f.receiver, "application/json", bytes.NewReader(body)); err == nil {
					resp.Body.Close()
				}
			}
		}()
	}))
	t.Cleanup(func() { f.Close(); f.wg.Wait() })
	return f, ln
}

func TestRunPageMatchesEveryTrigger(t *testing.T) {
	srv, ln := newFakePager(t, 1)
	rep, err := RunPage(context.Background(), PageOptions{URL: srv.URL, RoutingKey: "rk", Receiver: ln.Addr().String(),
		Listener: ln, Count: 20, Rate: 500, Grace: 5 * time.Second, Resolve: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Triggers.Sent != 20 || rep.Triggers.Succeeded != 20 || rep.Paged != 20 || rep.Missing != 0 || rep.Latency.Count != 20 {
		t.Errorf("sent %d accepted %d paged %d missing %d samples %d", rep.Triggers.Sent, rep.Triggers.Succeeded, rep.Paged, rep.Missing, rep.Latency.Count)
	}
	if rep.Receiver != (ReceiverStats{Pages: 20}) {
		t.Errorf("receiver %+v", rep.Receiver)
	}
	if rep.Resolves == nil || rep.Resolves.Succeeded != 20 || srv.resolves != 20 {
		t.Errorf("resolves %+v, server saw %d", rep.Resolves, srv.resolves)
	}
	var sb strings.Builder
	if err := rep.WriteTable(&sb); err != nil || !strings.Contains(sb.String(), "20 of 20 accepted triggers (missing 0)") {
		t.Errorf("table (%v):\n%s", err, sb.String())
	}
}

func TestRunPageCountsMissingPages(t *testing.T) {
	srv, ln := newFakePager(t, 0) // accepts, never pages
	rep, err := RunPage(context.Background(), PageOptions{URL: srv.URL, RoutingKey: "rk", Receiver: ln.Addr().String(),
		Listener: ln, Count: 5, Rate: 1000, Grace: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Triggers.Succeeded != 5 || rep.Paged != 0 || rep.Missing != 5 || rep.Resolves != nil {
		t.Errorf("accepted %d paged %d missing %d resolves %v", rep.Triggers.Succeeded, rep.Paged, rep.Missing, rep.Resolves)
	}
}

func TestRunEscalationMatchesLevels(t *testing.T) {
	srv, ln := newFakePager(t, 2)
	var progress strings.Builder
	rep, err := RunEscalation(context.Background(), EscalationOptions{URL: srv.URL, RoutingKey: "rk",
		Receiver: ln.Addr().String(), Listener: ln, Incidents: 30, Concurrency: 4, EscalateAfter: time.Minute,
		Grace: 5 * time.Second, Progress: &progress, Resolve: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Triggers.Succeeded != 30 || rep.Level1.Count != 30 || rep.Lateness.Count != 30 ||
		rep.Level1Missing != 0 || rep.Level2Missing != 0 || rep.Early != 0 {
		t.Errorf("accepted %d, level 1 %d (missing %d), level 2 %d (missing %d, early %d)", rep.Triggers.Succeeded,
			rep.Level1.Count, rep.Level1Missing, rep.Lateness.Count, rep.Level2Missing, rep.Early)
	}
	if rep.Receiver != (ReceiverStats{Pages: 60}) || rep.Resolves == nil || rep.Resolves.Succeeded != 30 {
		t.Errorf("receiver %+v resolves %+v", rep.Receiver, rep.Resolves)
	}
	if !strings.Contains(progress.String(), "opened 30 of 30 incidents") {
		t.Errorf("progress: %s", progress.String())
	}
	b, _ := json.Marshal(rep)
	for _, key := range []string{`"level2_lateness":`, `"level2_missing":0`, `"level1_from_created":`} {
		if !bytes.Contains(b, []byte(key)) {
			t.Errorf("JSON lacks %s: %s", key, b)
		}
	}
}

func TestPagingRejectsBadOptions(t *testing.T) {
	_, err := RunPage(context.Background(), PageOptions{URL: "http://example.com", Receiver: "0.0.0.0:1", Rate: -1})
	if err == nil {
		t.Fatal("RunPage accepted invalid options")
	}
	for _, want := range []string{"loopback server", "routing key", "loopback address", "count", "rate"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	_, err = RunEscalation(context.Background(), EscalationOptions{URL: "http://127.0.0.1:1", RoutingKey: "rk", Receiver: "127.0.0.1:1"})
	for _, want := range []string{"incidents", "concurrency", "timeout"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %q", err, want)
		}
	}
}
