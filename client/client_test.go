package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/apitest"
	"github.com/hypercare/hypercare/client"
	"github.com/hypercare/hypercare/storetest"
)

// Most tests here run the client against a real Hypercare server (package
// apitest) on each store engine: what the client decodes is what the
// server really sends, errors included. Only the robustness tests at the
// end, which need a server misbehaving in ways Hypercare never does (a
// proxy's HTML error page, a truncated body, a cursor that never
// advances), use a tiny handler of their own.

// recorder is an http.RoundTripper that logs each request as
// "METHOD /path?query" before sending it on the real transport, so tests
// can check what the client asked for (page sizes, cursors, filters)
// without replacing the server.
type recorder struct {
	mu   sync.Mutex
	reqs []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req.Method+" "+req.URL.RequestURI())
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// take returns the requests logged since the last call and forgets them.
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.reqs
	r.reqs = nil
	return out
}

// env is one real server with tokens of each role and a client for each.
type env struct {
	srv       *apitest.Server
	log       *recorder
	responder *client.Client // logs its requests to log
	viewer    *client.Client
}

// forEachServer runs fn on a fresh real server on SQLite and on PostgreSQL.
func forEachServer(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		srv := apitest.New(t, eng.Open(t))
		log := &recorder{}
		// The trailing slash checks New trims it.
		responder := client.New(srv.URL+"/", srv.Token(hypercare.RoleResponder),
			client.WithHTTPClient(&http.Client{Transport: log, Timeout: time.Minute}))
		fn(t, &env{srv: srv, log: log, responder: responder, viewer: client.New(srv.URL, srv.Token(hypercare.RoleViewer))})
	})
}

// seedIncidents opens five incidents a minute apart, alternating checkout
// (odd numbers) and search (even), with severities critical, warning,
// error, info and critical; then #1 is resolved and #2 acknowledged
// through events, so the listing has every status:
//
//	#5 checkout triggered, #4 search triggered, #3 checkout triggered,
//	#2 search acknowledged, #1 checkout resolved.
func seedIncidents(t *testing.T, srv *apitest.Server) {
	t.Helper()
	sevs := []hypercare.Severity{hypercare.SeverityCritical, hypercare.SeverityWarning, hypercare.SeverityError,
		hypercare.SeverityInfo, hypercare.SeverityCritical}
	for i, sev := range sevs {
		key := apitest.KeyCheckout
		if i%2 == 1 {
			key = apitest.KeySearch
		}
		srv.Clock.Advance(time.Minute)
		srv.Trigger(key, fmt.Sprintf("alert-%d", i+1), fmt.Sprintf("Problem %d", i+1), sev)
	}
	srv.Clock.Advance(time.Minute)
	srv.Send(apitest.Event{RoutingKey: apitest.KeyCheckout, Action: "resolve", DedupKey: "alert-1"})
	srv.Send(apitest.Event{RoutingKey: apitest.KeySearch, Action: "acknowledge", DedupKey: "alert-2"})
}

// numbers renders incident numbers as "5,4,3" for compact comparisons.
func numbers(incs []hypercare.Incident) string {
	s := make([]string, len(incs))
	for i, inc := range incs {
		s[i] = fmt.Sprint(inc.Number)
	}
	return strings.Join(s, ",")
}

// apiError asserts err is a *hypercare.Error with code and a message
// containing msg, and returns it.
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

