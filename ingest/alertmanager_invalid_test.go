package ingest

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
)

const minimalAM = `{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"A"},"fingerprint":"aaaaaaaaaaaaaaaa"}]}`

func TestLabelsFingerprintMatchesPrometheus(t *testing.T) {
	// Grafana's test notification carries these labels and this fingerprint,
	// computed by prometheus/common's LabelSet.Fingerprint.
	got := labelsFingerprint(map[string]string{"alertname": "TestAlert", "instance": "Grafana"})
	eq(t, "fingerprint", got, "57c6d9296de2ad39")
	// The empty label set hashes to the FNV-1a offset basis.
	eq(t, "empty", labelsFingerprint(nil), "cbf29ce484222325")

	// A fingerprint-less alert gets the same key as the fingerprinted one.
	body := `{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"TestAlert","instance":"Grafana"}}]}`
	events, err := ParseAlertmanager([]byte(body))
	if err != nil {
		t.Fatal(PDErrors(err))
	}
	eq(t, "derived dedup key", events[0].DedupKey, "57c6d9296de2ad39")
}

func TestParseAlertmanagerMinimal(t *testing.T) {
	events, err := ParseAlertmanager([]byte(minimalAM))
	if err != nil {
		t.Fatal(PDErrors(err))
	}
	got := summarize(events[0])
	want := summaryOf{Action: hypercare.ActionTrigger, DedupKey: "aaaaaaaaaaaaaaaa", Summary: "A",
		Source: "alertmanager", Severity: hypercare.SeverityError, Class: "A"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	// An empty batch is valid and yields no events.
	events, err = ParseAlertmanager([]byte(`{"version":"4","alerts":[]}`))
	if err != nil || len(events) != 0 {
		t.Errorf("empty batch: %v, %v", events, err)
	}
	// Long annotations are shortened, not rejected: a batch must not be lost.
	events, err = ParseAlertmanager(mutate(t, minimalAM, "alerts", raw(`[{"status":"firing","labels":{"alertname":"A"},`+
		`"annotations":{"summary":"`+strings.Repeat("x", 5000)+`"}}]`)))
	if err != nil || runeLen(events[0].Summary) != maxSummary {
		t.Errorf("long summary: %v", err)
	}
}

func TestParseAlertmanagerInvalid(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want []hypercare.FieldError
	}{
		{"version 3", mutate(t, minimalAM, "version", "3"), []hypercare.FieldError{
			fe("version", `'version' is invalid (Hypercare accepts Alertmanager webhook version 4, got "3")`)}},
		{"no version", mutate(t, minimalAM, "version", del), []hypercare.FieldError{
			fe("version", "'version' is missing or blank (Hypercare accepts Alertmanager webhook version 4)")}},
		{"numeric version", mutate(t, minimalAM, "version", 4), []hypercare.FieldError{
			fe("version", "'version' must be a string")}},
		{"no alerts", mutate(t, minimalAM, "alerts", del), []hypercare.FieldError{
			fe("alerts", "'alerts' is missing or blank")}},
		{"alerts not an array", mutate(t, minimalAM, "alerts", raw(`{}`)), []hypercare.FieldError{
			fe("alerts", "'alerts' must be an array")}},
		{"one bad alert rejects the batch", mutate(t, minimalAM, "externalURL", 5, "alerts", raw(`[
			{"status":"firing","labels":{"alertname":"ok"}},
			"not an alert",
			{"status":"pending","labels":{"alertname":"x","severity":3},"annotations":[],"startsAt":"soon"},
			{"labels":{},"fingerprint":"a\u0000"},
			{"status":"resolved"}]`)),
			[]hypercare.FieldError{
				fe("externalURL", "'externalURL' must be a string"),
				fe("alerts[1]", "'alerts[1]' must be an object"),
				fe("alerts[2].labels.severity", "'alerts[2].labels.severity' must be a string"),
				fe("alerts[2].annotations", "'alerts[2].annotations' must be an object"),
				fe("alerts[2].status", "'alerts[2].status' is invalid (must be one of the following: 'firing' or 'resolved')"),
				fe("alerts[2].startsAt", "'alerts[2].startsAt' is invalid ("+tsRule+")"),
				fe("alerts[3].status", "'alerts[3].status' is missing or blank"),
				fe("alerts[3].fingerprint", "'alerts[3].fingerprint' must not contain NUL characters or invalid UTF-8"),
				fe("alerts[4].fingerprint", "'alerts[4].fingerprint' is missing or blank, and there are no labels to derive it from")}},
		{"mistyped alert fields", mutate(t, minimalAM, "alerts", raw(`[
			{"status":1,"labels":{"a":"b"},"fingerprint":"`+strings.Repeat("f", 256)+`","endsAt":7}]`)),
			[]hypercare.FieldError{
				fe("alerts[0].status", "'alerts[0].status' must be a string"),
				fe("alerts[0].fingerprint", "'alerts[0].fingerprint' is too long (maximum is 255 characters)"),
				fe("alerts[0].endsAt", "'alerts[0].endsAt' must be a string")}},
		{"more problems than listed", mutate(t, minimalAM, "alerts", raw(`[`+strings.Repeat(`"x",`, 12)+`"x"]`)),
			append(manyWrong(10), fe("body", "…and 3 more problems"))},
		{"not an object", []byte(`[]`), []hypercare.FieldError{fe("body", "the request body must be a JSON object")}},
		{"not JSON", []byte(`{"version":`), []hypercare.FieldError{fe("body", "JSON parse error at offset 11")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events, err := ParseAlertmanager(tc.body)
			if events != nil {
				t.Errorf("events returned with an error: %+v", events)
			}
			wantProblems(t, err, tc.want...)
		})
	}
}

// manyWrong is the first n problems of an alerts array of strings.
func manyWrong(n int) []hypercare.FieldError {
	out := make([]hypercare.FieldError, n)
	for i := range out {
		f := "alerts[" + strconv.Itoa(i) + "]"
		out[i] = fe(f, "'"+f+"' must be an object")
	}
	return out
}

// TestManyWrongLabels: a label set of numbers is refused with the first
// problems listed and the rest counted, each label once however often its
// key repeats, and a key whose last value is a string is not a problem.
func TestManyWrongLabels(t *testing.T) {
	_, err := ParseAlertmanager(wrongLabels(1000))
	var he *hypercare.Error
	if !errors.As(err, &he) || len(he.Details) != MaxProblems+1 ||
		!strings.Contains(he.Details[MaxProblems].Message, "990 more") {
		t.Fatalf("1,000 wrong labels: %v", err)
	}
	body := `{"version":"4","alerts":[{"status":"firing","fingerprint":"aaaaaaaaaaaaaaaa","labels":{"a":1,"a":2,"b":3,"b":"fixed"}}]}`
	_, err = ParseAlertmanager([]byte(body))
	wantProblems(t, err, fe("alerts[0].labels.a", "'alerts[0].labels.a' must be a string"))
}
