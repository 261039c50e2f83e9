package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/client"
	"github.com/hypercare/hypercare/client/clienttest"
)

func setup(t *testing.T) (*clienttest.API, *client.Client) {
	t.Helper()
	api := clienttest.New("secret")
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return api, client.New(srv.URL+"/", "secret")
}

// apiError asserts err is the *hypercare.Error the server sent.
func apiError(t *testing.T, err error, code hypercare.Code, msg string) *hypercare.Error {
	t.Helper()
	var he *hypercare.Error
	if !errors.As(err, &he) {
		t.Fatalf("err = %v (%T), want *hypercare.Error", err, err)
	}
	if he.Code != code || !strings.Contains(he.Message, msg) {
		t.Fatalf("err = %q %q, want %q containing %q", he.Code, he.Message, code, msg)
	}
	return he
}

func TestListIncidentsPageAndQuery(t *testing.T) {
	api, c := setup(t)
	page, err := c.ListIncidents(context.Background(), client.IncidentQuery{
		Statuses: []hypercare.Status{hypercare.StatusTriggered, hypercare.StatusAcknowledged}, ServiceID: "checkout", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Incidents) != 1 || page.Incidents[0].Number != 3 || page.NextCursor != "" {
		t.Fatalf("page = %+v", page)
	}
	got := page.Incidents[0]
	if got.Title != "Checkout latency above SLO" || got.Status != hypercare.StatusTriggered || got.AlertCount != 3 ||
		!got.CreatedAt.Equal(clienttest.FixtureNow().Add(-5*60e9)) || got.AcknowledgedAt != nil {
		t.Errorf("decoded incident %+v", got)
	}
	want := "GET /api/v1/incidents?limit=5&service=checkout&status=triggered%2Cacknowledged"
	if log := api.RequestLog(); len(log) != 1 || log[0] != want {
		t.Errorf("requests %q, want %q", log, want)
	}
}

func TestListIncidentsOnePageHasCursor(t *testing.T) {
	_, c := setup(t)
	page, err := c.ListIncidents(context.Background(), client.IncidentQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Incidents) != 2 || page.NextCursor == "" {
		t.Fatalf("first page %d incidents, cursor %q; want 2 and a cursor", len(page.Incidents), page.NextCursor)
	}
	rest, err := c.ListIncidents(context.Background(), client.IncidentQuery{Cursor: page.NextCursor})
	if err != nil || len(rest.Incidents) != 1 || rest.Incidents[0].Number != 1 || rest.NextCursor != "" {
		t.Fatalf("second page %+v, %v", rest, err)
	}
}

func TestAllIncidentsFollowsCursorUpToLimit(t *testing.T) {
	api, c := setup(t)
	all, err := c.AllIncidents(context.Background(), client.IncidentQuery{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if numbers(all) != "3,2,1" || len(api.RequestLog()) != 2 {
		t.Errorf("got %s in %d requests; want 3,2,1 in 2", numbers(all), len(api.RequestLog()))
	}
	two, err := c.AllIncidents(context.Background(), client.IncidentQuery{Limit: 1}, 2)
	if err != nil || numbers(two) != "3,2" {
		t.Errorf("limit 2: %s, %v", numbers(two), err)
	}
}

func numbers(incs []hypercare.Incident) string {
	var s []string
	for _, inc := range incs {
		s = append(s, string(rune('0'+inc.Number)))
	}
	return strings.Join(s, ",")
}

func TestAllIncidentsRejectsRepeatedCursor(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"incidents":[{"id":"x","number":1}],"next_cursor":"same"}`))
	}))
	defer srv.Close()
	_, err := client.New(srv.URL, "t").AllIncidents(context.Background(), client.IncidentQuery{}, 0)
	if err == nil || !strings.Contains(err.Error(), "same page cursor") {
		t.Fatalf("err = %v, want a repeated-cursor error instead of an endless loop", err)
	}
}

func TestGetIncidentByNumberAndID(t *testing.T) {
	_, c := setup(t)
	for _, ref := range []string{"2", "01JINC2"} {
		inc, err := c.GetIncident(context.Background(), ref)
		if err != nil || inc.ID != "01JINC2" || inc.AcknowledgedAt == nil {
			t.Errorf("GetIncident(%s) = %+v, %v", ref, inc, err)
		}
	}
}

func TestAlertsAndTimelineFollowPages(t *testing.T) {
	api, c := setup(t)
	alerts, err := c.IncidentAlerts(context.Background(), "01JINC3", 0)
	if err != nil || len(alerts) != 3 || alerts[2].DedupKey != "checkout-queue" || string(alerts[0].CustomDetails) != `{"region":"eu-west-1"}` {
		t.Fatalf("alerts %+v, %v", alerts, err)
	}
	tl, err := c.IncidentTimeline(context.Background(), "3", 2)
	if err != nil || len(tl) != 2 || tl[0].Type != hypercare.TimelineTriggered || tl[0].Actor.Name != "Prometheus" {
		t.Fatalf("timeline %+v, %v", tl, err)
	}
	want := []string{"GET /api/v1/incidents/01JINC3/alerts?limit=100", "GET /api/v1/incidents/01JINC3/alerts?cursor=o2&limit=100",
		"GET /api/v1/incidents/3/timeline?limit=2"}
	if log := api.RequestLog(); !slices.Equal(log, want) {
		t.Errorf("requests %q, want %q", log, want)
	}
}

func TestAcknowledgeResolveAndConflict(t *testing.T) {
	_, c := setup(t)
	ctx := context.Background()
	inc, err := c.Acknowledge(ctx, "3")
	if err != nil || inc.Status != hypercare.StatusAcknowledged || inc.AcknowledgedAt == nil {
		t.Fatalf("Acknowledge = %+v, %v", inc, err)
	}
	inc, err = c.Resolve(ctx, "3")
	if err != nil || inc.Status != hypercare.StatusResolved || inc.ResolvedAt == nil {
		t.Fatalf("Resolve = %+v, %v", inc, err)
	}
	_, err = c.Acknowledge(ctx, "3")
	apiError(t, err, hypercare.CodeConflict, "incident 3 is already resolved")
}

func TestAddNote(t *testing.T) {
	_, c := setup(t)
	e, err := c.AddNote(context.Background(), "3", "rolled back v42")
	if err != nil || e.Type != hypercare.TimelineNote || e.Message != "rolled back v42" || e.IncidentID != "01JINC3" {
		t.Fatalf("AddNote = %+v, %v", e, err)
	}
	_, err = c.AddNote(context.Background(), "3", " ")
	apiError(t, err, hypercare.CodeInvalid, "note")
}

func TestErrorsCarryServerMessageAndDetails(t *testing.T) {
	_, c := setup(t)
	ctx := context.Background()
	_, err := c.GetIncident(ctx, "99")
	apiError(t, err, hypercare.CodeNotFound, "incident 99 not found")

	_, err = c.ListIncidents(ctx, client.IncidentQuery{Statuses: []hypercare.Status{"open"}, Limit: 500})
	he := apiError(t, err, hypercare.CodeInvalid, "invalid query")
	if len(he.Details) != 2 || he.Details[0].Field != "limit" || he.Details[1].Message != `unknown status "open"` {
		t.Errorf("details %+v", he.Details)
	}

	_, err = c.GetIncident(ctx, " ")
	apiError(t, err, hypercare.CodeInvalid, "incident ID or number is required")
}

func TestAuthorizationHeader(t *testing.T) {
	api := clienttest.New("secret")
	srv := httptest.NewServer(api)
	defer srv.Close()
	_, err := client.New(srv.URL, "wrong").ListIncidents(context.Background(), client.IncidentQuery{})
	apiError(t, err, hypercare.CodeUnauthenticated, "API token")
	_, err = client.New(srv.URL, "").ListIncidents(context.Background(), client.IncidentQuery{})
	apiError(t, err, hypercare.CodeUnauthenticated, "API token")
}

func TestNonAPIErrorBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>upstream down</html>", http.StatusBadGateway)
	}))
	defer srv.Close()
	_, err := client.New(srv.URL, "t").GetIncident(context.Background(), "a/b")
	apiError(t, err, hypercare.CodeUnavailable, "GET /api/v1/incidents/a%2Fb: HTTP 502 Bad Gateway: <html>upstream down</html>")
}

func TestTransportAndDecodeErrorsHaveContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"incidents":`))
	}))
	_, err := client.New(srv.URL, "t").ListIncidents(context.Background(), client.IncidentQuery{})
	if err == nil || !strings.HasPrefix(err.Error(), "GET /api/v1/incidents: decoding response: ") {
		t.Errorf("truncated body: err = %v", err)
	}
	srv.Close() // nothing listens any more
	_, err = client.New(srv.URL, "t").Resolve(context.Background(), "7")
	if err == nil || !strings.HasPrefix(err.Error(), "POST /api/v1/incidents/7/resolve: ") || hypercare.ErrorCode(err) != hypercare.CodeInternal {
		t.Errorf("refused connection: err = %v", err)
	}
}
