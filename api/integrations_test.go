package api_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// amPayload is an Alertmanager webhook (version 4) with two alerts.
func amPayload(status1, status2 string) string {
	return `{"version":"4","groupKey":"{}:{alertname=\"HighErrorRate\"}","truncatedAlerts":0,
"status":"firing","receiver":"hypercare","groupLabels":{"alertname":"HighErrorRate"},
"commonLabels":{"alertname":"HighErrorRate","severity":"critical"},"commonAnnotations":{},
"externalURL":"http://alertmanager:9093","alerts":[
{"status":"` + status1 + `","labels":{"alertname":"HighErrorRate","instance":"web-1","severity":"critical"},
 "annotations":{"summary":"5xx rate above 5% on web-1"},"startsAt":"2026-11-27T08:00:00Z","endsAt":"0001-01-01T00:00:00Z",
 "generatorURL":"http://prometheus:9090/graph","fingerprint":"a1b2c3d4e5f60708"},
{"status":"` + status2 + `","labels":{"alertname":"HighErrorRate","instance":"web-2","severity":"warning"},
 "annotations":{"summary":"5xx rate above 5% on web-2"},"startsAt":"2026-11-27T08:00:00Z","endsAt":"0001-01-01T00:00:00Z",
 "generatorURL":"http://prometheus:9090/graph","fingerprint":"0807f6e5d4c3b2a1"}]}`
}

func TestAlertmanagerWebhook(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		var out struct {
			Events    int      `json:"events"`
			DedupKeys []string `json:"dedup_keys"`
		}
		if code := e.do("POST", "/integrations/"+keyAlertmanager, "", amPayload("firing", "firing"), &out); code != 202 || out.Events != 2 {
			t.Fatalf("firing: %d %+v", code, out)
		}
		// Alertmanager re-sends the same group: idempotent, counted.
		e.do("POST", "/integrations/"+keyAlertmanager, "", amPayload("firing", "firing"), nil)
		if incs := e.incidents(""); len(incs) != 2 {
			t.Fatalf("want one incident per fingerprint, got %d", len(incs))
		}
		if al := e.alerts("?dedup_key=a1b2c3d4e5f60708"); len(al) != 1 || al[0].EventCount != 2 || al[0].Severity != hypercare.SeverityCritical {
			t.Fatalf("alert for fingerprint: %+v", al)
		}
		e.do("POST", "/integrations/"+keyAlertmanager, "", amPayload("resolved", "firing"), nil)
		if got := e.incidents("?status=resolved"); len(got) != 1 {
			t.Fatalf("want 1 resolved incident, got %d", len(got))
		}

		// A batch with one bad alert is rejected whole: nothing is written.
		before := len(e.alerts("?limit=100"))
		bad := strings.Replace(amPayload("firing", "firing"), `"fingerprint":"0807f6e5d4c3b2a1"`, `"fingerprint":"new-one"`, 1)
		bad = strings.Replace(bad, `"status":"firing","labels":{"alertname":"HighErrorRate","instance":"web-1"`,
			`"status":"exploded","labels":{"alertname":"HighErrorRate","instance":"web-1"`, 1)
		var errOut struct {
			Error struct {
				Code    string                 `json:"code"`
				Details []hypercare.FieldError `json:"details"`
			} `json:"error"`
		}
		if code := e.do("POST", "/integrations/"+keyAlertmanager, "", bad, &errOut); code != 400 || errOut.Error.Code != "invalid_argument" || len(errOut.Error.Details) == 0 {
			t.Fatalf("bad batch: %d %+v", code, errOut)
		}
		if after := len(e.alerts("?limit=100")); after != before {
			t.Fatalf("rejected batch wrote alerts: %d → %d", before, after)
		}
		if code := e.do("POST", "/integrations/00000000000000000000000000000000", "", amPayload("firing", "firing"), nil); code != 404 {
			t.Fatalf("unknown key: %d", code)
		}
	})
}

func TestGenericWebhook(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		body := `{"action":"trigger","dedup_key":"cdn-5xx","summary":"CDN edge errors","severity":"warning","source":"cdn"}`
		if code := e.do("POST", "/integrations/"+keyGeneric, "", body, nil); code != 202 {
			t.Fatalf("generic trigger: %d", code)
		}
		if al := e.alerts("?dedup_key=cdn-5xx"); len(al) != 1 || al[0].Severity != hypercare.SeverityWarning {
			t.Fatalf("generic alert: %+v", al)
		}
		if got := e.incidents(""); got[0].Urgency != hypercare.UrgencyLow {
			t.Errorf("warning should be low urgency: %+v", got[0])
		}
	})
}

func TestGrafanaSignature(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		body := `{"receiver":"hypercare","status":"firing","orgId":1,"version":"1","groupKey":"{}:{}","truncatedAlerts":0,
"title":"[FIRING:1] Checkout latency","state":"alerting","message":"latency",
"alerts":[{"status":"firing","labels":{"alertname":"CheckoutLatency","severity":"critical"},
"annotations":{"summary":"p99 latency above 2s"},"startsAt":"2026-11-27T08:00:00Z","endsAt":"0001-01-01T00:00:00Z",
"generatorURL":"http://grafana/alerting/grafana/abc/view","fingerprint":"fa1afa1afa1afa1a","values":{"A":2.5},"valueString":"A=2.5"}]}`
		post := func(sig, ts string) int {
			req, _ := http.NewRequest("POST", e.url+"/integrations/"+keyGrafana, strings.NewReader(body))
			if sig != "" {
				req.Header.Set("X-Grafana-Alerting-Signature", sig)
			}
			if ts != "" {
				req.Header.Set("X-Grafana-Alerting-Timestamp", ts)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		sign := func(ts string) string {
			mac := hmac.New(sha256.New, []byte(grafanaSecret))
			if ts != "" {
				mac.Write([]byte(ts + ":"))
			}
			mac.Write([]byte(body))
			return hex.EncodeToString(mac.Sum(nil))
		}
		now := strconv.FormatInt(e.clock.Now().Unix(), 10)
		if code := post("", ""); code != 401 {
			t.Fatalf("unsigned: %d", code)
		}
		if code := post(strings.Repeat("0", 64), now); code != 401 {
			t.Fatalf("wrong signature: %d", code)
		}
		// A signature over the body alone has no time in it and could be
		// replayed forever: refused when a secret is set.
		if code := post(sign(""), ""); code != 401 {
			t.Fatalf("signed without a timestamp: %d", code)
		}
		if code := post(sign(now), now); code != 202 {
			t.Fatalf("signed: %d", code)
		}
		e.clock.Advance(6 * time.Minute)
		if code := post(sign(now), now); code != 401 {
			t.Fatalf("replayed 6 minutes later: %d", code)
		}
		if al := e.alerts("?dedup_key=fa1afa1afa1afa1a"); len(al) != 1 {
			t.Fatalf("grafana alert: %+v", al)
		}
	})
}
