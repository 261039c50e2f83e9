package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/store"
)

// conflictStore fails every write as a lost race to open the same alert on
// another node would, after intake's retries.
type conflictStore struct{ *store.Store }

func (conflictStore) Write(context.Context, string, func(hypercare.Tx) error) error {
	return hypercare.Errorf(hypercare.CodeConflict, "alert %q: opened concurrently", "k")
}

// TestIngestConflictIsRetryable: when intake gives up on a write that lost a
// race to another node (CodeConflict), nothing was recorded and the event
// must be sent again. Every sender retries only some codes: PagerDuty's
// Events API v2 contract retries 429 and 5xx and says 4xx must not be
// retried; v1 retries 403 and 5xx; Alertmanager's webhook notifier retries
// 5xx only ("5xx response codes are assumed to be recoverable",
// notify/webhook/webhook.go). A 409 makes each of them drop the event (or,
// for Alertmanager, wait a whole group_interval). Every ingest endpoint
// must answer such a failure 5xx.
func TestIngestConflictIsRetryable(t *testing.T) {
	st := storetestEngines(t)[0].Open(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	integrations := []hypercare.Integration{
		{ID: "checkout-v2", ServiceID: "checkout", Type: hypercare.IntegrationEventsV2, Key: keyCheckout},
		{ID: "checkout-am", ServiceID: "checkout", Type: hypercare.IntegrationAlertmanager, Key: keyAlertmanager},
	}
	clk := clocktest.New(t0)
	in := intake.New(conflictStore{st}, clk)
	in.SetIntegrations(integrations)
	srv := api.New(api.Options{Store: st, Clock: clk, Intake: in, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	for _, c := range []struct{ path, body string }{
		{"/v2/enqueue", `{"routing_key":"` + keyCheckout + `","event_action":"trigger","dedup_key":"k",
			"payload":{"summary":"s","source":"web-01","severity":"critical"}}`},
		{"/generic/2010-04-15/create_event.json", `{"service_key":"` + keyCheckout + `","event_type":"trigger",
			"incident_key":"k","description":"s"}`},
		{"/integrations/" + keyAlertmanager, `{"version":"4","status":"firing","alerts":[{"status":"firing",
			"labels":{"alertname":"A"},"startsAt":"2026-11-27T08:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"57c6d9296de2ad39"}]}`},
	} {
		resp, err := http.Post(hs.URL+c.path, "application/json", strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 500 {
			t.Errorf("%s: a write lost to a concurrent node answered %d %s, want 5xx so the sender retries", c.path, resp.StatusCode, raw)
		}
	}
}
