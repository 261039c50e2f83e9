package ingest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// webhookAlertCases are alerts as Alertmanager and Grafana send them, and
// the shapes a lenient decoder must survive.
func webhookAlertCases() []string {
	cases := []string{
		`{}`, ` { } `,
		`{"STATUS":"firing","Labels":{"a":"b"},"startsat":"2024-05-01T10:00:00Z","unknown":{"x":[1,"}"]}}`,
		`{"status":"firing","status":"resolved","labels":{"a":"1"},"labels":null}`,
		`{"status":1,"labels":"x","annotations":[1],"fingerprint":null,"values":null,"valueString":true}`,
		`{"values":{"A":1.5,"B":[1,2]},"imageURL":"https://g.example/i.png","panelURL":"p","dashboardURL":"d","silenceURL":"s"}`,
		`{"st\u0061tus":"resolved","status":"firing"}`,
		`{"status":"firing","\u0073tatus":"resolved"}`,
		`{"ſtatus":"firing"}`, `{"endsAt":"x","ENDSAT":"y"}`,
		`{"a-very-long-unknown-key-name":"v","generatorURL":"http://p:9090/graph?g0.expr=up"}`,
		"{\"annotations\":{\"summary\":\"bad \xff utf8\",\"d\":\"\\u2028\"},\"fingerprint\":\"\xfe\"}",
		"{ \"status\" :\n\t\"firing\" , \"labels\" : { \"k\" : \"v\" } }",
	}
	var batch struct{ Alerts []json.RawMessage }
	if err := json.Unmarshal(alertmanagerBatch(3), &batch); err != nil {
		panic(err)
	}
	for _, a := range batch.Alerts {
		cases = append(cases, string(a))
	}
	return cases
}

// TestWebhookAlertWalk: the walk reads an alert as encoding/json does, or
// gives up; the parse as a whole is unchanged either way.
func TestWebhookAlertWalk(t *testing.T) {
	gaveUp := 0
	for _, c := range webhookAlertCases() {
		if !checkWalk(t, c) {
			gaveUp++
		}
	}
	if gaveUp != 3 { // the two escaped keys and the non-ASCII one
		t.Errorf("the walk gave up on %d cases, want 3", gaveUp)
	}
	body := string(alertmanagerBatch(12)) // more than smallList: the json.Decoder path too
	mixed := strings.Replace(body, `{"status":"firing"`, `{"st\u0061tus":"firing"`, 1)
	for _, b := range []string{body, mixed} {
		events, err := ParseAlertmanager([]byte(b))
		if err != nil || len(events) != 12 {
			t.Fatalf("parse: %d events, %v", len(events), err)
		}
	}
}

// FuzzWebhookAlertWalk compares the walk with encoding/json on any valid
// JSON object.
func FuzzWebhookAlertWalk(f *testing.F) {
	for _, c := range webhookAlertCases() {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) || !strings.HasPrefix(strings.TrimLeft(s, " \t\r\n"), "{") {
			return
		}
		checkWalk(t, strings.TrimLeft(s, " \t\r\n"))
	})
}

// checkWalk compares the walk of obj with encoding/json's decode and says
// whether the walk read it.
func checkWalk(t *testing.T, obj string) bool {
	t.Helper()
	var got, want webhookAlert
	if err := json.Unmarshal([]byte(obj), &want); err != nil {
		t.Fatalf("%q: %v", obj, err)
	}
	if !got.walk([]byte(strings.TrimRight(obj, " \t\r\n")), &interner{}) {
		return false
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n walk          %+v\n encoding/json %+v", obj, got, want)
	}
	return true
}

// webhookPayloadCases are notifications and the shapes of their top level
// a lenient decoder must survive.
func webhookPayloadCases() []string {
	return []string{
		string(alertmanagerBatch(3)), `{}`, ` {"alerts":[]} `, `{"alerts":null,"version":null}`,
		`{"VERSION":"4","GroupKey":"{}:{}","groupLabels":{"a":"b"},"commonLabels":{"alertname":"X"},"receiver":"r","externalURL":"http://am"}`,
		`{"version":4,"groupKey":[],"groupLabels":"x","commonLabels":[1],"receiver":{},"externalURL":true,"alerts":{}}`,
		`{"alerts":[{},1,"x",null,[]],"alerts":[{"status":"firing"}]}`,
		`{"v\u0065rsion":"4"}`, `{"vérsion":"4"}`, `{"a-key-longer-than-sixteen-bytes":1,"version":"4"}`,
		`{"title":"[FIRING:1]","state":"alerting","message":"m","orgId":1,"truncatedAlerts":0,"version":"1"}`,
	}
}

// TestWebhookPayloadWalk: the walk reads a notification's top level as
// encoding/json does, or gives up.
func TestWebhookPayloadWalk(t *testing.T) {
	gaveUp := 0
	for _, c := range webhookPayloadCases() {
		if !checkPayloadWalk(t, strings.TrimSpace(c)) {
			gaveUp++
		}
	}
	if gaveUp != 2 { // the escaped key and the non-ASCII one
		t.Errorf("the walk gave up on %d cases, want 2", gaveUp)
	}
}

// FuzzWebhookPayloadWalk compares the walk with encoding/json on any
// valid JSON object.
func FuzzWebhookPayloadWalk(f *testing.F) {
	for _, c := range webhookPayloadCases() {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = strings.TrimSpace(s)
		if !json.Valid([]byte(s)) || !strings.HasPrefix(s, "{") {
			return
		}
		checkPayloadWalk(t, s)
	})
}

// checkPayloadWalk compares the walk of obj with encoding/json's decode
// and says whether the walk read it.
func checkPayloadWalk(t *testing.T, obj string) bool {
	t.Helper()
	var got, want webhookPayload
	if err := json.Unmarshal([]byte(obj), &want); err != nil {
		t.Fatalf("%q: %v", obj, err)
	}
	if !got.walk([]byte(obj), &interner{}) {
		return false
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n walk          %+v\n encoding/json %+v", obj, got, want)
	}
	return true
}