func TestListIncidentsFilters(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *env) {
		seedIncidents(t, e.srv)
		ctx := context.Background()

		page, err := e.viewer.ListIncidents(ctx, client.IncidentQuery{})
		if err != nil || numbers(page.Incidents) != "5,4,3,2,1" || page.NextCursor != "" {
			t.Fatalf("unfiltered: %+v, %v; want 5,4,3,2,1 on one page", page, err)
		}
		got := page.Incidents[3]
		created := apitest.Start.Add(2 * time.Minute)
		if got.Title != "Problem 2" || got.ServiceID != apitest.ServiceSearch || got.Status != hypercare.StatusAcknowledged ||
			got.Severity != hypercare.SeverityWarning || got.Urgency != hypercare.UrgencyLow || got.AlertCount != 1 ||
			!got.CreatedAt.Equal(created) || got.AcknowledgedAt == nil || !got.AcknowledgedAt.Equal(apitest.Start.Add(6*time.Minute)) ||
			got.ResolvedAt != nil {
			t.Errorf("decoded incident 2: %+v", got)
		}

		for _, tc := range []struct {
			q    client.IncidentQuery
			want string
		}{
			{client.IncidentQuery{Statuses: []hypercare.Status{hypercare.StatusTriggered}}, "5,4,3"},
			{client.IncidentQuery{Statuses: []hypercare.Status{hypercare.StatusAcknowledged, hypercare.StatusResolved}}, "2,1"},
			{client.IncidentQuery{ServiceID: apitest.ServiceCheckout}, "5,3,1"},
			{client.IncidentQuery{ServiceID: apitest.ServiceSearch, Statuses: []hypercare.Status{hypercare.StatusTriggered}}, "4"},
			{client.IncidentQuery{ServiceID: "no-such-service"}, ""},
		} {
			page, err := e.responder.ListIncidents(ctx, tc.q)
			if err != nil || numbers(page.Incidents) != tc.want || page.Incidents == nil {
				t.Errorf("%+v: got %q, %v; want %q", tc.q, numbers(page.Incidents), err, tc.want)
			}
		}
		want := []string{
			"GET /api/v1/incidents?status=triggered",
			"GET /api/v1/incidents?status=acknowledged%2Cresolved",
			"GET /api/v1/incidents?service=checkout",
			"GET /api/v1/incidents?service=search&status=triggered",
			"GET /api/v1/incidents?service=no-such-service",
		}
		if log := e.log.take(); !slices.Equal(log, want) {
			t.Errorf("requests\n%q\nwant\n%q", log, want)
		}
	})
}

func TestListIncidentsPaging(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *env) {
		seedIncidents(t, e.srv)
		ctx := context.Background()

		// Page by hand, following next_cursor as a script would.
		var pages []string
		q := client.IncidentQuery{Limit: 2}
		for range 10 {
			page, err := e.responder.ListIncidents(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, numbers(page.Incidents))
			if page.NextCursor == "" {
				break
			}
			q.Cursor = page.NextCursor
		}
		if got := strings.Join(pages, " | "); got != "5,4 | 3,2 | 1" {
			t.Errorf("pages %s, want 5,4 | 3,2 | 1", got)
		}
		e.log.take()

		all, err := e.responder.AllIncidents(ctx, client.IncidentQuery{Limit: 2}, 0)
		if err != nil || numbers(all) != "5,4,3,2,1" {
			t.Errorf("AllIncidents limit 2: %s, %v", numbers(all), err)
		}
		if n := len(e.log.take()); n != 3 {
			t.Errorf("AllIncidents made %d requests for 5 incidents in pages of 2, want 3", n)
		}

		three, err := e.responder.AllIncidents(ctx, client.IncidentQuery{Limit: 2}, 3)
		if err != nil || numbers(three) != "5,4,3" {
			t.Errorf("AllIncidents up to 3: %s, %v", numbers(three), err)
		}
		if n := len(e.log.take()); n != 2 {
			t.Errorf("AllIncidents up to 3 made %d requests, want 2 (it must stop once it has enough)", n)
		}

		// Filters survive across pages.
		trig, err := e.responder.AllIncidents(ctx, client.IncidentQuery{Limit: 1,
			Statuses: []hypercare.Status{hypercare.StatusTriggered}, ServiceID: apitest.ServiceCheckout}, 0)
		if err != nil || numbers(trig) != "5,3" {
			t.Errorf("AllIncidents triggered on checkout: %s, %v", numbers(trig), err)
		}
		log := e.log.take()
		if len(log) < 2 || !strings.Contains(log[1], "cursor=") || !strings.Contains(log[1], "service=checkout&status=triggered") {
			t.Errorf("second page request %q keeps neither cursor nor filters", log)
		}

		// Continuing from a cursor starts after it.
		page, err := e.responder.ListIncidents(ctx, client.IncidentQuery{Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		rest, err := e.responder.AllIncidents(ctx, client.IncidentQuery{Cursor: page.NextCursor}, 0)
		if err != nil || numbers(rest) != "2,1" {
			t.Errorf("AllIncidents from cursor: %s, %v", numbers(rest), err)
		}
	})
}

