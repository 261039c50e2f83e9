package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/ingest"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// bigGroup is a webhook notification (version "4": Alertmanager, "1":
// Grafana) of n firing alerts, fingerprints fp-00000…, about 130 bytes
// each.
func bigGroup(version string, n int) []byte {
	alerts := make([]string, n)
	for i := range alerts {
		alerts[i] = fmt.Sprintf(`{"status":"firing","labels":{"alertname":"KubePodNotReady","pod":"checkout-%05d"},`+
			`"annotations":{"summary":"Pod not ready"},"fingerprint":"fp-%05d"}`, i, i)
	}
	return []byte(`{"version":"` + version + `","status":"firing","alerts":[` + strings.Join(alerts, ",") + `]}`)
}

// integrationAnswer is the answer of POST /integrations/{key}.
type integrationAnswer struct {
	Events    int      `json:"events"`
	DedupKeys []string `json:"dedup_keys"`
	Error     struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (e *env) postGroup(key string, body []byte, header map[string]string) (int, integrationAnswer) {
	e.t.Helper()
	code, raw := e.post("/integrations/"+key, body, header)
	var out integrationAnswer
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("answer %d: %v in %.300s", code, err, raw)
	}
	return code, out
}

// TestGroupOverMaxBatchIsTaken: a cluster-wide outage makes Alertmanager
// send one group of thousands of firing pods (the test: 5,001, as
// Grafana's).
// Alertmanager cannot split a group and drops a notification answered
// 4xx, so the group over ingest.MaxBatch that was refused whole (400,
// "the most one request may carry is 5000") lost every alert of the
// outage. It is now taken: written in chunks of ingest.MaxBatch and
// answered 202 with every alert's key, once all are recorded.
func TestGroupOverMaxBatchIsTaken(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) { t.Parallel(); groupOverMaxBatch(t, eng.Open(t)) })
	}
}

// timeGrouped groups checkout's alerts into one incident per hour, as a
// service expecting such outages would (and a test of one writes 5,001
// alerts, not 5,001 incidents).
func timeGrouped(in *intake.Intake, _ *clocktest.Clock, _ *api.Options) {
	in.SetNoise(map[string]correlate.Noise{"checkout": {Grouping: correlate.Grouping{Type: correlate.GroupTime, Window: time.Hour}}})
}

func groupOverMaxBatch(t *testing.T, st *store.Store) {
	{
		e := newEnvWith(t, st, 0, timeGrouped)
		const n = ingest.MaxBatch + 1 // the smallest group written in two chunks
		code, out := e.postGroup(keyAlertmanager, bigGroup("4", n), nil)
		if code != http.StatusAccepted || out.Events != n || len(out.DedupKeys) != n {
			t.Fatalf("group of %d: %d, %d events, %d keys (%s); want 202 with every key", n, code, out.Events, len(out.DedupKeys), out.Error.Message)
		}
		for _, i := range []int{0, ingest.MaxBatch - 1, ingest.MaxBatch, n - 1} {
			key := fmt.Sprintf("fp-%05d", i)
			if out.DedupKeys[i] != key {
				t.Errorf("dedup_keys[%d] = %q, want %q", i, out.DedupKeys[i], key)
			}
			if a := e.alerts("?dedup_key=" + key); len(a) != 1 || a[0].Status != hypercare.StatusTriggered {
				t.Errorf("alert %s: %+v, want one triggered", key, a)
			}
		}
		body := bigGroup("1", ingest.MaxBatch+1)
		code, out = e.postGroup(keyGrafana, body, e.grafanaHeaders(body))
		if code != http.StatusAccepted || out.Events != ingest.MaxBatch+1 {
			t.Fatalf("Grafana group of %d: %d, %d events (%s); want 202", ingest.MaxBatch+1, code, out.Events, out.Error.Message)
		}
		if a := e.alerts(fmt.Sprintf("?dedup_key=fp-%05d", ingest.MaxBatch)); len(a) != 1 || a[0].EventCount != 2 {
			t.Errorf("last alert of the Grafana group: %+v, want re-triggered by it (2 events: its key is in the Alertmanager group too)", a)
		}
		if incs := e.incidents(""); len(incs) != 1 || incs[0].AlertCount != n {
			t.Errorf("incidents %d, want one holding the %d alerts", len(incs), n)
		}
	}
}

// TestGroupOverMaxBatchFailingMidwayIsRetried: a config reload removes the
// Alertmanager integration after the first chunk of a 5,001-alert group
// committed, so the second fails. The answer is a 503 (which Alertmanager
// retries) saying how many were recorded, never a 2xx for a group half
// recorded, nor a 4xx that would drop the rest; the re-sent group, the
// integration back, records the rest and re-triggers the first chunk's
// alerts (their second event), opening nothing twice.
func TestGroupOverMaxBatchFailingMidwayIsRetried(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) { t.Parallel(); groupFailingMidway(t, eng.Open(t)) })
	}
}

func groupFailingMidway(t *testing.T, st *store.Store) {
	policy := map[string]hypercare.EscalationPolicy{"checkout": {ID: "p", Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{User: "alice"}}, EscalateAfter: 30 * time.Minute}}}}
	its := []hypercare.Integration{{ID: "checkout-am", ServiceID: "checkout", Type: hypercare.IntegrationAlertmanager, Key: keyAlertmanager}}
	noise := map[string]correlate.Noise{"checkout": {Grouping: correlate.Grouping{Type: correlate.GroupTime, Window: time.Hour}}}
	with := intake.NewConfig(intake.Settings{Integrations: its, Policies: policy, Noise: noise}, nil)
	without := intake.NewConfig(intake.Settings{Policies: policy, Noise: noise}, nil)
	var current atomic.Pointer[intake.Config]
	var reloadMidway atomic.Bool
	current.Store(with)
	e := newEnvWith(t, st, 0, func(in *intake.Intake, _ *clocktest.Clock, _ *api.Options) {
		in.Use(current.Load)
		// Called after each commit that opened incidents: the first
		// chunk's, before the second starts.
		in.OnOpened(func() {
			if reloadMidway.Load() {
				current.Store(without)
			}
		})
	})
	const n = ingest.MaxBatch + 1 // the smallest group written in two chunks
	body := bigGroup("4", n)
	reloadMidway.Store(true)
	code, out := e.postGroup(keyAlertmanager, body, nil)
	want := fmt.Sprintf("%d of the %d events were recorded", ingest.MaxBatch, n)
	if code != http.StatusServiceUnavailable || !strings.Contains(out.Error.Message, want) {
		t.Fatalf("group failing after its first chunk: %d %q, want 503 saying %q", code, out.Error.Message, want)
	}
	if a := e.alerts(fmt.Sprintf("?dedup_key=fp-%05d", ingest.MaxBatch)); len(a) != 0 {
		t.Fatalf("the failed chunk left alerts: %+v", a)
	}
	reloadMidway.Store(false)
	current.Store(with)
	if code, out = e.postGroup(keyAlertmanager, body, nil); code != http.StatusAccepted || len(out.DedupKeys) != n {
		t.Fatalf("re-sent group: %d, %d keys (%s), want 202 with every key", code, len(out.DedupKeys), out.Error.Message)
	}
	for i, events := range map[int]int{0: 2, ingest.MaxBatch - 1: 2, ingest.MaxBatch: 1} {
		if a := e.alerts(fmt.Sprintf("?dedup_key=fp-%05d", i)); len(a) != 1 || a[0].EventCount != int64(events) {
			t.Errorf("alert %d: %+v, want one with %d events", i, a, events)
		}
	}
}
