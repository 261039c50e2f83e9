package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hypercare/hypercare"
)

type apiError struct {
	Error struct {
		Code    string                 `json:"code"`
		Message string                 `json:"message"`
		Details []hypercare.FieldError `json:"details"`
	} `json:"error"`
}

func TestAuthAndRoles(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		e.send(trigger(keyCheckout, "k", "something broke"))
		var out apiError
		if code := e.do("GET", "/api/v1/incidents", "", nil, &out); code != 401 || out.Error.Code != "unauthenticated" {
			t.Fatalf("no token: %d %+v", code, out)
		}
		if code := e.do("GET", "/api/v1/incidents", "hc_wrong", nil, &out); code != 401 {
			t.Fatalf("bad token: %d", code)
		}
		if code := e.do("POST", "/api/v1/incidents/1/acknowledge", e.viewer, nil, &out); code != 403 || out.Error.Code != "permission_denied" {
			t.Fatalf("viewer ack: %d %+v", code, out)
		}
		if code := e.do("GET", "/api/v1/tokens", e.responder, nil, &out); code != 403 {
			t.Fatalf("responder lists tokens: %d", code)
		}
		var toks struct {
			Tokens []map[string]any `json:"tokens"`
		}
		if code := e.do("GET", "/api/v1/tokens", e.admin, nil, &toks); code != 200 || len(toks.Tokens) != 3 {
			t.Fatalf("admin lists tokens: %d %+v", code, toks)
		}
		for _, tok := range toks.Tokens {
			for k := range tok {
				if k == "hash" || k == "secret" {
					t.Fatalf("token listing leaks %q", k)
				}
			}
		}
		var created struct {
			Secret string `json:"secret"`
		}
		if code := e.do("POST", "/api/v1/tokens", e.admin, map[string]string{"name": "ci", "role": "viewer"}, &created); code != 201 {
			t.Fatalf("create token: %d", code)
		}
		if code := e.do("GET", "/api/v1/incidents", created.Secret, nil, nil); code != 200 {
			t.Fatalf("new token: %d", code)
		}
		if code := e.do("POST", "/api/v1/tokens", e.admin, map[string]string{"name": "", "role": "god"}, &out); code != 400 || len(out.Error.Details) != 2 {
			t.Fatalf("bad token request: %d %+v", code, out)
		}
	})
}