func TestGetIncidentByNumberAndID(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *env) {
		seedIncidents(t, e.srv)
		ctx := context.Background()
		byNumber, err := e.viewer.GetIncident(ctx, "3")
		if err != nil {
			t.Fatal(err)
		}
		if byNumber.Number != 3 || byNumber.Title != "Problem 3" || byNumber.ServiceID != apitest.ServiceCheckout ||
			byNumber.Severity != hypercare.SeverityError || byNumber.Urgency != hypercare.UrgencyHigh ||
			byNumber.Status != hypercare.StatusTriggered || byNumber.ID == "" {
			t.Errorf("GetIncident(3) = %+v", byNumber)
		}
		byID, err := e.viewer.GetIncident(ctx, byNumber.ID)
		if err != nil || *byID != *byNumber {
			t.Errorf("GetIncident(%s) = %+v, %v; want %+v", byNumber.ID, byID, err, byNumber)
		}
	})
}

func TestAcknowledgeAndResolve(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *env) {
		seedIncidents(t, e.srv)
		ctx := context.Background()
		e.srv.Clock.Advance(time.Hour)
		ackAt := e.srv.Clock.Now()
		inc, err := e.responder.Acknowledge(ctx, "3")
		if err != nil || inc.Number != 3 || inc.Status != hypercare.StatusAcknowledged ||
			inc.AcknowledgedAt == nil || !inc.AcknowledgedAt.Equal(ackAt) || !inc.UpdatedAt.Equal(ackAt) {
			t.Fatalf("Acknowledge = %+v, %v", inc, err)
		}

		// Acknowledging again changes nothing, however late.
		e.srv.Clock.Advance(time.Minute)
		again, err := e.responder.Acknowledge(ctx, inc.ID)
		if err != nil || again.AcknowledgedAt == nil || !again.AcknowledgedAt.Equal(ackAt) {
			t.Errorf("repeated Acknowledge = %+v, %v; want unchanged", again, err)
		}

		resolveAt := e.srv.Clock.Now()
		inc, err = e.responder.Resolve(ctx, "3")
		if err != nil || inc.Status != hypercare.StatusResolved || inc.ResolvedAt == nil ||
			!inc.ResolvedAt.Equal(resolveAt) || inc.OpenAlertCount != 0 {
			t.Fatalf("Resolve = %+v, %v", inc, err)
		}
		// The server kept it: a fresh read agrees.
		if got, err := e.viewer.GetIncident(ctx, "3"); err != nil || got.Status != hypercare.StatusResolved {
			t.Errorf("after Resolve, GetIncident = %+v, %v", got, err)
		}

		_, err = e.responder.Acknowledge(ctx, "3")
		apiError(t, err, hypercare.CodeConflict, "incident 3 is already resolved")

		want := []string{"POST /api/v1/incidents/3/acknowledge", "POST /api/v1/incidents/" + inc.ID + "/acknowledge",
			"POST /api/v1/incidents/3/resolve", "POST /api/v1/incidents/3/acknowledge"}
		if log := e.log.take(); !slices.Equal(log, want) {
			t.Errorf("requests %q, want %q", log, want)
		}
	})
}

