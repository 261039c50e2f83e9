package ingest

import (
	"os"
	"reflect"
	"testing"

	"github.com/hypercare/hypercare"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// summaryOf is the part of an event a table can compare; details and links
// are checked separately.
type summaryOf struct {
	Action                    hypercare.Action
	DedupKey, Summary, Source string
	Severity                  hypercare.Severity
	Timestamp                 string
	Component, Group, Class   string
}

func summarize(e hypercare.Event) summaryOf {
	s := summaryOf{Action: e.Action, DedupKey: e.DedupKey, Summary: e.Summary, Source: e.Source,
		Severity: e.Severity, Component: e.Component, Group: e.Group, Class: e.Class}
	if e.Timestamp != nil {
		s.Timestamp = e.Timestamp.Format("2006-01-02T15:04:05.999999999Z07:00")
	}
	return s
}

func TestParseAlertmanagerGolden(t *testing.T) {
	events, err := ParseAlertmanager(readTestdata(t, "alertmanager_v4.json"))
	if err != nil {
		t.Fatal(PDErrors(err))
	}
	want := []summaryOf{
		{hypercare.ActionTrigger, "3a1f4b2c5d6e7f80", "p99 latency above 2s on web-1", "web-1:9100", "critical",
			"2024-05-01T10:00:00.123456789Z", "checkout", "node", "HighLatency"},
		{hypercare.ActionTrigger, "0b1c2d3e4f5a6b7c", "Disk /var/lib/postgresql on db-1 is 91% full", "db-1:9100", "warning",
			"2024-05-01T07:55:10Z", "", "node", "DiskFilling"},
		{hypercare.ActionTrigger, "9f8e7d6c5b4a3928", "TargetDown (job=blackbox, namespace=monitoring)", "blackbox", "critical",
			"2024-05-01T10:01:00Z", "", "blackbox", "TargetDown"},
		{hypercare.ActionResolve, "1234567890abcdef", "p99 latency above 2s on web-2", "web-2:9100", "critical",
			"2024-05-01T09:58:30.5Z", "checkout", "node", "HighLatency"},
		{hypercare.ActionTrigger, labelsFingerprint(map[string]string{"alertname": "QueueBacklog",
			"component": "worker", "group": "payments", "class": "saturation", "severity": "sev-x"}),
			"Queue backlog growing", "http://alertmanager.example.com:9093", "error",
			"2024-05-01T10:02:00Z", "worker", "payments", "saturation"},
	}
	if len(events) != len(want) {
		t.Fatalf("%d events, want %d", len(events), len(want))
	}
	for i, e := range events {
		if got := summarize(e); got != want[i] {
			t.Errorf("alert %d:\n got  %+v\n want %+v", i, got, want[i])
		}
		if e.Client != "Alertmanager" || e.ClientURL != "http://alertmanager.example.com:9093" {
			t.Errorf("alert %d: client %q %q", i, e.Client, e.ClientURL)
		}
		if e.RoutingKey != "" {
			t.Errorf("alert %d: routing key %q, want empty (the URL carries it)", i, e.RoutingKey)
		}
		if e.GroupTitle != "team=web" { // groupLabels {"team": "web"}
			t.Errorf("alert %d: group title %q, want %q", i, e.GroupTitle, "team=web")
		}
	}
	wantLinks := []hypercare.Link{
		{Href: "http://prometheus:9090/graph?g0.expr=histogram_quantile%280.99%29&g0.tab=1", Text: "Source"},
		{Href: "https://runbooks.example.com/high-latency", Text: "Runbook"},
		{Href: "http://alertmanager.example.com:9093", Text: "Alertmanager"},
	}
	if !reflect.DeepEqual(events[0].Links, wantLinks) {
		t.Errorf("links:\n got  %+v\n want %+v", events[0].Links, wantLinks)
	}
	jsonEqual(t, "details", events[0].CustomDetails, `{
		"status": "firing",
		"labels": {"alertname": "HighLatency", "instance": "web-1:9100", "job": "node", "service": "checkout", "severity": "critical", "team": "web"},
		"annotations": {"summary": "p99 latency above 2s on web-1", "description": "p99 latency is 2.31s", "runbook_url": "https://runbooks.example.com/high-latency"},
		"startsAt": "2024-05-01T10:00:00.123456789Z",
		"generatorURL": "http://prometheus:9090/graph?g0.expr=histogram_quantile%280.99%29&g0.tab=1",
		"fingerprint": "3a1f4b2c5d6e7f80",
		"groupKey": "{}/{team=\"web\"}:{team=\"web\"}",
		"receiver": "hypercare-checkout",
		"externalURL": "http://alertmanager.example.com:9093"
	}`)
	jsonEqual(t, "resolved details", []byte(detailField(t, events[3], "endsAt")), `"2024-05-01T09:58:30.5Z"`)
}

// detailField returns one top-level field of an event's custom details.
func detailField(t *testing.T, e hypercare.Event, name string) string {
	t.Helper()
	var m map[string]any
	mustUnmarshal(t, e.CustomDetails, &m)
	return `"` + m[name].(string) + `"`
}
