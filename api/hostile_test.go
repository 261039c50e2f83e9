package api_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/ingest"
)

// unknownKey is well formed but routes nowhere.
const unknownKey = "0000000000000000000000000000bad0"

// hostileArray is 250,000 one-digit numbers where objects belong: about
// 500 KB that used to be answered with one error each (a 9 MB answer).
var hostileArray = numbers(250_000)

// underBatch is the same under ingest.MaxBatch, so batches are validated
// element by element instead of refused for their size.
var underBatch = numbers(4_999)

func numbers(n int) string { return "[" + strings.TrimSuffix(strings.Repeat("1,", n), ",") + "]" }

// post sends body to path with extra headers and returns the status and
// the raw answer.
func (e *env) post(path string, body []byte, header map[string]string) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.url+path, strings.NewReader(string(body)))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// grafanaHeaders signs body as Grafana does with a timestamp header.
func (e *env) grafanaHeaders(body []byte) map[string]string {
	ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(grafanaSecret))
	mac.Write([]byte(ts + ":"))
	mac.Write(body)
	return map[string]string{ingest.GrafanaSignatureHeader: hex.EncodeToString(mac.Sum(nil)), ingest.GrafanaTimestampHeader: ts}
}

// TestHostileBodyAnswerIsBounded sends the hostile body to every ingest
// endpoint, with unknown and known keys: each answer is a small 400 whose
// problems are capped (ingest.MaxProblems and one "…and N more" entry), a
// generic batch over ingest.MaxBatch is refused for its size alone (an
// Alertmanager or Grafana group of any size is taken, so its elements are
// checked one by one: wrong types all counted, alerts with problems up to a
// full list, the rest counted as not checked), and an unknown PagerDuty key is
// refused without listing anything else.
func TestHostileBodyAnswerIsBounded(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		v2 := func(key string) []byte {
			return []byte(`{"routing_key":"` + key + `","event_action":"trigger","payload":{"summary":"x","source":"y","severity":"info"},"links":` + hostileArray + `}`)
		}
		v1 := func(key string) []byte {
			return []byte(`{"service_key":"` + key + `","event_type":"trigger","description":"x","contexts":` + hostileArray + `}`)
		}
		change := func(key string) []byte {
			return []byte(`{"routing_key":"` + key + `","payload":{"summary":"x"},"links":` + hostileArray + `}`)
		}
		am := []byte(`{"version":"4","alerts":` + hostileArray + `}`)
		graf := []byte(`{"version":"1","alerts":` + hostileArray + `}`)
		am2 := []byte(`{"version":"4","alerts":` + underBatch + `}`)
		graf2 := []byte(`{"version":"1","alerts":` + underBatch + `}`)
		const more, tooMany = "more problems", "elements (the most one request may carry is"
		const notChecked = "more alerts not checked"
		// 150,000 empty alerts, each with problems: a group over
		// ingest.MaxBatch is refused once the list is full, the rest
		// counted unchecked (building each was 200× the body).
		amObjects := []byte(`{"version":"4","alerts":[` + strings.TrimSuffix(strings.Repeat("{},", 150_000), ",") + `]}`)
		cases := []struct {
			name, path string
			body       []byte
			header     map[string]string
			unknown    bool   // answered "Invalid routing key" alone
			says       string // else the answer says this
		}{
			{"v2 unknown key", "/v2/enqueue", v2(unknownKey), nil, true, ""},
			{"v2 known key", "/v2/enqueue", v2(keyCheckout), nil, false, more},
			{"v2 malformed key", "/v2/enqueue", v2("bogus"), nil, false, more},
			{"v1 unknown key", "/generic/2010-04-15/create_event.json", v1(unknownKey), nil, true, ""},
			{"v1 known key", "/generic/2010-04-15/create_event.json", v1(keyCheckout), nil, false, more},
			{"change unknown key", "/v2/change/enqueue", change(unknownKey), nil, true, ""},
			{"change known key", "/v2/change/enqueue", change(keyCheckout), nil, false, more},
			{"integration events-v2", "/integrations/" + keyCheckout, v2(keyCheckout), nil, false, more},
			{"alertmanager", "/integrations/" + keyAlertmanager, am, nil, false, more},
			{"alertmanager objects", "/integrations/" + keyAlertmanager, amObjects, nil, false, notChecked},
			{"alertmanager under the batch cap", "/integrations/" + keyAlertmanager, am2, nil, false, more},
			{"grafana", "/integrations/" + keyGrafana, graf, e.grafanaHeaders(graf), false, more},
			{"grafana under the batch cap", "/integrations/" + keyGrafana, graf2, e.grafanaHeaders(graf2), false, more},
			{"generic array", "/integrations/" + keyGeneric, []byte(hostileArray), nil, false, tooMany},
			{"generic array under the batch cap", "/integrations/" + keyGeneric, []byte(underBatch), nil, false, more},
			{"generic events", "/integrations/" + keyGeneric, []byte(`{"events":` + hostileArray + `}`), nil, false, tooMany},
			{"generic links", "/integrations/" + keyGeneric, []byte(`{"summary":"x","links":` + hostileArray + `}`), nil, false, more},
		}
		for _, tc := range cases {
			code, raw := e.post(tc.path, tc.body, tc.header)
			if code != http.StatusBadRequest || len(raw) > 4096 {
				t.Errorf("%s: %d with %d bytes, want a 400 of at most 4 KB", tc.name, code, len(raw))
				continue
			}
			var out struct {
				Errors []string `json:"errors"`
				Error  struct {
					Details []json.RawMessage `json:"details"`
				} `json:"error"`
			}
			if err := json.Unmarshal(raw, &out); err != nil {
				t.Fatalf("%s: %v in %s", tc.name, err, raw)
			}
			n := max(len(out.Errors), len(out.Error.Details))
			switch {
			case tc.unknown && (len(out.Errors) != 1 || out.Errors[0] != "Invalid routing key"):
				t.Errorf("%s: errors %q, want only \"Invalid routing key\"", tc.name, out.Errors)
			case n < 1 || n > ingest.MaxProblems+1:
				t.Errorf("%s: %d problems listed, want 1 to %d: %s", tc.name, n, ingest.MaxProblems+1, raw)
			case !tc.unknown && !strings.Contains(string(raw), tc.says):
				t.Errorf("%s: answer does not say %q: %s", tc.name, tc.says, raw)
			}
		}
	})
}

