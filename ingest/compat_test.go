package ingest

import (
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
)

// Payloads shaped exactly as popular senders emit them must parse cleanly.

func TestGoClientTrigger(t *testing.T) {
	e, err := ParseEventsV2([]byte(goClientTrigger))
	if err != nil {
		t.Fatal(PDErrors(err))
	}
	got := summarize(e)
	want := summaryOf{Action: "trigger", DedupKey: "srv01/mysql", Summary: "DISK at 99% on machine prod-datapipe03.example.com",
		Source: "prod-datapipe03.example.com", Severity: "critical", Timestamp: "2015-07-17T08:42:58.315Z",
		Component: "mysql", Group: "prod-datapipe", Class: "disk"}
	if got != want {
		t.Errorf("\n got  %+v\n want %+v", got, want)
	}
	jsonEqual(t, "details", e.CustomDetails, `{"free space":"1%","ping time":"1500ms","load avg":0.75}`)
}

// alertmanagerPDTrigger is what Alertmanager's pagerduty_configs sender
// posts with a routing_key and default templates (notify/pagerduty).
var alertmanagerPDTrigger = `{"routing_key":"` + testKey + `","dedup_key":"` + strings.Repeat("ab", 32) + `",` +
	`"event_action":"trigger","payload":{"summary":"[FIRING:2] HighLatency (checkout node)","source":"Alertmanager",` +
	`"severity":"error","custom_details":{"firing":"Labels:\n - alertname = HighLatency\n","num_firing":"2",` +
	`"num_resolved":"0","resolved":""}},"client":"Alertmanager",` +
	`"client_url":"http://alertmanager:9093/#/alerts?receiver=pagerduty",` +
	`"images":[{"src":"","alt":"","href":""}],"links":[{"href":"","text":""}]}` + "\n"

func TestAlertmanagerPagerDutySender(t *testing.T) {
	e, err := ParseEventsV2([]byte(alertmanagerPDTrigger))
	if err != nil {
		t.Fatal(PDErrors(err))
	}
	if e.Action != hypercare.ActionTrigger || e.DedupKey != strings.Repeat("ab", 32) || e.Severity != "error" ||
		e.Source != "Alertmanager" || len(e.Images) != 0 || len(e.Links) != 0 {
		t.Errorf("trigger = %+v", e)
	}
	// The matching resolve carries the same payload.
	resolve := strings.Replace(alertmanagerPDTrigger, `"event_action":"trigger"`, `"event_action":"resolve"`, 1)
	e, err = ParseEventsV2([]byte(resolve))
	if err != nil || e.Action != hypercare.ActionResolve || e.DedupKey != strings.Repeat("ab", 32) {
		t.Errorf("resolve = %+v, %v", e, PDErrors(err))
	}
	// With a service_key, Alertmanager speaks v1.
	v1 := `{"service_key":"` + testKey + `","incident_key":"` + strings.Repeat("cd", 32) + `","event_type":"trigger",` +
		`"description":"[FIRING:1] HighLatency","client":"Alertmanager","client_url":"http://alertmanager:9093/#/alerts",` +
		`"details":{"firing":"Labels:\n - alertname = HighLatency\n","num_firing":"1","num_resolved":"0","resolved":""}}`
	e, err = ParseEventsV1([]byte(v1))
	if err != nil || e.Source != "Alertmanager" || e.Severity != "error" || e.Summary != "[FIRING:1] HighLatency" {
		t.Errorf("v1 = %+v, %v", e, PDErrors(err))
	}
}
