package ingest

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// docsChange is the example of PagerDuty's "Send a Change Event" page.
const docsChange = `{
  "routing_key": "e93facc04764012d7bfb002500d5d1a6",
  "payload": {
    "summary": "Build Success: Increase snapshot create timeout to 30 seconds",
    "timestamp": "2020-07-17T08:42:58.315+0000",
    "source": "acme-build-pipeline-tool-default-i-9999",
    "custom_details": {"build_state": "passed", "build_number": "2", "run_time": "1236s"}
  },
  "links": [{"href": "https://acme.pagerduty.dev/build/2", "text": "View more details in Acme!"}]
}`

func TestParseChangeV2(t *testing.T) {
	key, c, err := ParseChangeV2([]byte(docsChange))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "routing key", key, testKey)
	want := hypercare.ChangeEvent{
		Summary:       "Build Success: Increase snapshot create timeout to 30 seconds",
		Source:        "acme-build-pipeline-tool-default-i-9999",
		Timestamp:     time.Date(2020, 7, 17, 8, 42, 58, 315e6, time.UTC),
		CustomDetails: c.CustomDetails,
		Links:         []hypercare.Link{{Href: "https://acme.pagerduty.dev/build/2", Text: "View more details in Acme!"}},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("change:\n got  %+v\n want %+v", c, want)
	}
	jsonEqual(t, "details", c.CustomDetails, `{"build_state":"passed","build_number":"2","run_time":"1236s"}`)

	// Only summary is required; a missing timestamp stays zero for the caller.
	_, c, err = ParseChangeV2([]byte(`{"routing_key":"` + testKey + `","payload":{"summary":"deploy"}}`))
	if err != nil || c.Summary != "deploy" || !c.Timestamp.IsZero() || c.Source != "" {
		t.Errorf("minimal change = %+v, %v", c, err)
	}
}

func TestParseChangeV2Invalid(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want []hypercare.FieldError
	}{
		{"empty object", []byte(`{}`), []hypercare.FieldError{
			fe("routing_key", "'routing_key' cannot be blank"),
			fe("payload.summary", "'payload.summary' is missing or blank")}},
		{"payload not an object", mutate(t, docsChange, "payload", 1), []hypercare.FieldError{
			fe("payload", "'payload' must be an object")}},
		{"field problems", mutate(t, docsChange, "routing_key", "short", "payload.summary", strings.Repeat("x", 1025),
			"payload.source", 3, "payload.timestamp", "soon", "links", raw(`[1]`)),
			[]hypercare.FieldError{
				fe("routing_key", "Length of 'routing_key' is incorrect (should be 32 characters)"),
				fe("payload.summary", "'payload.summary' is too long (maximum is 1024 characters)"),
				fe("payload.source", "'payload.source' must be a string"),
				fe("payload.timestamp", "'payload.timestamp' is invalid ("+tsRule+")"),
				fe("links[0]", "'links[0]' must be an object")}},
		{"not JSON", []byte(`{"routing_key"`), []hypercare.FieldError{fe("body", "JSON parse error")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key, c, err := ParseChangeV2(tc.body)
			wantProblems(t, err, tc.want...)
			if key != "" || c.Summary != "" {
				t.Errorf("results not zero on error: %q %+v", key, c)
			}
		})
	}
}