func TestNotes(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *env) {
		seedIncidents(t, e.srv)
		ctx := context.Background()
		e.srv.Clock.Advance(time.Minute)
		inc, err := e.viewer.GetIncident(ctx, "4")
		if err != nil {
			t.Fatal(err)
		}
		entry, err := e.responder.AddNote(ctx, "4", "  rolled back v42\n")
		if err != nil {
			t.Fatal(err)
		}
		if entry.Type != hypercare.TimelineNote || entry.Message != "rolled back v42" || entry.IncidentID != inc.ID ||
			entry.ID == "" || !entry.At.Equal(e.srv.Clock.Now()) ||
			entry.Actor.Type != hypercare.ActorUser || entry.Actor.Name != "responder" {
			t.Errorf("AddNote = %+v", entry)
		}
		tl, err := e.viewer.IncidentTimeline(ctx, inc.ID, 0)
		if err != nil || len(tl) != 2 || tl[0].Type != hypercare.TimelineTriggered || tl[1].ID != entry.ID {
			t.Errorf("timeline after the note: %+v, %v", tl, err)
		}

		// Validation the server does: the field is named in the details.
		_, err = e.responder.AddNote(ctx, "4", strings.Repeat("x", 10001))
		he := apiError(t, err, hypercare.CodeInvalid, "invalid note")
		if len(he.Details) != 1 || he.Details[0].Field != "message" || !strings.Contains(he.Details[0].Message, "at most 10000") {
			t.Errorf("details %+v", he.Details)
		}
		// Validation the client does first, without a round trip.
		e.log.take()
		_, err = e.responder.AddNote(ctx, "4", " \t")
		apiError(t, err, hypercare.CodeInvalid, "a note needs a message")
		if log := e.log.take(); len(log) != 0 {
			t.Errorf("a blank note was sent: %q", log)
		}
		_, err = e.viewer.AddNote(ctx, "4", "viewers cannot write")
		apiError(t, err, hypercare.CodePermissionDenied, "needs the responder role")
	})
}

func TestIncidentAlerts(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.srv.Send(apitest.Event{RoutingKey: apitest.KeyCheckout, Action: "trigger", DedupKey: "p99",
			Payload: &apitest.Payload{Summary: "p99 latency 2.4s", Source: "web-01", Severity: "warning",
				Component: "nginx", CustomDetails: map[string]any{"region": "eu-west-1"}}})
		first := e.srv.Clock.Now()
		e.srv.Clock.Advance(time.Minute)
		e.srv.Send(apitest.Event{RoutingKey: apitest.KeyCheckout, Action: "trigger", DedupKey: "p99",
			Payload: &apitest.Payload{Summary: "p99 latency 3.1s", Source: "web-01", Severity: "critical"}})
		last := e.srv.Clock.Now()
		e.srv.Trigger(apitest.KeySearch, "other", "Another incident's alert", hypercare.SeverityInfo)

		inc, err := e.responder.Acknowledge(ctx, "1")
		if err != nil {
			t.Fatal(err)
		}
		e.log.take()
		for _, ref := range []string{"1", inc.ID} {
			alerts, err := e.responder.IncidentAlerts(ctx, ref, 0)
			if err != nil || len(alerts) != 1 {
				t.Fatalf("IncidentAlerts(%s) = %+v, %v; want the one alert", ref, alerts, err)
			}
			a := alerts[0]
			// The latest trigger's fields win; the count and times span both.
			if a.IncidentID != inc.ID || a.DedupKey != "p99" || a.ServiceID != apitest.ServiceCheckout ||
				a.Summary != "p99 latency 3.1s" || a.Severity != hypercare.SeverityCritical || a.Source != "web-01" ||
				a.EventCount != 2 || !a.FirstSeenAt.Equal(first) || !a.LastSeenAt.Equal(last) ||
				a.Status != hypercare.StatusAcknowledged || a.AcknowledgedAt == nil || len(a.CustomDetails) != 0 {
				t.Errorf("IncidentAlerts(%s)[0] = %+v", ref, a)
			}
		}
		// Incident 1 was raised to critical by the second trigger.
		if got, err := e.viewer.GetIncident(ctx, "1"); err != nil || got.Severity != hypercare.SeverityCritical {
			t.Errorf("incident 1 after a critical repeat: %+v, %v", got, err)
		}
		want := []string{"GET /api/v1/incidents/1/alerts?limit=100", "GET /api/v1/incidents/" + inc.ID + "/alerts?limit=100"}
		if log := e.log.take(); !slices.Equal(log, want) {
			t.Errorf("requests %q, want %q", log, want)
		}

		e.srv.Send(apitest.Event{RoutingKey: apitest.KeySearch, Action: "trigger", DedupKey: "details",
			Payload: &apitest.Payload{Summary: "with details", Source: "s", Severity: "info",
				CustomDetails: map[string]any{"region": "eu-west-1", "shards": 3}}})
		alerts, err := e.viewer.IncidentAlerts(ctx, "3", 5)
		if err != nil || len(alerts) != 1 || string(alerts[0].CustomDetails) != `{"region":"eu-west-1","shards":3}` {
			t.Errorf("custom details: %+v, %v", alerts, err)
		}
	})
}

