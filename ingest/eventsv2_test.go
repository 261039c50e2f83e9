package ingest

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

const testKey = "e93facc04764012d7bfb002500d5d1a6"

// openAPITrigger is the example request of PagerDuty's Events API v2
// OpenAPI file.
const openAPITrigger = `{
  "payload": {
    "summary": "DISK at 99% on machine prod-datapipe03.example.com",
    "timestamp": "2015-07-17T08:42:58.315+0000",
    "severity": "critical",
    "source": "prod-datapipe03.example.com",
    "component": "mysql",
    "group": "prod-datapipe",
    "class": "disk",
    "custom_details": {"free space": "1%", "ping time": "1500ms", "load avg": 0.75}
  },
  "routing_key": "e93facc04764012d7bfb002500d5d1a6",
  "dedup_key": "srv01/mysql",
  "event_action": "trigger",
  "client": "Sample Monitoring Service",
  "client_url": "https://monitoring.service.com",
  "links": [{"href": "http://pagerduty.example.com", "text": "An example link."}],
  "images": [{"src": "https://chart.example.com/c.png", "href": "https://google.com", "alt": "An example link with an image"}]
}`

func ts(s string) *time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func TestParseEventsV2OpenAPIExample(t *testing.T) {
	e, err := ParseEventsV2([]byte(openAPITrigger))
	if err != nil {
		t.Fatal(err)
	}
	details := e.CustomDetails
	e.CustomDetails = nil
	want := hypercare.Event{
		RoutingKey: testKey, Action: hypercare.ActionTrigger, DedupKey: "srv01/mysql",
		Summary: "DISK at 99% on machine prod-datapipe03.example.com", Source: "prod-datapipe03.example.com",
		Severity: hypercare.SeverityCritical, Timestamp: ts("2015-07-17T08:42:58.315Z"),
		Component: "mysql", Group: "prod-datapipe", Class: "disk",
		Links:  []hypercare.Link{{Href: "http://pagerduty.example.com", Text: "An example link."}},
		Images: []hypercare.Image{{Src: "https://chart.example.com/c.png", Href: "https://google.com", Alt: "An example link with an image"}},
		Client: "Sample Monitoring Service", ClientURL: "https://monitoring.service.com",
	}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("event:\n got  %+v\n want %+v", e, want)
	}
	if e.Timestamp.Location() != time.UTC {
		t.Errorf("timestamp location = %v, want UTC", e.Timestamp.Location())
	}
	// Custom details are kept verbatim, formatting included.
	if got := string(details); got != `{"free space": "1%", "ping time": "1500ms", "load avg": 0.75}` {
		t.Errorf("custom details = %s", got)
	}
}

