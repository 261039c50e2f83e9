package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
)

// TestBodyTypeErrorsSpeakJSON: a request body field of the wrong JSON type
// is refused naming the field and the JSON type it must be, and a body
// that is not an object at all says so. The answers used to name Go types
// ("must be a hypercare.Role", "must be a int", "must be a struct {
// Message string "json:\"message\"" }") and, for a non-object body, a
// field "" that names nothing.
func TestBodyTypeErrorsSpeakJSON(t *testing.T) {
	e := newEnv(t, storetestEngines(t)[0].Open(t), 0)
	e.send(trigger(keyCheckout, "disk", "disk full"))
	for _, tc := range []struct {
		path, token, body string
		field, message    string
	}{
		{"/api/v1/incidents/1/notes", e.responder, `[]`, "", "request body must be a JSON object"},
		{"/api/v1/incidents/1/notes", e.responder, `"note"`, "", "request body must be a JSON object"},
		{"/api/v1/incidents/1/acknowledge", e.responder, `5`, "", "request body must be a JSON object"},
		{"/api/v1/incidents/1/notes", e.responder, `{"message":5}`, "message", "must be a string"},
		{"/api/v1/tokens", e.admin, `{"name":"ci","role":5}`, "role", "must be a string"},
		{"/api/v1/incidents/1/escalate", e.responder, `{"level":1.5}`, "level", "must be an integer"},
		{"/api/v1/incidents/1/escalate", e.responder, `{"level":"2"}`, "level", "must be an integer"},
		{"/api/v1/incidents/1/merge", e.responder, `{"incidents":"2"}`, "incidents", "must be an array"},
		{"/api/v1/incidents/1/feedback", e.responder, `{"verdict":true}`, "verdict", "must be a string"},
	} {
		var out struct {
			Error struct {
				Code    string                 `json:"code"`
				Message string                 `json:"message"`
				Details []hypercare.FieldError `json:"details"`
			} `json:"error"`
		}
		code := e.do("POST", tc.path, tc.token, tc.body, &out)
		ok := code == http.StatusBadRequest && out.Error.Code == "invalid_argument"
		if tc.field == "" {
			ok = ok && out.Error.Message == tc.message && len(out.Error.Details) == 0
		} else {
			ok = ok && len(out.Error.Details) == 1 && out.Error.Details[0].Field == tc.field &&
				out.Error.Details[0].Message == tc.message
		}
		if !ok || strings.Contains(out.Error.Message+" "+detailText(out.Error.Details), "hypercare.") {
			t.Errorf("POST %s %s: %d %+v, want 400 %q %q", tc.path, tc.body, code, out.Error, tc.field, tc.message)
		}
	}
}

func detailText(list []hypercare.FieldError) string {
	var b strings.Builder
	for _, d := range list {
		b.WriteString(d.Field + ": " + d.Message + "; ")
	}
	return b.String()
}

// TestBodyWithMoreAfterTheObjectIsRefused: a body of two objects, or an
// object and stray text, is refused; it used to be answered as if only
// the first object had been sent (two notes pasted as one request added
// the first and dropped the second without a word).
func TestBodyWithMoreAfterTheObjectIsRefused(t *testing.T) {
	e := newEnv(t, storetestEngines(t)[0].Open(t), 0)
	e.send(trigger(keyCheckout, "disk", "disk full"))
	for _, body := range []string{`{"message":"a"}{"message":"b"}`, `{"message":"a"} x`, `{"message":"a"}]`} {
		var out struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if code := e.do("POST", "/api/v1/incidents/1/notes", e.responder, body, &out); code != http.StatusBadRequest ||
			out.Error.Code != "invalid_argument" || !strings.Contains(out.Error.Message, "not valid JSON") {
			t.Errorf("POST notes %s: %d %+v, want 400 invalid_argument", body, code, out.Error)
		}
	}
	for _, body := range []string{`{"message":"a"}`, "{\"message\":\"a\"}\n", "  {\"message\":\"a\"}  \r\n"} {
		if code := e.do("POST", "/api/v1/incidents/1/notes", e.responder, body, nil); code != http.StatusCreated {
			t.Errorf("POST notes %q: %d, want 201", body, code)
		}
	}
}