func TestIncidentTimelinePages(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.srv.Trigger(apitest.KeyCheckout, "p99", "Checkout latency above SLO", hypercare.SeverityCritical)
		// 104 notes after the "triggered" entry: more than the 100 entries
		// the client asks for per page, so it must follow next_cursor. All
		// share one timestamp; the server orders them by ID.
		e.srv.Clock.Advance(time.Minute)
		const notes = 104
		for i := range notes {
			if _, err := e.responder.AddNote(ctx, "1", fmt.Sprintf("note %d", i+1)); err != nil {
				t.Fatal(err)
			}
		}
		e.srv.Clock.Advance(time.Minute)
		if _, err := e.responder.Resolve(ctx, "1"); err != nil {
			t.Fatal(err)
		}
		e.log.take()

		tl, err := e.viewer.IncidentTimeline(ctx, "1", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(tl) != notes+2 || tl[0].Type != hypercare.TimelineTriggered || tl[1].Message != "note 1" ||
			tl[notes].Message != fmt.Sprintf("note %d", notes) || tl[notes+1].Type != hypercare.TimelineResolved ||
			tl[notes+1].Message != "Resolved by responder" {
			t.Fatalf("timeline has %d entries, want %d in order: triggered, notes, resolved", len(tl), notes+2)
		}
		seen := map[string]bool{}
		for _, entry := range tl {
			if seen[entry.ID] {
				t.Fatalf("entry %s listed twice: pages overlap", entry.ID)
			}
			seen[entry.ID] = true
		}

		five, err := e.viewer.IncidentTimeline(ctx, "1", 5)
		if err != nil || len(five) != 5 || five[4].Message != "note 4" {
			t.Errorf("first 5 entries: %d, %v", len(five), err)
		}
		_, err = e.responder.IncidentTimeline(ctx, "1", 101)
		if err != nil {
			t.Fatal(err)
		}
		log := e.log.take()
		if len(log) != 2 || log[0] != "GET /api/v1/incidents/1/timeline?limit=100" ||
			!strings.HasPrefix(log[1], "GET /api/v1/incidents/1/timeline?cursor=") || !strings.HasSuffix(log[1], "&limit=100") {
			t.Errorf("101 entries took requests %q, want two pages of 100", log)
		}
	})
}

func TestServerErrorsDecoded(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *env) {
		seedIncidents(t, e.srv)
		ctx := context.Background()

		_, err := e.viewer.GetIncident(ctx, "99")
		apiError(t, err, hypercare.CodeNotFound, "incident #99 not found")
		_, err = e.responder.Resolve(ctx, "01KAAAAAAAAAAAAAAAAAAAAAAA")
		apiError(t, err, hypercare.CodeNotFound, "not found")
		_, err = e.viewer.IncidentTimeline(ctx, "99", 0)
		apiError(t, err, hypercare.CodeNotFound, "incident #99 not found")

		_, err = e.viewer.Acknowledge(ctx, "3")
		apiError(t, err, hypercare.CodePermissionDenied, `this action needs the responder role; token "viewer" has viewer`)
		if inc, err := e.viewer.GetIncident(ctx, "3"); err != nil || inc.Status != hypercare.StatusTriggered {
			t.Errorf("a denied acknowledge changed incident 3: %+v, %v", inc, err)
		}

		_, err = client.New(e.srv.URL, "hc_not-a-real-token").ListIncidents(ctx, client.IncidentQuery{})
		apiError(t, err, hypercare.CodeUnauthenticated, "invalid or revoked token")
		_, err = client.New(e.srv.URL, "").GetIncident(ctx, "1")
		apiError(t, err, hypercare.CodeUnauthenticated, "missing bearer token")

		// limit=0 cannot be sent: the client leaves Limit 0 to the
		// server's default. Out of range is the server's to refuse.
		_, err = e.viewer.ListIncidents(ctx, client.IncidentQuery{Limit: 500})
		he := apiError(t, err, hypercare.CodeInvalid, "invalid query")
		if want := []hypercare.FieldError{{Field: "limit", Message: "must be an integer from 1 to 100"}}; !slices.Equal(he.Details, want) {
			t.Errorf("limit details %+v, want %+v", he.Details, want)
		}
		_, err = e.viewer.ListIncidents(ctx, client.IncidentQuery{Statuses: []hypercare.Status{"open"}})
		he = apiError(t, err, hypercare.CodeInvalid, "invalid query")
		if len(he.Details) != 1 || he.Details[0].Field != "status" {
			t.Errorf("status details %+v", he.Details)
		}
		_, err = e.viewer.ListIncidents(ctx, client.IncidentQuery{Cursor: "not a cursor"})
		he = apiError(t, err, hypercare.CodeInvalid, "invalid cursor")
		if len(he.Details) != 1 || he.Details[0].Field != "cursor" {
			t.Errorf("cursor details %+v", he.Details)
		}
		// The error's text is the server's own "code: message".
		if _, err := e.viewer.GetIncident(ctx, "99"); err == nil || err.Error() != "not_found: incident #99 not found" {
			t.Errorf("error text %q", err)
		}
	})
}