// farTime is in year 9999 locally but in year 10000 once in UTC, where
// RFC 3339 and encoding/json end.
const farTime = "9999-12-31T23:59:59-23:59"

// TestTimestampsOutOfRange: a timestamp that leaves the years 0001–9999 in
// UTC is a 400 naming the field on every format that refuses it, is
// ignored in Alertmanager and Grafana batches (which still land), and
// never breaks a listing afterwards.
func TestTimestampsOutOfRange(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		ev := trigger(keyCheckout, "far", "far future")
		ev["payload"].(map[string]any)["timestamp"] = farTime
		v2, _ := json.Marshal(ev)
		change := []byte(`{"routing_key":"` + keyCheckout + `","payload":{"summary":"deploy","timestamp":"` + farTime + `"}}`)
		generic := []byte(`{"summary":"far","dedup_key":"far","timestamp":"` + farTime + `"}`)
		refused := []struct {
			name, path, field string
			body              []byte
		}{
			{"v2", "/v2/enqueue", "payload.timestamp", v2},
			{"change", "/v2/change/enqueue", "payload.timestamp", change},
			{"integration events-v2", "/integrations/" + keyCheckout, "payload.timestamp", v2},
			{"generic", "/integrations/" + keyGeneric, "timestamp", generic},
		}
		for _, tc := range refused {
			code, raw := e.post(tc.path, tc.body, nil)
			if code != http.StatusBadRequest || !strings.Contains(string(raw), "'"+tc.field+"' is invalid (must be between") {
				t.Errorf("%s: %d %s, want a 400 naming %s", tc.name, code, raw, tc.field)
			}
		}

		alert := func(fp, starts string) string {
			return `{"status":"firing","labels":{"alertname":"` + fp + `"},"fingerprint":"` + fp + `","startsAt":"` + starts + `","endsAt":"` + farTime + `"}`
		}
		am := []byte(`{"version":"4","alerts":[` + alert("aaaa000000000001", farTime) + `,` + alert("aaaa000000000002", "2026-11-27T07:59:00Z") + `]}`)
		graf := []byte(`{"version":"1","alerts":[` + alert("bbbb000000000001", farTime) + `]}`)
		if code, raw := e.post("/integrations/"+keyAlertmanager, am, nil); code != http.StatusAccepted {
			t.Errorf("alertmanager batch with a far startsAt: %d %s, want 202", code, raw)
		}
		if code, raw := e.post("/integrations/"+keyGrafana, graf, e.grafanaHeaders(graf)); code != http.StatusAccepted {
			t.Errorf("grafana batch with a far startsAt: %d %s, want 202", code, raw)
		}
		if got := e.alerts(""); len(got) != 3 {
			t.Errorf("alerts after the batches: %d, want 3", len(got))
		}

		// Every listing still answers a complete JSON document.
		for _, path := range []string{"/api/v1/change_events", "/api/v1/events", "/api/v1/alerts", "/api/v1/incidents"} {
			var out map[string]any
			if code := e.do("GET", path, e.viewer, nil, &out); code != http.StatusOK {
				t.Errorf("GET %s: %d", path, code)
			}
		}
	})
}

