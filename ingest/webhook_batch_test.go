package ingest

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
)

// group is an Alertmanager (version "4") or Grafana ("1") notification of
// n alerts, fingerprints fp-0…, each alert made by elem(i) when set.
func group(version string, n int, elem func(i int) string) []byte {
	var b strings.Builder
	b.WriteString(`{"version":"` + version + `","alerts":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		if elem != nil {
			b.WriteString(elem(i))
			continue
		}
		fmt.Fprintf(&b, `{"status":"firing","labels":{"alertname":"PodDown","pod":"p-%d"},"fingerprint":"fp-%d"}`, i, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// TestOpenTakesGroupsOverMaxBatch: a group of 12,001 alerts, which
// ParseAlertmanager refuses for its size, is checked whole and handed out
// in order, 5,000, 5,000 and 2,001 events at a time, each event as the
// parse of its alert alone gives it; Grafana's too.
func TestOpenTakesGroupsOverMaxBatch(t *testing.T) {
	const n = 2*MaxBatch + 1
	for _, tc := range []struct {
		name    string
		version string
		open    func([]byte) (*Batch, error)
		parse   func([]byte) ([]hypercare.Event, error)
	}{
		{"alertmanager", "4", OpenAlertmanager, ParseAlertmanager},
		{"grafana", "1", OpenGrafana, ParseGrafana},
	} {
		body := group(tc.version, n, nil)
		if _, err := tc.parse(body); err == nil {
			t.Fatalf("%s: the capped parse took %d alerts", tc.name, n)
		}
		b, err := tc.open(body)
		if err != nil || b.Len() != n {
			t.Fatalf("%s: Open = %v, %v; want %d alerts", tc.name, b, err, n)
		}
		var sizes []int
		next := 0
		err = b.Each(func(events []hypercare.Event) error {
			sizes = append(sizes, len(events))
			for _, e := range events {
				if want := fmt.Sprintf("fp-%d", next); e.DedupKey != want {
					t.Fatalf("%s: event %d has key %q, want %q", tc.name, next, e.DedupKey, want)
				}
				next++
			}
			return nil
		})
		if err != nil || fmt.Sprint(sizes) != fmt.Sprint([]int{MaxBatch, MaxBatch, 1}) {
			t.Fatalf("%s: chunks %v, %v; want [5000 5000 1]", tc.name, sizes, err)
		}
		// The last event is the one its alert alone parses to.
		var last hypercare.Event
		_ = b.Each(func(events []hypercare.Event) error { last = events[len(events)-1]; return nil })
		alone, err := tc.parse(group(tc.version, 1, func(int) string {
			return fmt.Sprintf(`{"status":"firing","labels":{"alertname":"PodDown","pod":"p-%d"},"fingerprint":"fp-%d"}`, n-1, n-1)
		}))
		if err != nil || fmt.Sprintf("%+v", alone[0]) != fmt.Sprintf("%+v", last) {
			t.Errorf("%s: last event\n%+v\nwant, as parsed alone,\n%+v (%v)", tc.name, last, alone, err)
		}
	}
}

// TestOpenRefusesAGroupWithABadAlertWhole: one bad alert among 12,001
// refuses the group before any event is handed out (the answer names it),
// and Each stops at its function's first error.
func TestOpenRefusesAGroupWithABadAlertWhole(t *testing.T) {
	const n, bad = 2*MaxBatch + 1, 2*MaxBatch - 3
	body := group("4", n, func(i int) string {
		if i == bad {
			return `{"status":"burning","labels":{"a":"b"}}`
		}
		return fmt.Sprintf(`{"status":"firing","labels":{"pod":"p-%d"}}`, i)
	})
	_, err := OpenAlertmanager(body)
	var he *hypercare.Error
	if !errors.As(err, &he) || len(he.Details) != 1 || he.Details[0].Field != fmt.Sprintf("alerts[%d].status", bad) {
		t.Fatalf("Open = %v, want a refusal naming alerts[%d].status alone", err, bad)
	}
	b, err := OpenAlertmanager(group("4", n, nil))
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("store down")
	calls := 0
	if err := b.Each(func([]hypercare.Event) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Each = %v after %d calls, want the first call's error", err, calls)
	}
}

// TestOpenGroupMemoryIsBounded: handing out a group of any size holds at
// most MaxBatch events at once: the memory live while a chunk is written
// beside the body stays a small multiple of it, for an 8 MB group of ordinary
// kube-prometheus alerts (10,000) and one of 180,000 tiny ones (the most
// events an 8 MB body can carry gives the most per byte).
func TestOpenGroupMemoryIsBounded(t *testing.T) {
	const limit = 8 << 20
	kube := func(i int) string {
		return fmt.Sprintf(`{"status":"firing","labels":{"alertname":"KubePodNotReady","namespace":"shop",`+
			`"pod":"checkout-api-7d9f8c6b5d-%05d","severity":"warning","prometheus":"monitoring/k8s",`+
			`"cluster":"prod-eu-1","container":"kube-rbac-proxy-main","endpoint":"https-main","job":"kube-state-metrics",`+
			`"service":"kube-prometheus-stack-kube-state-metrics","instance":"10.2.3.4:8443"},`+
			`"annotations":{"summary":"Pod has been in a non-ready state for more than 15 minutes.",`+
			`"description":"Pod shop/checkout-api has been in a non-ready state for longer than 15 minutes on cluster prod-eu-1.",`+
			`"runbook_url":"https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodnotready"},`+
			`"startsAt":"2026-11-27T07:41:30.512Z","endsAt":"0001-01-01T00:00:00Z",`+
			`"generatorURL":"http://prometheus.monitoring.svc:9090/graph?g0.expr=up","fingerprint":"%016x"}`, i, i)
	}
	tiny := func(i int) string { return `{"status":"firing","labels":{"a":"` + fmt.Sprint(i) + `"}}` }
	for name, tc := range map[string]struct {
		n    int
		elem func(int) string
	}{"kube-prometheus": {10_000, kube}, "tiny": {180_000, tiny}} {
		body := group("4", tc.n, tc.elem)
		if len(body) > limit {
			t.Fatalf("%s: %d bytes, over the 8 MB limit", name, len(body))
		}
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		base := m.HeapAlloc
		var peak uint64
		b, err := OpenAlertmanager(body)
		if err != nil {
			t.Fatal(err)
		}
		err = b.Each(func([]hypercare.Event) error {
			runtime.GC()
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc-min(base, m.HeapAlloc))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		runtime.KeepAlive(body) // the server holds it to the end of the request
		t.Logf("%s: %d alerts, %d bytes: %d live at most while a chunk is out (%.1fx the body)",
			name, tc.n, len(body), peak, float64(peak)/float64(len(body)))
		if peak > 4*uint64(len(body)) {
			t.Errorf("%s: %d bytes live for a %d-byte group, want at most 4× the body", name, peak, len(body))
		}
	}
}
