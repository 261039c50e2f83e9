package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/webhook"
	"github.com/hypercare/hypercare/storetest"
	"github.com/prometheus/client_golang/prometheus"
)

// logLines collects JSON log records.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logLines) records(t *testing.T) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// A receiver that is down is logged at once, then at most once a minute
// with a count of the failures not logged; every attempt is counted in
// hypercare_notifications_total.
func TestDeliveryFailuresLoggedSampledAndCounted(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		rec := &receiver{replies: []int{503, 503, 503, 503, 503, 404}, got: map[string]int{}}
		hooks := httptest.NewServer(rec)
		defer hooks.Close()
		st := e.Open(t)
		_, clk, _ := setup(t, st, hooks.URL)
		logs := &logLines{}
		users := dir{"alice": {ID: "alice", Name: "Alice", ContactMethods: []hypercare.ContactMethod{
			{ID: "alice-hook", Type: hypercare.ContactWebhook, Address: hooks.URL + "/alice"}}}}
		channels := notify.NewRegistry()
		channels.Register(hypercare.ContactWebhook, webhook.New(notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true})))
		eng := notify.NewEngine(st, clk, channels, func() notify.Directory { return users }, slog.New(slog.NewJSONHandler(logs, nil)))
		reg := prometheus.NewRegistry()
		reg.MustRegister(eng.Collector())
		// Attempts at 0, 5, 15, 35, 75 s answer 503 (retried); the one at
		// 155 s answers 404 (given up).
		for _, wait := range []time.Duration{0, 5, 10, 20, 40, 80} {
			clk.Advance(wait * time.Second)
			if _, err := eng.RunDue(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		recs := logs.records(t)
		var got []string
		for _, r := range recs {
			got = append(got, fmt.Sprintf("%s|%s|%v", r["msg"], r["reason"], r["suppressed_since_last_log"]))
			if !strings.Contains(fmt.Sprint(r["error"]), strings.TrimPrefix(hooks.URL, "http://")) {
				t.Errorf("log line without the receiver host for the operator: %v", r)
			}
		}
		want := []string{
			"page delivery failed, will retry|HTTP 503 Service Unavailable|0", // 0 s
			"page delivery failed, will retry|HTTP 503 Service Unavailable|3", // 75 s: 5, 15, 35 s suppressed
			"page delivery failed, giving up|HTTP 404 Not Found|0",            // another kind: logged at once
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("log lines:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if got := counts(t, reg); got != "webhook/failed=1 webhook/retry=5" {
			t.Fatalf("hypercare_notifications_total: %s", got)
		}
	})
}

// Describe never puts an address into the short reason every role sees.
func TestDescribeKeepsAddressesOutOfTheReason(t *testing.T) {
	for _, tc := range []struct {
		err  error
		safe string
	}{
		{fmt.Errorf("webhook: POST to 10.0.0.5:8443: %w", &netOpError{syscall.ECONNREFUSED}), "connection refused"},
		{fmt.Errorf("webhook: POST to 10.0.0.5:8443: %w", context.DeadlineExceeded), "timeout"},
		{fmt.Errorf("webhook: POST to 10.0.0.5:8443: %w", &notify.StatusError{StatusCode: 503, Body: "backend 10.0.0.9 down"}), "HTTP 503 Service Unavailable"},
		{notify.Permanent(errors.New("dial 10.0.0.5:8443: something new")), "delivery failed"},
	} {
		safe, detail := notify.Describe(tc.err)
		if safe != tc.safe || detail != tc.err.Error() || strings.Contains(safe, "10.0.0") {
			t.Errorf("Describe(%v) = %q, %q; want %q and the full error", tc.err, safe, detail, tc.safe)
		}
	}
}

// netOpError wraps an errno the way net.OpError does.
type netOpError struct{ err error }

func (e *netOpError) Error() string { return "dial tcp 10.0.0.5:8443: " + e.err.Error() }
func (e *netOpError) Unwrap() error { return e.err }

// counts renders hypercare_notifications_total as "channel/outcome=N ...".
func counts(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, mf := range mfs {
		if mf.GetName() != "hypercare_notifications_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, lp := range m.GetLabel() {
				l[lp.GetName()] = lp.GetValue()
			}
			out = append(out, fmt.Sprintf("%s/%s=%g", l["channel"], l["outcome"], m.GetCounter().GetValue()))
		}
	}
	return strings.Join(out, " ")
}