// TestQueryTimesOutOfRange: an at/from/to the answer could not be encoded
// with is a 400 naming the parameter, not a 200 with an empty body.
func TestQueryTimesOutOfRange(t *testing.T) {
	for _, eng := range storetestEngines(t) {
		t.Run(eng.Name, func(t *testing.T) { queryTimesOutOfRange(t, newPager(t, eng).env) })
	}
}

func queryTimesOutOfRange(t *testing.T, e *env) {
	for _, path := range []string{
		"/api/v1/oncall?at=9999-12-31T23:59:59Z",
		"/api/v1/oncall?at=" + strings.ReplaceAll(farTime, "-23:59", "%2B23:59"),
		"/api/v1/simulate?service=checkout&at=9999-12-31T23:59:59Z",
		"/api/v1/oncall?at=9999-12-31T23:59:59Z&policy=web",
		"/api/v1/schedules/primary/shifts?from=9999-12-31T23:59:59Z",
		"/api/v1/schedules/primary/shifts?from=9999-06-01T00:00:00Z&to=9999-12-31T23:59:59Z",
		"/api/v1/oncall?at=0000-01-01T00:00:00Z",
	} {
		var out struct {
			Error struct {
				Code    string                   `json:"code"`
				Details []struct{ Field string } `json:"details"`
			} `json:"error"`
		}
		code := e.do("GET", path, e.viewer, nil, &out)
		if code != http.StatusBadRequest || out.Error.Code != "invalid_argument" || len(out.Error.Details) != 1 {
			t.Errorf("GET %s: %d %+v, want a 400 naming the parameter", path, code, out)
		}
	}
}

// TestBatchLargerThanBurstIsAdmitted: at the default 6,000 events a minute
// (a burst of 1,000) an Alertmanager batch of 1,001 alerts is admitted on a
// full bucket; a second one at once gets 429 with a Retry-After, and
// retrying after exactly that long, with no other traffic, succeeds.
func TestBatchLargerThanBurstIsAdmitted(t *testing.T) {
	for _, eng := range storetestEngines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			e := newEnv(t, eng.Open(t), 6000)
			batch := func(round int) []byte {
				alerts := make([]string, 1001)
				for i := range alerts {
					fp := fmt.Sprintf("%08x%08x", round, i)
					alerts[i] = `{"status":"firing","labels":{"alertname":"A` + fp + `"},"fingerprint":"` + fp + `"}`
				}
				return []byte(`{"version":"4","alerts":[` + strings.Join(alerts, ",") + `]}`)
			}
			if code, raw := e.post("/integrations/"+keyAlertmanager, batch(1), nil); code != http.StatusAccepted {
				t.Fatalf("first batch of 1,001: %d %.200s", code, raw)
			}
			req, _ := http.NewRequest("POST", e.url+"/integrations/"+keyAlertmanager, strings.NewReader(string(batch(2))))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var out struct {
				Error struct{ Code string } `json:"error"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			if resp.StatusCode != http.StatusTooManyRequests || wait < 1 || out.Error.Code != "rate_limited" {
				t.Fatalf("second batch at once: %d Retry-After %q code %q, want 429 rate_limited with Retry-After",
					resp.StatusCode, resp.Header.Get("Retry-After"), out.Error.Code)
			}
			e.clock.Advance(time.Duration(wait) * time.Second)
			if code, raw := e.post("/integrations/"+keyAlertmanager, batch(2), nil); code != http.StatusAccepted {
				t.Fatalf("same batch after Retry-After %ds: %d %.200s", wait, code, raw)
			}
		})
	}
}

// TestOldOutOfRangeChangeStillLists: a change event stored before ingest
// checked the range (written here straight to the store) is listed with the
// time it was received instead of breaking GET /api/v1/change_events.
func TestOldOutOfRangeChangeStillLists(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		far := time.Date(10000, 1, 1, 23, 58, 59, 0, time.UTC)
		err := e.st.Write(t.Context(), "old change", func(tx hypercare.Tx) error {
			return tx.InsertChangeEvent(t.Context(), &hypercare.ChangeEvent{ID: "old", ServiceID: "checkout",
				IntegrationID: "checkout-v2", Summary: "deploy", Timestamp: far, ReceivedAt: t0})
		})
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Changes []hypercare.ChangeEvent `json:"change_events"`
		}
		if code := e.do("GET", "/api/v1/change_events", e.viewer, nil, &out); code != http.StatusOK ||
			len(out.Changes) != 1 || !out.Changes[0].Timestamp.Equal(t0) {
			t.Fatalf("listing: %d %+v, want the change at its receive time", code, out.Changes)
		}
	})
}
