package ingest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// goClientTrigger is a trigger shaped like PagerDuty's Go client
// (go-pagerduty V2Event) sends it, with a typical payload.
const goClientTrigger = `{"routing_key":"e93facc04764012d7bfb002500d5d1a6","event_action":"trigger",` +
	`"dedup_key":"srv01/mysql","client":"Sample Monitoring Service","client_url":"https://monitoring.example.com",` +
	`"payload":{"summary":"DISK at 99% on machine prod-datapipe03.example.com","source":"prod-datapipe03.example.com",` +
	`"severity":"critical","timestamp":"2015-07-17T08:42:58.315+0000","component":"mysql","group":"prod-datapipe",` +
	`"class":"disk","custom_details":{"free space":"1%","ping time":"1500ms","load avg":0.75}},` +
	`"links":[{"href":"https://example.com/","text":"Link text"}]}`

func BenchmarkParseEventsV2(b *testing.B) {
	body := []byte(goClientTrigger)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseEventsV2(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPeekRoutingKey is what the API's routing-key peek cost every
// event before it was moved to bodies the parse refuses: one more scan of
// the whole body per accepted event.
func BenchmarkPeekRoutingKey(b *testing.B) {
	body := []byte(goClientTrigger)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := PeekRoutingKey(body, false); !ok {
			b.Fatal("no key")
		}
	}
}

// alertmanagerBatch returns a realistic Alertmanager v4 notification with n
// alerts, half firing and half resolved.
func alertmanagerBatch(n int) []byte {
	var alerts []string
	for i := range n {
		status, ends := "firing", "0001-01-01T00:00:00Z"
		if i%2 == 1 {
			status, ends = "resolved", "2024-05-01T10:20:00.123Z"
		}
		alerts = append(alerts, fmt.Sprintf(`{"status":%q,"labels":{"alertname":"HighLatency","instance":"web-%d:9100",`+
			`"job":"node","severity":"critical","service":"checkout","namespace":"prod"},`+
			`"annotations":{"summary":"p99 latency above 2s on web-%d","description":"p99 latency is 2.3s",`+
			`"runbook_url":"https://runbooks.example.com/high-latency"},"startsAt":"2024-05-01T10:00:00.123456789Z",`+
			`"endsAt":%q,"generatorURL":"http://prometheus:9090/graph?g0.expr=latency&g0.tab=1","fingerprint":"%016x"}`,
			status, i, i, ends, 0xabc0+i))
	}
	return []byte(`{"receiver":"hypercare","status":"firing","alerts":[` + strings.Join(alerts, ",") +
		`],"groupLabels":{"alertname":"HighLatency"},"commonLabels":{"alertname":"HighLatency","job":"node"},` +
		`"commonAnnotations":{},"externalURL":"http://alertmanager:9093","version":"4",` +
		`"groupKey":"{}:{alertname=\"HighLatency\"}","truncatedAlerts":0}`)
}

func BenchmarkParseAlertmanager20(b *testing.B) {
	body := alertmanagerBatch(20)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseAlertmanager(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineStrictUnmarshal is the floor for comparison: one plain
// json.Unmarshal of the same body into a struct of strings, with no
// validation, normalisation or per-field error collection.
func BenchmarkBaselineStrictUnmarshal(b *testing.B) {
	type strict struct {
		RoutingKey, DedupKey, Client string
		Action                       string `json:"event_action"`
		ClientURL                    string `json:"client_url"`
		Payload                      struct {
			Summary, Source, Severity, Timestamp, Component, Group, Class string
			CustomDetails                                                 json.RawMessage `json:"custom_details"`
		}
		Links []struct{ Href, Text string }
	}
	body := []byte(goClientTrigger)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var v strict
		if err := json.Unmarshal(body, &v); err != nil {
			b.Fatal(err)
		}
	}
}

// wrongLabels is an Alertmanager notification of one alert whose n labels
// are all numbers: each one a problem to report, and a set to keep.
func wrongLabels(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"version":"4","alerts":[{"status":"firing","fingerprint":"aaaaaaaaaaaaaaaa","labels":{`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%d":%d`, i, i)
	}
	b.WriteString(`}}]}`)
	return []byte(b.String())
}

// BenchmarkParseWrongLabels is a hostile label set: 100,000 values of the
// wrong type. It must cost in proportion to its size (about 80 ms on this
// machine); this stop's first jmap kept the wrong keys in a list searched
// per member, 12 s for 80,000 (BENCHMARKS.md, "Parsing").
func BenchmarkParseWrongLabels(b *testing.B) {
	body := wrongLabels(100000)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := ParseAlertmanager(body); err == nil {
			b.Fatal("accepted")
		}
	}
}