func TestResponderActions(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		e.send(trigger(keyCheckout, "a", "Payment failures"))
		var got struct {
			Incident hypercare.Incident `json:"incident"`
		}
		if code := e.do("POST", "/api/v1/incidents/1/acknowledge", e.responder, nil, &got); code != 200 || got.Incident.Status != hypercare.StatusAcknowledged {
			t.Fatalf("ack: %d %+v", code, got)
		}
		if code := e.do("POST", "/api/v1/incidents/"+got.Incident.ID+"/acknowledge", e.responder, nil, &got); code != 200 {
			t.Fatalf("repeat ack by id: %d", code)
		}
		var note struct {
			Entry hypercare.TimelineEntry `json:"timeline_entry"`
		}
		if code := e.do("POST", "/api/v1/incidents/1/notes", e.responder, map[string]string{"message": "Rolling back v2.3.1"}, &note); code != 201 || note.Entry.Actor.Name != "alice" {
			t.Fatalf("note: %d %+v", code, note)
		}
		var bad apiError
		if code := e.do("POST", "/api/v1/incidents/1/notes", e.responder, map[string]string{"message": " "}, &bad); code != 400 || bad.Error.Details[0].Field != "message" {
			t.Fatalf("empty note: %d %+v", code, bad)
		}
		if code := e.do("POST", "/api/v1/incidents/1/notes", e.responder, map[string]any{"msg": "x"}, &bad); code != 400 || bad.Error.Details[0].Field != "msg" {
			t.Fatalf("unknown field: %d %+v", code, bad)
		}
		if code := e.do("POST", "/api/v1/incidents/1/resolve", e.responder, nil, &got); code != 200 || got.Incident.Status != hypercare.StatusResolved {
			t.Fatalf("resolve: %d %+v", code, got)
		}
		if al := e.alerts("?incident=" + got.Incident.ID); al[0].Status != hypercare.StatusResolved {
			t.Fatalf("resolving the incident left its alert %s", al[0].Status)
		}
		if code := e.do("POST", "/api/v1/incidents/1/acknowledge", e.responder, nil, &bad); code != 409 || bad.Error.Code != "conflict" {
			t.Fatalf("ack resolved: %d %+v", code, bad)
		}
		if code := e.do("POST", "/api/v1/incidents/1/resolve", e.responder, nil, nil); code != 200 {
			t.Fatalf("repeat resolve: %d", code)
		}
		types := entryTypes(e.timeline("1"))
		want := "triggered,acknowledged,note,resolved"
		if fmt.Sprint(types) != fmt.Sprint([]string{"triggered", "acknowledged", "note", "resolved"}) {
			t.Fatalf("timeline %v, want %s (idempotent repeats write nothing)", types, want)
		}
		// The resolved alert's key opens a new incident on the next trigger.
		e.send(trigger(keyCheckout, "a", "Payment failures again"))
		if n := len(e.incidents("?status=triggered")); n != 1 {
			t.Fatalf("want a new triggered incident, got %d", n)
		}
		if code := e.do("GET", "/api/v1/incidents/999", e.viewer, nil, &bad); code != 404 || bad.Error.Code != "not_found" {
			t.Fatalf("missing incident: %d %+v", code, bad)
		}
	})
}

func TestListingFiltersAndPagination(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		for i := 0; i < 7; i++ {
			e.send(trigger(keyCheckout, fmt.Sprintf("k%d", i), fmt.Sprintf("problem %d", i)))
		}
		e.send(trigger(keySearch, "s", "search problem"))
		e.send(action(keyCheckout, "resolve", "k0"))

		seen := map[int64]bool{}
		cursor := ""
		for pages := 0; ; pages++ {
			var page incidentList
			e.do("GET", "/api/v1/incidents?limit=3&service=checkout&cursor="+cursor, e.viewer, nil, &page)
			for _, inc := range page.Incidents {
				if seen[inc.Number] || inc.ServiceID != "checkout" {
					t.Fatalf("page repeats or leaks: %+v", inc)
				}
				seen[inc.Number] = true
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
		}
		if len(seen) != 7 {
			t.Fatalf("walked %d checkout incidents, want 7", len(seen))
		}
		if n := len(e.incidents("?status=triggered,acknowledged")); n != 7 {
			t.Fatalf("open incidents: %d", n)
		}
		var bad apiError
		for _, q := range []string{"?status=open", "?limit=0", "?limit=1000", "?limit=x"} {
			if code := e.do("GET", "/api/v1/incidents"+q, e.viewer, nil, &bad); code != 400 || len(bad.Error.Details) != 1 {
				t.Errorf("%s: %d %+v", q, code, bad)
			}
		}
		var svcs struct {
			Services []hypercare.Service `json:"services"`
		}
		if e.do("GET", "/api/v1/services", e.viewer, nil, &svcs); len(svcs.Services) != 2 {
			t.Fatalf("services: %+v", svcs)
		}
		var events struct {
			Events []hypercare.EventRecord `json:"events"`
		}
		if e.do("GET", "/api/v1/events?limit=100", e.viewer, nil, &events); len(events.Events) != 9 {
			t.Fatalf("event log has %d entries, want 9", len(events.Events))
		}
		if code := e.do("GET", "/api/v1/nope", e.viewer, nil, &bad); code != http.StatusNotFound || bad.Error.Code != "not_found" {
			t.Fatalf("unknown path: %d %+v", code, bad)
		}
	})
}