// The tests below need no server: they check the client's own validation
// and its robustness against answers Hypercare never gives but a proxy or
// a broken server might.

func TestRefRequired(t *testing.T) {
	c := client.New("http://127.0.0.1:1", "t") // never dialled
	ctx := context.Background()
	_, err := c.GetIncident(ctx, " ")
	apiError(t, err, hypercare.CodeInvalid, "incident ID or number is required")
	_, err = c.IncidentAlerts(ctx, "", 0)
	apiError(t, err, hypercare.CodeInvalid, "incident ID or number is required")
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

func TestNonAPIErrorBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>upstream down</html>", http.StatusBadGateway)
	}))
	defer srv.Close()
	_, err := client.New(srv.URL, "t").GetIncident(context.Background(), "a/b")
	apiError(t, err, hypercare.CodeUnavailable, `GET /api/v1/incidents/a%2Fb: HTTP 502 Bad Gateway with an HTML page ("upstream down")`)
}

func TestTransportAndDecodeErrorsHaveContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"incidents":`))
	}))
	_, err := client.New(srv.URL, "t").ListIncidents(context.Background(), client.IncidentQuery{})
	if err == nil || err.Error() != "GET /api/v1/incidents: the answer was cut off after 13 bytes; try again" {
		t.Errorf("truncated body: err = %v", err)
	}
	srv.Close() // nothing listens any more
	_, err = client.New(srv.URL, "t").Resolve(context.Background(), "7")
	if err == nil || !strings.HasPrefix(err.Error(), "POST /api/v1/incidents/7/resolve: ") || hypercare.ErrorCode(err) != hypercare.CodeInternal {
		t.Errorf("refused connection: err = %v", err)
	}
}

// A proxy's error page is quoted in the error by its text, as one line:
// the CLI prints an error as one line on stderr, and a page's markup,
// newlines (or a hostile one's terminal escapes) must not reach the
// terminal as such.
func TestNonAPIErrorBodyIsOneLine(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html>\r\n<body>\n\t<h1>502 Bad Gateway</h1>\n\x1b[2J<p>nginx</p>\n</body>\n</html>\n"))
	}))
	defer srv.Close()
	_, err := client.New(srv.URL, "t").GetIncident(context.Background(), "7")
	apiError(t, err, hypercare.CodeUnavailable,
		`GET /api/v1/incidents/7: HTTP 502 Bad Gateway with an HTML page ("502 Bad Gateway [2J nginx")`)
}

// A server that never answers is reported as such, not as "context
// deadline exceeded (Client.Timeout exceeded while awaiting headers)".
func TestTimeoutSaysNoAnswer(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	c := client.New(srv.URL, "t", client.WithHTTPClient(&http.Client{Timeout: 50 * time.Millisecond}))
	_, err := c.GetIncident(context.Background(), "7")
	if err == nil || err.Error() != "GET /api/v1/incidents/7: no answer within 50ms" {
		t.Errorf("err = %v", err)
	}
}
