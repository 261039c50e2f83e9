package apitest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/apitest"
	"github.com/hypercare/hypercare/storetest"
)

// get calls the REST API with token and decodes a JSON answer into out,
// returning the status. It uses plain net/http, not package client: the
// client's tests are built on apitest, so apitest's own tests must not
// lean on the client.
func get(t *testing.T, srv *apitest.Server, token, path string, out any) int {
	t.Helper()
	return call(t, srv, "GET", token, path, out)
}

func call(t *testing.T, srv *apitest.Server, method, token, path string, out any) int {
	t.Helper()
	var body io.Reader
	if method == "POST" {
		body = strings.NewReader("{}")
	}
	req, err := http.NewRequest(method, srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, raw, err)
		}
	}
	return resp.StatusCode
}

type incidentAnswer struct {
	Incident hypercare.Incident `json:"incident"`
}

// TestServerServesTheAPIOnEachEngine checks what tests built on apitest
// rely on: a triggered event becomes an incident stamped with the fake
// clock's time, tokens carry their role (a viewer reads but cannot act)
// and their role's name, and the clock moves only when the test moves it.
func TestServerServesTheAPIOnEachEngine(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		srv := apitest.New(t, e.Open(t))
		if !srv.Clock.Now().Equal(apitest.Start) || !strings.HasPrefix(srv.URL, "http://") || strings.HasSuffix(srv.URL, "/") {
			t.Fatalf("clock %v, URL %q", srv.Clock.Now(), srv.URL)
		}
		srv.Clock.Advance(90 * time.Second)
		ans := srv.Trigger(apitest.KeyCheckout, "p99", "Checkout latency above SLO", hypercare.SeverityCritical)
		if ans.Status != "success" || ans.DedupKey != "p99" {
			t.Errorf("trigger answer %+v", ans)
		}

		viewer, responder := srv.Token(hypercare.RoleViewer), srv.Token(hypercare.RoleResponder)
		var got incidentAnswer
		if code := get(t, srv, viewer, "/api/v1/incidents/1", &got); code != http.StatusOK {
			t.Fatalf("GET incident 1 as viewer: %d", code)
		}
		inc := got.Incident
		if inc.Title != "Checkout latency above SLO" || inc.ServiceID != apitest.ServiceCheckout ||
			!inc.CreatedAt.Equal(apitest.Start.Add(90*time.Second)) {
			t.Errorf("incident %+v", inc)
		}

		if code := call(t, srv, "POST", viewer, "/api/v1/incidents/1/acknowledge", nil); code != http.StatusForbidden {
			t.Errorf("viewer acknowledging: %d, want 403", code)
		}
		srv.Clock.Advance(time.Minute)
		if code := call(t, srv, "POST", responder, "/api/v1/incidents/1/acknowledge", &got); code != http.StatusOK ||
			got.Incident.AcknowledgedAt == nil || !got.Incident.AcknowledgedAt.Equal(srv.Clock.Now()) {
			t.Errorf("responder acknowledging: %d %+v", code, got.Incident)
		}
		var tl struct {
			Timeline []hypercare.TimelineEntry `json:"timeline"`
		}
		get(t, srv, viewer, "/api/v1/incidents/1/timeline", &tl)
		if n := len(tl.Timeline); n != 2 || tl.Timeline[0].Message != "Triggered via Datadog: Checkout latency above SLO" ||
			tl.Timeline[1].Actor.Name != "responder" {
			t.Errorf("timeline %+v", tl.Timeline)
		}

		// A repeated trigger updates the open alert: no new incident.
		srv.Trigger(apitest.KeyCheckout, "p99", "Checkout latency above SLO", hypercare.SeverityCritical)
		// Send passes acknowledge and resolve events through unchanged.
		srv.Send(apitest.Event{RoutingKey: apitest.KeySearch, Action: "trigger", DedupKey: "lag",
			Payload: &apitest.Payload{Summary: "Index lag", Source: "s-1", Severity: "warning"}})
		srv.Send(apitest.Event{RoutingKey: apitest.KeySearch, Action: "resolve", DedupKey: "lag"})
		var list struct {
			Incidents []hypercare.Incident `json:"incidents"`
		}
		get(t, srv, viewer, "/api/v1/incidents", &list)
		if len(list.Incidents) != 2 || list.Incidents[0].ServiceID != apitest.ServiceSearch ||
			list.Incidents[0].Status != hypercare.StatusResolved {
			t.Errorf("incidents %+v", list.Incidents)
		}
	})
}

// TestWithCatalog checks a custom catalog replaces the default one: its
// key routes, the default keys do not.
func TestWithCatalog(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		const key = "11111111111111111111111111111111"
		srv := apitest.New(t, e.Open(t), apitest.WithCatalog(apitest.Catalog{
			Teams:    []hypercare.Team{{ID: "data", Name: "Data"}},
			Services: []hypercare.Service{{ID: "db", Name: "Database", TeamID: "data", Active: true}},
			Integrations: []hypercare.Integration{
				{ID: "db-v2", ServiceID: "db", Type: hypercare.IntegrationEventsV2, Key: key, Name: "Zabbix"}},
		}))
		srv.Trigger(key, "disk", "Disk full", hypercare.SeverityError)
		var got incidentAnswer
		get(t, srv, srv.Token(hypercare.RoleViewer), "/api/v1/incidents/1", &got)
		if got.Incident.ServiceID != "db" {
			t.Errorf("incident %+v, want it on service db", got.Incident)
		}

		resp, err := http.Post(srv.URL+"/v2/enqueue", "application/json", strings.NewReader(
			`{"routing_key":"`+apitest.KeyCheckout+`","event_action":"trigger","payload":{"summary":"x","source":"y","severity":"info"}}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusAccepted {
			t.Errorf("the default catalog's key was accepted with a custom catalog")
		}
	})
}
