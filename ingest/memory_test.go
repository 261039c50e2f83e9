package ingest

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
)

// hostileBodies are ~500 KB bodies built to make a parser allocate as much
// as possible per byte: many tiny elements where structures belong.
func hostileBodies() map[string]struct {
	parse func([]byte) error
	body  []byte
} {
	const size = 500_000
	rep := func(elem string) string {
		n := size / (len(elem) + 1)
		return "[" + strings.TrimSuffix(strings.Repeat(elem+",", n), ",") + "]"
	}
	v2 := func(b []byte) error { _, err := ParseEventsV2(b); return err }
	v1 := func(b []byte) error { _, err := ParseEventsV1(b); return err }
	ch := func(b []byte) error { _, _, err := ParseChangeV2(b); return err }
	am := func(b []byte) error { _, err := ParseAlertmanager(b); return err }
	gf := func(b []byte) error { _, err := ParseGrafana(b); return err }
	gen := func(b []byte) error { _, err := ParseGeneric(b); return err }
	// The server's way in: any number of alerts, handed out in chunks.
	each := func(open func([]byte) (*Batch, error)) func([]byte) error {
		return func(b []byte) error {
			batch, err := open(b)
			if err != nil {
				return err
			}
			return batch.Each(func([]hypercare.Event) error { return nil })
		}
	}
	amOpen, gfOpen := each(OpenAlertmanager), each(OpenGrafana)
	key := `"routing_key":"` + testKey + `","event_action":"trigger","payload":{"summary":"x","source":"y","severity":"info"}`
	var lb strings.Builder
	for i := 0; lb.Len() < size-20; i++ {
		fmt.Fprintf(&lb, `"%x":"",`, i)
	}
	labels := "{" + strings.TrimSuffix(lb.String(), ",") + "}"
	// batch repeats a valid element MaxBatch times: the most events kept.
	batch := func(elem string) string {
		return "[" + strings.TrimSuffix(strings.Repeat(elem+",", MaxBatch), ",") + "]"
	}
	return map[string]struct {
		parse func([]byte) error
		body  []byte
	}{
		"v2 links of numbers":       {v2, []byte(`{` + key + `,"links":` + rep("1") + `}`)},
		"v2 links of objects":       {v2, []byte(`{` + key + `,"links":` + rep("{}") + `}`)},
		"v2 images of objects":      {v2, []byte(`{` + key + `,"images":` + rep("{}") + `}`)},
		"v2 risky custom details":   {v2, []byte(`{"routing_key":"` + testKey + `","event_action":"trigger","payload":{"summary":"x","source":"y","severity":"info","custom_details":` + rep(`"\u0000"`) + `}}`)},
		"v2 nested custom details":  {v2, []byte(`{"routing_key":"` + testKey + `","event_action":"trigger","payload":{"summary":"x","source":"y","severity":"info","custom_details":` + rep(`[[{"\u0000":1}]]`) + `}}`)},
		"v1 contexts":               {v1, []byte(`{"service_key":"` + testKey + `","event_type":"trigger","description":"x","contexts":` + rep("{}") + `}`)},
		"change links":              {ch, []byte(`{"routing_key":"` + testKey + `","payload":{"summary":"x"},"links":` + rep("{}") + `}`)},
		"alertmanager numbers":      {am, []byte(`{"version":"4","alerts":` + rep("1") + `}`)},
		"alertmanager objects":      {am, []byte(`{"version":"4","alerts":` + rep("{}") + `}`)},
		"alertmanager bad labels":   {am, []byte(`{"version":"4","alerts":[{"status":"firing","labels":` + strings.ReplaceAll(labels, `""`, "1") + `}]}`)},
		"grafana objects":           {gf, []byte(`{"version":"1","alerts":` + rep("{}") + `}`)},
		"alertmanager open numbers": {amOpen, []byte(`{"version":"4","alerts":` + rep("1") + `}`)},
		"alertmanager open objects": {amOpen, []byte(`{"version":"4","alerts":` + rep("{}") + `}`)},
		"grafana open objects":      {gfOpen, []byte(`{"version":"1","alerts":` + rep("{}") + `}`)},
		"generic array":             {gen, []byte(rep("{}"))},
		"generic events":            {gen, []byte(`{"events":` + rep("{}") + `}`)},
		"generic links":             {gen, []byte(`{"summary":"x","links":` + rep("{}") + `}`)},
		"generic valid events":      {gen, []byte(rep(`{"summary":"x"}`))},
		"generic batch of MaxBatch": {gen, []byte(batch(`{"summary":"x","links":["u"],"details":{"a":[1]}}`))},
		"alertmanager MaxBatch":     {am, []byte(`{"version":"4","alerts":` + batch(`{"status":"firing","labels":{"a":"b"}}`) + `}`)},
		"alertmanager valid labels": {am, []byte(`{"version":"4","alerts":[{"status":"firing","labels":` + labels + `}]}`)},
		"grafana MaxBatch":          {gf, []byte(`{"version":"1","alerts":` + batch(`{"status":"firing","labels":{"a":"b"},"values":{"A":1}}`) + `}`)},
		"v1 risky details":          {v1, []byte(`{"service_key":"` + testKey + `","event_type":"trigger","description":"x","details":` + rep("\"\xff\"") + `}`)},
	}
}

