package api_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestGrafanaWebhookPUT: a Grafana webhook contact point sends with the
// HTTP method its "HTTP Method" option names, POST or PUT (grafana/alerting
// receivers/webhook/v1/config.go offers both; http/client.go sends either
// and refuses others with "webhook only supports HTTP methods PUT or
// POST"). A contact point set to PUT must page through Hypercare as one
// set to POST does; it was answered 405 and its alerts never arrived.
func TestGrafanaWebhookPUT(t *testing.T) {
	e := newEnv(t, storetestEngines(t)[0].Open(t), 0)
	body := `{"receiver":"hypercare","status":"firing","orgId":1,"version":"1","groupKey":"{}:{}","truncatedAlerts":0,
"title":"[FIRING:1] Checkout latency","state":"alerting","message":"latency",
"alerts":[{"status":"firing","labels":{"alertname":"CheckoutLatency","severity":"critical"},
"annotations":{"summary":"p99 latency above 2s"},"startsAt":"2026-11-27T08:00:00Z","endsAt":"0001-01-01T00:00:00Z",
"generatorURL":"http://grafana/alerting/grafana/abc/view","fingerprint":"fa1afa1afa1afa1a","values":{"A":2.5},"valueString":"A=2.5"}]}`
	ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(grafanaSecret))
	mac.Write([]byte(ts + ":" + body))
	req, _ := http.NewRequest(http.MethodPut, e.url+"/integrations/"+keyGrafana, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Grafana-Alerting-Signature", hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("X-Grafana-Alerting-Timestamp", ts)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("Grafana webhook sent with PUT: %d %s, want 202", resp.StatusCode, raw)
	}
	if al := e.alerts("?dedup_key=fa1afa1afa1afa1a"); len(al) != 1 {
		t.Fatalf("alerts after the PUT: %+v", al)
	}
}