func TestParseEventsV2Valid(t *testing.T) {
	tests := []struct {
		name  string
		body  []byte
		check func(t *testing.T, e hypercare.Event)
	}{
		{"trigger without dedup key leaves it empty for intake",
			mutate(t, openAPITrigger, "dedup_key", del),
			func(t *testing.T, e hypercare.Event) { eq(t, "dedup key", e.DedupKey, "") }},
		{"blank dedup key counts as absent",
			mutate(t, openAPITrigger, "dedup_key", "   "),
			func(t *testing.T, e hypercare.Event) { eq(t, "dedup key", e.DedupKey, "") }},
		{"acknowledge needs only key and dedup key",
			[]byte(`{"routing_key":"` + testKey + `","event_action":"acknowledge","dedup_key":"srv01/mysql"}`),
			func(t *testing.T, e hypercare.Event) {
				eq(t, "action", e.Action, hypercare.ActionAcknowledge)
				eq(t, "dedup key", e.DedupKey, "srv01/mysql")
				eq(t, "severity", e.Severity, "")
			}},
		{"resolve ignores an unusable payload (Alertmanager sends one)",
			[]byte(`{"routing_key":"` + testKey + `","event_action":"resolve","dedup_key":"k",` +
				`"payload":{"summary":"[RESOLVED] x","source":"Alertmanager","severity":"{{ .Labels.severity }}","timestamp":7}}`),
			func(t *testing.T, e hypercare.Event) {
				eq(t, "action", e.Action, hypercare.ActionResolve)
				eq(t, "summary", e.Summary, "[RESOLVED] x")
				eq(t, "severity", e.Severity, "")
				if e.Timestamp != nil {
					t.Errorf("timestamp = %v, want nil", e.Timestamp)
				}
			}},
		{"unknown fields are ignored",
			mutate(t, openAPITrigger, "extra", 1, "payload.extra", []int{1}),
			func(t *testing.T, e hypercare.Event) {
				eq(t, "summary", e.Summary, "DISK at 99% on machine prod-datapipe03.example.com")
			}},
		{"null optional fields count as absent",
			mutate(t, openAPITrigger, "dedup_key", nil, "links", nil, "payload.component", nil, "payload.custom_details", nil),
			func(t *testing.T, e hypercare.Event) {
				if e.DedupKey != "" || e.Links != nil || e.Component != "" || e.CustomDetails != nil {
					t.Errorf("nulls not treated as absent: %+v", e)
				}
			}},
		{"custom details of any JSON type are kept",
			mutate(t, openAPITrigger, "payload.custom_details", raw(`"just text"`)),
			func(t *testing.T, e hypercare.Event) { eq(t, "details", string(e.CustomDetails), `"just text"`) }},
		{"free text is trimmed and NUL replaced",
			mutate(t, openAPITrigger, "payload.summary", "  disk\x00full \n", "payload.source", "\thost "),
			func(t *testing.T, e hypercare.Event) {
				eq(t, "summary", e.Summary, "disk\uFFFDfull")
				eq(t, "source", e.Source, "host")
			}},
		{"summary of exactly 1024 characters, multi-byte",
			mutate(t, openAPITrigger, "payload.summary", strings.Repeat("é", 1024)),
			func(t *testing.T, e hypercare.Event) { eq(t, "summary runes", runeLen(e.Summary), 1024) }},
		{"dedup key of exactly 255 characters, multi-byte",
			mutate(t, openAPITrigger, "dedup_key", strings.Repeat("ü", 255)),
			func(t *testing.T, e hypercare.Event) { eq(t, "dedup key runes", runeLen(e.DedupKey), 255) }},
		{"links without href and images without src are dropped",
			mutate(t, openAPITrigger, "links", raw(`[{"href":"","text":""},{"href":"https://a"}]`),
				"images", raw(`[{"src":"","alt":"","href":""}]`)),
			func(t *testing.T, e hypercare.Event) {
				eq(t, "links", len(e.Links), 1)
				eq(t, "images", len(e.Images), 0)
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := ParseEventsV2(tc.body)
			if err != nil {
				t.Fatalf("unexpected error: %v %q", err, PDErrors(err))
			}
			tc.check(t, e)
		})
	}
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestParseEventsV2Timestamps(t *testing.T) {
	for in, want := range map[string]string{
		"2015-07-17T08:42:58.315+0000":  "2015-07-17T08:42:58.315Z",
		"2015-07-17T08:42:58Z":          "2015-07-17T08:42:58Z",
		"2015-07-17T10:42:58.5+02:00":   "2015-07-17T08:42:58.5Z",
		"2015-07-17T03:42:58-0500":      "2015-07-17T08:42:58Z",
		"2015-07-17T10:42:58+02":        "2015-07-17T08:42:58Z",
		"2015-07-17T08:42:58":           "2015-07-17T08:42:58Z",
		"2015-07-17 08:42:58":           "2015-07-17T08:42:58Z",
		"2015-07-17 10:42:58+02:00":     "2015-07-17T08:42:58Z",
		"2015-07-17 08:42:58.1+0000":    "2015-07-17T08:42:58.1Z",
		" 2015-07-17T08:42:58.123456Z ": "2015-07-17T08:42:58.123456Z",
	} {
		e, err := ParseEventsV2(mutate(t, openAPITrigger, "payload.timestamp", in))
		if err != nil {
			t.Errorf("%q: %v", in, PDErrors(err))
			continue
		}
		if !e.Timestamp.Equal(*ts(want)) || e.Timestamp.Location() != time.UTC {
			t.Errorf("%q: got %v, want %s in UTC", in, e.Timestamp, want)
		}
	}
}