// TestParseMemoryIsBounded: whatever a body holds, parsing it allocates at
// most a fixed multiple of the 512 KB body limit in total (garbage
// included, so the memory live at any moment is less), so concurrent
// hostile requests cannot exhaust memory. The worst bodies are a single
// alert with ~45,000 labels and a batch of MaxBatch tiny alerts; a list
// of 250,000 tiny elements costs about one copy of the body. Not a speed
// target: it counts bytes, not time.
func TestParseMemoryIsBounded(t *testing.T) {
	const bodyLimit = 512 << 10
	const factor = 40
	for name, tc := range hostileBodies() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		err := tc.parse(tc.body)
		runtime.ReadMemStats(&after)
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("%-26s %7d bytes → %9d allocated (%.1fx the body), err=%v", name, len(tc.body), alloc,
			float64(alloc)/float64(len(tc.body)), err != nil)
		if alloc > factor*bodyLimit {
			t.Errorf("%s: %d bytes allocated for a %d-byte body, want at most %d× the body limit", name, alloc, len(tc.body), factor)
		}
	}
}

// TestLargeGroupParseMemory: the largest real Alertmanager group the
// native webhook limit admits (MaxBatch ordinary kube-prometheus alerts,
// about 4 MB) allocates a small multiple of its size to parse (9.5× when
// written), so the few large bodies api admits at once stay within a few
// hundred MB however many senders post them.
func TestLargeGroupParseMemory(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"version":"4","status":"firing","alerts":[`)
	for i := range MaxBatch {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"status":"firing","labels":{"alertname":"KubePodNotReady","namespace":"shop",`+
			`"pod":"checkout-api-7d9f8c6b5d-%05d","severity":"warning","prometheus":"monitoring/k8s",`+
			`"cluster":"prod-eu-1","container":"kube-rbac-proxy-main","endpoint":"https-main","job":"kube-state-metrics",`+
			`"service":"kube-prometheus-stack-kube-state-metrics","instance":"10.2.3.4:8443"},`+
			`"annotations":{"summary":"Pod has been in a non-ready state for more than 15 minutes.",`+
			`"description":"Pod shop/checkout-api has been in a non-ready state for longer than 15 minutes on cluster prod-eu-1.",`+
			`"runbook_url":"https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodnotready"},`+
			`"startsAt":"2026-11-27T07:41:30.512Z","endsAt":"0001-01-01T00:00:00Z",`+
			`"generatorURL":"http://prometheus.monitoring.svc:9090/graph?g0.expr=up","fingerprint":"%016x"}`, i, i)
	}
	b.WriteString(`]}`)
	body := []byte(b.String())
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	events, err := ParseAlertmanager(body)
	runtime.ReadMemStats(&after)
	if err != nil || len(events) != MaxBatch {
		t.Fatalf("ParseAlertmanager = %d events, %v; want %d", len(events), err, MaxBatch)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d alerts, %d bytes → %d allocated (%.1fx)", MaxBatch, len(body), alloc, float64(alloc)/float64(len(body)))
	if alloc > 15*uint64(len(body)) {
		t.Errorf("parsing a %d-byte group allocated %d bytes, want at most 15× the body", len(body), alloc)
	}
}
