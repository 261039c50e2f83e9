package ingest

import (
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
)

const (
	tsRule  = "must be an ISO 8601 date-time such as 2015-07-17T08:42:58.315+0000"
	sevRule = "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')"
	actRule = "'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')"
)

func TestParseEventsV2Invalid(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want []hypercare.FieldError
	}{
		{"empty body", nil, []hypercare.FieldError{fe("body", "the request body is empty (expected a JSON object)")}},
		{"blank body", []byte(" \n\t"), []hypercare.FieldError{fe("body", "the request body is empty (expected a JSON object)")}},
		{"null", []byte("null"), []hypercare.FieldError{fe("body", "the request body must be a JSON object")}},
		{"array", []byte(`[{"event_action":"trigger"}]`), []hypercare.FieldError{fe("body", "the request body must be a JSON object")}},
		{"string", []byte(`"trigger"`), []hypercare.FieldError{fe("body", "the request body must be a JSON object")}},
		{"empty object", []byte(`{}`), []hypercare.FieldError{
			fe("routing_key", "'routing_key' cannot be blank"),
			fe("event_action", "'event_action' is missing or blank")}},
		{"short key with punctuation", mutate(t, openAPITrigger, "routing_key", "abc-123"), []hypercare.FieldError{
			fe("routing_key", "Length of 'routing_key' is incorrect (should be 32 characters)"),
			fe("routing_key", "'routing_key' cannot contain non-alphanumeric characters.")}},
		{"33 character key", mutate(t, openAPITrigger, "routing_key", testKey+"a"), []hypercare.FieldError{
			fe("routing_key", "Length of 'routing_key' is incorrect (should be 32 characters)")}},
		{"32 characters but not ASCII alphanumeric", mutate(t, openAPITrigger, "routing_key", strings.Repeat("é", 32)), []hypercare.FieldError{
			fe("routing_key", "'routing_key' cannot contain non-alphanumeric characters.")}},
		{"key of the wrong type", mutate(t, openAPITrigger, "routing_key", 42), []hypercare.FieldError{
			fe("routing_key", "'routing_key' must be a string")}},
		{"key with NUL", mutate(t, openAPITrigger, "routing_key", strings.Repeat("a", 31)+"\x00"), []hypercare.FieldError{
			fe("routing_key", "'routing_key' must not contain NUL characters or invalid UTF-8")}},
		{"action is case-sensitive", mutate(t, openAPITrigger, "event_action", "Trigger"), []hypercare.FieldError{
			fe("event_action", actRule)}},
		{"action of the wrong type", mutate(t, openAPITrigger, "event_action", true), []hypercare.FieldError{
			fe("event_action", "'event_action' must be a string")}},
		{"acknowledge without dedup key", []byte(`{"routing_key":"` + testKey + `","event_action":"acknowledge"}`), []hypercare.FieldError{
			fe("dedup_key", "'dedup_key' is missing or blank")}},
		{"resolve with blank dedup key", []byte(`{"routing_key":"` + testKey + `","event_action":"resolve","dedup_key":" "}`), []hypercare.FieldError{
			fe("dedup_key", "'dedup_key' is missing or blank")}},
		{"dedup key too long", mutate(t, openAPITrigger, "dedup_key", strings.Repeat("ü", 256)), []hypercare.FieldError{
			fe("dedup_key", "'dedup_key' is too long (maximum is 255 characters)")}},
		{"dedup key with NUL", mutate(t, openAPITrigger, "dedup_key", "a\x00b"), []hypercare.FieldError{
			fe("dedup_key", "'dedup_key' must not contain NUL characters or invalid UTF-8")}},
		{"dedup key with invalid UTF-8",
			[]byte(strings.Replace(openAPITrigger, `"srv01/mysql"`, "\"srv01/\xff\"", 1)), []hypercare.FieldError{
				fe("dedup_key", "'dedup_key' must not contain NUL characters or invalid UTF-8")}},
		{"dedup key with lone surrogate escape",
			[]byte(strings.Replace(openAPITrigger, `"srv01/mysql"`, `"srv01/\ud800"`, 1)), []hypercare.FieldError{
				fe("dedup_key", "'dedup_key' must not contain NUL characters or invalid UTF-8")}},
		{"trigger without payload", mutate(t, openAPITrigger, "payload", del), []hypercare.FieldError{
			fe("payload.summary", "'payload.summary' is missing or blank"),
			fe("payload.source", "'payload.source' is missing or blank"),
			fe("payload.severity", "'payload.severity' is missing or blank")}},
		{"payload of the wrong type", mutate(t, openAPITrigger, "payload", "disk full"), []hypercare.FieldError{
			fe("payload", "'payload' must be an object")}},
		{"payload is an array", mutate(t, openAPITrigger, "payload", raw(`[{"summary":"x"}]`)), []hypercare.FieldError{
			fe("payload", "'payload' must be an object")}},
		{"every payload problem at once",
			mutate(t, openAPITrigger, "payload.summary", 7, "payload.source", "  ", "payload.severity", "Critical",
				"payload.timestamp", "yesterday", "payload.component", false, "payload.group", raw(`{}`), "payload.class", raw(`[]`)),
			[]hypercare.FieldError{
				fe("payload.summary", "'payload.summary' must be a string"),
				fe("payload.source", "'payload.source' is missing or blank"),
				fe("payload.severity", sevRule),
				fe("payload.timestamp", "'payload.timestamp' is invalid ("+tsRule+")"),
				fe("payload.component", "'payload.component' must be a string"),
				fe("payload.group", "'payload.group' must be a string"),
				fe("payload.class", "'payload.class' must be a string")}},
		{"summary too long", mutate(t, openAPITrigger, "payload.summary", strings.Repeat("é", 1025)), []hypercare.FieldError{
			fe("payload.summary", "'payload.summary' is too long (maximum is 1024 characters)")}},
		{"timestamp out of range", mutate(t, openAPITrigger, "payload.timestamp", "2015-13-45T08:42:58Z"), []hypercare.FieldError{
			fe("payload.timestamp", "'payload.timestamp' is invalid ("+tsRule+")")}},
		{"context fields of the wrong types",
			mutate(t, openAPITrigger, "client", 1, "client_url", raw(`{}`), "links", "x", "images", raw(`[1,{"src":2}]`)),
			[]hypercare.FieldError{
				fe("client", "'client' must be a string"),
				fe("client_url", "'client_url' must be a string"),
				fe("links", "'links' must be an array"),
				fe("images[0]", "'images[0]' must be an object"),
				fe("images[1].src", "'images[1].src' must be a string")}},
		{"link elements of the wrong type", mutate(t, openAPITrigger, "links", raw(`[{"href":"h","text":3},"x"]`)),
			[]hypercare.FieldError{
				fe("links[0].text", "'links[0].text' must be a string"),
				fe("links[1]", "'links[1]' must be an object")}},
		{"everything wrong at once", []byte(`{"routing_key":"x","event_action":"explode","dedup_key":5,"links":{}}`),
			[]hypercare.FieldError{
				fe("routing_key", "Length of 'routing_key' is incorrect (should be 32 characters)"),
				fe("event_action", actRule),
				fe("dedup_key", "'dedup_key' must be a string"),
				fe("links", "'links' must be an array")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := ParseEventsV2(tc.body)
			if err == nil {
				t.Fatalf("no error, event %+v", e)
			}
			wantProblems(t, err, tc.want...)
			if !isZeroEvent(e) {
				t.Errorf("event not zero on error: %+v", e)
			}
		})
	}
}

func isZeroEvent(e hypercare.Event) bool {
	return e.RoutingKey == "" && e.Action == "" && e.Summary == "" && e.CustomDetails == nil && e.Links == nil
}

func TestParseEventsV2Unparseable(t *testing.T) {
	for _, body := range []string{`{`, `{"routing_key":}`, `{"a":1}x`, "{\"a\":\"\x00\"}", `nul`} {
		_, err := ParseEventsV2([]byte(body))
		wantProblems(t, err, fe("body", "JSON parse error"))
		if r := PDErrorResponse(err); r.Status != "Unrecognized object" || r.Message != MessageUnrecognized {
			t.Errorf("%q: envelope %+v", body, r)
		}
	}
}
