package ingest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
)

// v1Example is the example request of PagerDuty's Events API v1 OpenAPI file.
const v1Example = `{
  "service_key": "e93facc04764012d7bfb002500d5d1a6",
  "incident_key": "srv01/HTTP",
  "event_type": "trigger",
  "description": "FAILURE for production/HTTP on machine srv01.acme.com",
  "client": "Sample Monitoring Service",
  "client_url": "https://monitoring.service.com",
  "details": {"ping time": "1500ms", "load avg": 0.75},
  "contexts": [
    {"type": "link", "href": "http://acme.pagerduty.com"},
    {"type": "link", "href": "http://acme.pagerduty.com", "text": "View the incident on PagerDuty"},
    {"type": "image", "src": "https://chart.example.com/c.png", "text": "A chart"},
    {"type": "image", "src": "https://chart.example.com/d.png", "href": "https://google.com", "alt": "Alt"}
  ]
}`

func TestParseEventsV1(t *testing.T) {
	e, err := ParseEventsV1([]byte(v1Example))
	if err != nil {
		t.Fatal(PDErrors(err))
	}
	jsonEqual(t, "details", e.CustomDetails, `{"ping time":"1500ms","load avg":0.75}`)
	e.CustomDetails = nil
	want := hypercare.Event{
		RoutingKey: testKey, Action: hypercare.ActionTrigger, DedupKey: "srv01/HTTP",
		Summary: "FAILURE for production/HTTP on machine srv01.acme.com", Source: "Sample Monitoring Service",
		Severity: hypercare.SeverityError, Client: "Sample Monitoring Service", ClientURL: "https://monitoring.service.com",
		Links: []hypercare.Link{{Href: "http://acme.pagerduty.com"},
			{Href: "http://acme.pagerduty.com", Text: "View the incident on PagerDuty"}},
		Images: []hypercare.Image{{Src: "https://chart.example.com/c.png", Alt: "A chart"},
			{Src: "https://chart.example.com/d.png", Href: "https://google.com", Alt: "Alt"}},
	}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("event:\n got  %+v\n want %+v", e, want)
	}
}

func TestParseEventsV1Defaults(t *testing.T) {
	// Alertmanager's v1 sender: no client on resolve, details as strings.
	e, err := ParseEventsV1([]byte(`{"service_key":"` + testKey + `","event_type":"resolve","incident_key":"k",` +
		`"description":"[RESOLVED] x","details":{"firing":"","num_firing":"0"}}`))
	if err != nil {
		t.Fatal(PDErrors(err))
	}
	eq(t, "action", e.Action, hypercare.ActionResolve)
	eq(t, "source", e.Source, "events-v1")
	eq(t, "severity", e.Severity, "")
	// Only triggers need a description.
	if _, err := ParseEventsV1([]byte(`{"service_key":"` + testKey + `","event_type":"acknowledge","incident_key":"k"}`)); err != nil {
		t.Errorf("acknowledge: %v", PDErrors(err))
	}
}

func TestParseEventsV1Invalid(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want []hypercare.FieldError
	}{
		{"empty object", []byte(`{}`), []hypercare.FieldError{
			fe("service_key", "Service key can't be blank"),
			fe("event_type", "'event_type' is missing or blank")}},
		{"bad key and type", mutate(t, v1Example, "service_key", "abc!", "event_type", "open"), []hypercare.FieldError{
			fe("service_key", "Service key is the wrong length (should be 32 characters)"),
			fe("service_key", "Service key cannot contain non-alphanumeric characters."),
			fe("event_type", "'event_type' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')")}},
		{"trigger without description", mutate(t, v1Example, "description", " "), []hypercare.FieldError{
			fe("description", "Description is missing or blank")}},
		{"description too long", mutate(t, v1Example, "description", strings.Repeat("ж", 1025)), []hypercare.FieldError{
			fe("description", "Description is too long (maximum is 1024 characters)")}},
		{"resolve without incident key", mutate(t, v1Example, "event_type", "resolve", "incident_key", del), []hypercare.FieldError{
			fe("incident_key", "'incident_key' is missing or blank")}},
		{"contexts problems", mutate(t, v1Example, "contexts", raw(`[{"type":"video"},3,{"type":"link","href":1}]`)),
			[]hypercare.FieldError{
				fe("contexts[0].type", "'contexts[0].type' is invalid (must be 'link' or 'image')"),
				fe("contexts[1]", "'contexts[1]' must be an object"),
				fe("contexts[2].href", "'contexts[2].href' must be a string")}},
		{"types", mutate(t, v1Example, "incident_key", 1, "client", raw(`[]`), "contexts", "x"), []hypercare.FieldError{
			fe("incident_key", "'incident_key' must be a string"),
			fe("client", "'client' must be a string"),
			fe("contexts", "'contexts' must be an array")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseEventsV1(tc.body)
			wantProblems(t, err, tc.want...)
		})
	}
}
