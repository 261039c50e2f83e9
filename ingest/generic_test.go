package ingest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
)

func TestParseGenericSingle(t *testing.T) {
	events, err := ParseGeneric([]byte(`{
		"action": "trigger", "dedup_key": "checkout/latency", "summary": "Checkout p99 above 2s",
		"severity": "High", "source": "synthetics-eu", "component": "api", "group": "checkout", "class": "latency",
		"timestamp": "2024-05-01T12:00:00+02:00", "details": {"p99_ms": 2310},
		"links": [{"href": "https://status.example.com", "text": "Status"}, "https://grafana.example.com/d/x"],
		"images": [{"src": "https://img.example.com/p99.png"}]}`))
	if err != nil {
		t.Fatal(PDErrors(err))
	}
	e := events[0]
	jsonEqual(t, "details", e.CustomDetails, `{"p99_ms":2310}`)
	e.CustomDetails = nil
	want := hypercare.Event{
		Action: hypercare.ActionTrigger, DedupKey: "checkout/latency", Summary: "Checkout p99 above 2s",
		Severity: hypercare.SeverityError, Source: "synthetics-eu", Component: "api", Group: "checkout", Class: "latency",
		Timestamp: ts("2024-05-01T10:00:00Z"),
		Links:     []hypercare.Link{{Href: "https://status.example.com", Text: "Status"}, {Href: "https://grafana.example.com/d/x"}},
		Images:    []hypercare.Image{{Src: "https://img.example.com/p99.png"}},
	}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("event:\n got  %+v\n want %+v", e, want)
	}
}

func TestParseGenericShapes(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []summaryOf
	}{
		{"smallest payload: a trigger with defaults", `{"summary":"disk full"}`,
			[]summaryOf{{Action: "trigger", Summary: "disk full", Source: "generic", Severity: "error"}}},
		{"status firing, title, id", `{"status":"FIRING","title":"t","id":"k1","severity":"warn"}`,
			[]summaryOf{{Action: "trigger", DedupKey: "k1", Summary: "t", Source: "generic", Severity: "warning"}}},
		{"status ok resolves", `{"status":"ok","id":"k1"}`,
			[]summaryOf{{Action: "resolve", DedupKey: "k1", Source: "generic"}}},
		{"message as summary, acknowledge", `{"action":"Acknowledge","dedup_key":"k","message":"looking"}`,
			[]summaryOf{{Action: "acknowledge", DedupKey: "k", Summary: "looking", Source: "generic"}}},
		{"dedup_key wins over id", `{"dedup_key":"a","id":"b","summary":"s"}`,
			[]summaryOf{{Action: "trigger", DedupKey: "a", Summary: "s", Source: "generic", Severity: "error"}}},
		{"batch", `{"events":[{"summary":"a","severity":"p1"},{"status":"resolved","id":"x"}]}`,
			[]summaryOf{{Action: "trigger", Summary: "a", Source: "generic", Severity: "critical"},
				{Action: "resolve", DedupKey: "x", Source: "generic"}}},
		{"bare array", `[{"summary":"a"}]`,
			[]summaryOf{{Action: "trigger", Summary: "a", Source: "generic", Severity: "error"}}},
		{"empty batch", `{"events":[]}`, []summaryOf{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events, err := ParseGeneric([]byte(tc.body))
			if err != nil {
				t.Fatal(PDErrors(err))
			}
			got := make([]summaryOf, len(events))
			for i, e := range events {
				got[i] = summarize(e)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("\n got  %+v\n want %+v", got, tc.want)
			}
		})
	}
}

func TestParseGenericInvalid(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []hypercare.FieldError
	}{
		{"no summary", `{"severity":"info"}`, []hypercare.FieldError{
			fe("summary", "'summary' is missing or blank (also accepted: 'title', 'message')")}},
		{"resolve without key", `{"action":"resolve"}`, []hypercare.FieldError{
			fe("dedup_key", "'dedup_key' is missing or blank (also accepted: 'id')")}},
		{"bad words", `{"action":"fire","summary":"s"}`, []hypercare.FieldError{
			fe("action", "'action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')")}},
		{"bad status", `{"status":"pending","summary":"s"}`, []hypercare.FieldError{
			fe("status", "'status' is invalid (must be one of the following: 'firing', 'triggered', 'alerting', "+
				"'problem', 'down', 'acknowledged', 'ack', 'resolved', 'ok', 'recovered' or 'up')")}},
		{"bad severity", `{"summary":"s","severity":"sev2"}`, []hypercare.FieldError{
			fe("severity", "'severity' is invalid (must be one of the following: "+severityWords+")")}},
		{"types", `{"summary":1,"title":"t","dedup_key":[],"id":"` + strings.Repeat("i", 256) + `","timestamp":"now",` +
			`"links":[1,{"href":2}],"images":{},"source":false}`, []hypercare.FieldError{
			fe("dedup_key", "'dedup_key' must be a string"),
			fe("id", "'id' is too long (maximum is 255 characters)"),
			fe("summary", "'summary' must be a string"),
			fe("source", "'source' must be a string"),
			fe("timestamp", "'timestamp' is invalid ("+tsRule+")"),
			fe("links[0]", "'links[0]' must be an object or a string"),
			fe("links[1].href", "'links[1].href' must be a string"),
			fe("images", "'images' must be an array")}},
		{"batch is all or nothing", `{"events":[{"summary":"ok"},7,{"status":"resolved"},{"summary":"x","severity":"nope"}]}`,
			[]hypercare.FieldError{
				fe("events[1]", "'events[1]' must be an object"),
				fe("events[2].dedup_key", "'events[2].dedup_key' is missing or blank (also accepted: 'id')"),
				fe("events[3].severity", "'events[3].severity' is invalid (must be one of the following: "+severityWords+")")}},
		{"bare array paths", `[{"summary":"ok"},{}]`, []hypercare.FieldError{
			fe("[1].summary", "'[1].summary' is missing or blank (also accepted: 'title', 'message')")}},
		{"events not an array", `{"events":{}}`, []hypercare.FieldError{fe("events", "'events' must be an array")}},
		{"not JSON", `{"summary":"x"`, []hypercare.FieldError{fe("body", "JSON parse error at offset 14")}},
		{"scalar body", `42`, []hypercare.FieldError{fe("body", "the request body must be a JSON object")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events, err := ParseGeneric([]byte(tc.body))
			if events != nil {
				t.Errorf("events returned with an error: %+v", events)
			}
			wantProblems(t, err, tc.want...)
		})
	}
}
