package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/hypercare/hypercare"
)

// The fuzz targets check invariants every caller relies on: no panic; on
// success every event is well-formed (valid action, clean strings, valid
// severity for triggers, valid UTF-8 JSON details, limits kept, UTC
// times); on failure an invalid_argument error naming at least one problem.

func cleanString(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

func checkEvent(t *testing.T, e hypercare.Event) {
	t.Helper()
	switch e.Action {
	case hypercare.ActionTrigger:
		if !e.Severity.Valid() {
			t.Fatalf("trigger with severity %q", e.Severity)
		}
	case hypercare.ActionAcknowledge, hypercare.ActionResolve:
		if e.Severity != "" && !e.Severity.Valid() {
			t.Fatalf("severity %q", e.Severity)
		}
		if e.DedupKey == "" {
			t.Fatalf("%s without dedup key", e.Action)
		}
	default:
		t.Fatalf("invalid action %q", e.Action)
	}
	strs := []string{e.RoutingKey, e.DedupKey, e.Summary, e.Source, string(e.Severity), e.Component,
		e.Group, e.Class, e.Client, e.ClientURL}
	for _, l := range e.Links {
		strs = append(strs, l.Href, l.Text)
	}
	for _, im := range e.Images {
		strs = append(strs, im.Src, im.Href, im.Alt)
	}
	for _, s := range strs {
		if !cleanString(s) {
			t.Fatalf("unclean string %q in %+v", s, e)
		}
	}
	if runeLen(e.Summary) > maxSummary || runeLen(e.DedupKey) > maxDedupKey {
		t.Fatalf("limits exceeded: summary %d, dedup key %d runes", runeLen(e.Summary), runeLen(e.DedupKey))
	}
	if e.Timestamp != nil && (e.Timestamp.Location() != time.UTC || !inRange(*e.Timestamp)) {
		t.Fatalf("timestamp not UTC or out of range: %v", e.Timestamp)
	}
	checkJSON(t, e.CustomDetails)
	if _, err := json.Marshal(e); err != nil {
		t.Fatalf("event does not encode: %v", err)
	}
}

func checkJSON(t *testing.T, b json.RawMessage) {
	t.Helper()
	if b == nil {
		return
	}
	var v any
	if !utf8.Valid(b) || json.Unmarshal(b, &v) != nil || hasNUL(v) {
		t.Fatalf("custom details not clean JSON: %q", b)
	}
}

// hasNUL reports whether a decoded JSON value holds a NUL in any string or
// key (PostgreSQL's jsonb rejects them).
func hasNUL(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.IndexByte(x, 0) >= 0
	case []any:
		for _, e := range x {
			if hasNUL(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range x {
			if strings.IndexByte(k, 0) >= 0 || hasNUL(e) {
				return true
			}
		}
	}
	return false
}

func checkFailure(t *testing.T, err error) {
	t.Helper()
	var he *hypercare.Error
	if !errors.As(err, &he) {
		t.Fatalf("error %v (%T) is not a *hypercare.Error", err, err)
	}
	if he.Code != hypercare.CodeInvalid || len(he.Details) == 0 {
		t.Fatalf("error %v: code %q, %d details", err, he.Code, len(he.Details))
	}
	// The answer is bounded whatever the body holds: MaxProblems listed
	// problems and one "…and N more" entry, each of bounded length.
	if len(he.Details) > MaxProblems+1 {
		t.Fatalf("%d details, want at most %d", len(he.Details), MaxProblems+1)
	}
	size := 0
	for _, d := range he.Details {
		size += len(d.Field) + len(d.Message)
	}
	if size > (MaxProblems+1)*1024 {
		t.Fatalf("details of %d bytes", size)
	}
	for _, d := range he.Details {
		if d.Field == "" || d.Message == "" || !cleanString(d.Field) || !cleanString(d.Message) {
			t.Fatalf("bad detail %q", d)
		}
	}
}

func checkBatch(t *testing.T, events []hypercare.Event, err error) {
	t.Helper()
	if err != nil {
		if events != nil {
			t.Fatalf("events returned with an error")
		}
		checkFailure(t, err)
		return
	}
	for _, e := range events {
		checkEvent(t, e)
	}
}

// commonSeeds are hostile inputs every parser gets.
var commonSeeds = []string{
	``, ` `, `null`, `[]`, `{}`, `"x"`, `{`, `{"a":1}x`, "\xff", "{\"a\":\"\xff\"}",
	`{"a":"\u0000\ud800"}`, strings.Repeat("[", 100) + strings.Repeat("]", 100),
	`{"links":[` + strings.Repeat("1,", 50) + `1],"alerts":[` + strings.Repeat("1,", 50) + `1],"events":[` + strings.Repeat("1,", 50) + `1]}`,
	`[` + strings.Repeat("1,", 50) + `1]`,
	`{"payload":{"timestamp":"9999-12-31T23:59:59-23:59"},"timestamp":"0001-01-01T00:00:00+01:00",` +
		`"alerts":[{"startsAt":"9999-12-31T23:59:59-23:59","endsAt":"0000-01-01T00:00:00Z"}]}`,
}

func FuzzParseEventsV2(f *testing.F) {
	for _, s := range append(commonSeeds, openAPITrigger, goClientTrigger,
		`{"routing_key":"`+testKey+`","event_action":"resolve","dedup_key":"k","payload":{"summary":1}}`,
		`{"routing_key":"`+testKey+`","event_action":"acknowledge","dedup_key":"\ud800"}`,
		`{"routing_key":"`+testKey+`","event_action":"trigger","payload":{"summary":" \u0000 ","source":"s","severity":"info",`+
			`"timestamp":"2015-07-17 08:42:58+0000","custom_details":{"\u0000":"\udc00"}},"links":[null,{"href":"\u0000"}]}`,
		`{"routing_key":"`+testKey+`","event_action":"trigger","payload":"x"}`,
	) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		peeked, peekOK := PeekRoutingKey(body, false)
		if peekOK && (len(peeked) != keyLength || strings.IndexFunc(peeked, notAlphanumeric) >= 0) {
			t.Fatalf("PeekRoutingKey returned malformed key %q", peeked)
		}
		e, err := ParseEventsV2(body)
		if err != nil {
			checkFailure(t, err)
			return
		}
		// The cheap first pass the API uses agrees with the full parse.
		if !peekOK || peeked != e.RoutingKey {
			t.Fatalf("PeekRoutingKey = %q, %v; ParseEventsV2 routing key %q", peeked, peekOK, e.RoutingKey)
		}
		checkEvent(t, e)
		if len(e.RoutingKey) != keyLength || strings.IndexFunc(e.RoutingKey, notAlphanumeric) >= 0 {
			t.Fatalf("routing key %q accepted", e.RoutingKey)
		}
		if e.Action == hypercare.ActionTrigger && (e.Summary == "" || e.Source == "") {
			t.Fatalf("trigger without summary or source: %+v", e)
		}
	})
}

func FuzzParseChangeV2(f *testing.F) {
	for _, s := range append(commonSeeds, docsChange,
		`{"routing_key":"`+testKey+`","payload":{"summary":"x","timestamp":"2020-07-17T08:42:58Z","custom_details":"\u0000"}}`,
		`{"routing_key":"`+testKey+`","payload":[],"links":[{"href":1}]}`,
	) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		key, c, err := ParseChangeV2(body)
		if err != nil {
			checkFailure(t, err)
			return
		}
		if len(key) != keyLength || c.Summary == "" || runeLen(c.Summary) > maxSummary ||
			!cleanString(c.Summary) || !cleanString(c.Source) || c.Timestamp.Location() != time.UTC ||
			(!c.Timestamp.IsZero() && !inRange(c.Timestamp)) {
			t.Fatalf("bad change event %q %+v", key, c)
		}
		for _, l := range c.Links {
			if l.Href == "" || !cleanString(l.Href) || !cleanString(l.Text) {
				t.Fatalf("bad link %+v", l)
			}
		}
		checkJSON(t, c.CustomDetails)
	})
}

func FuzzParseEventsV1(f *testing.F) {
	for _, s := range append(commonSeeds, v1Example,
		`{"service_key":"`+testKey+`","event_type":"resolve","incident_key":"k","details":{"firing":"\u0000"}}`,
		`{"service_key":"`+testKey+`","event_type":"trigger","description":"d","contexts":[{"type":"image","text":"t","src":"s"},{}]}`,
	) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := ParseEventsV1(body)
		if err != nil {
			checkFailure(t, err)
			return
		}
		checkEvent(t, e)
		if k, ok := PeekRoutingKey(body, true); !ok || k != e.RoutingKey {
			t.Fatalf("PeekRoutingKey = %q, %v; ParseEventsV1 service key %q", k, ok, e.RoutingKey)
		}
	})
}

// FuzzCleanJSON checks the byte-level scrubber against encoding/json: the
// cleaned text is valid UTF-8 JSON without NUL or surrogate escapes, and
// means what encoding/json reads from the original with NUL characters
// replaced (encoding/json already reads invalid UTF-8 and lone surrogates
// as U+FFFD).
func FuzzCleanJSON(f *testing.F) {
	for _, s := range []string{`{"a":"\u0000"}`, `["\ud83d\ude00","\udc00","\ud800\u0041"]`, "[\"\xff\xfe\"]",
		`{"k\\u0000":"\\\u0000"}`, `[1e400, -0.0, 12345678901234567890123]`, `{"\uD800":{"\u0000":[]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			return
		}
		got := cleanJSON(raw)
		if got == nil {
			return
		}
		if !json.Valid(got) || !utf8.Valid(got) || hasNULEscape(got) {
			t.Fatalf("cleanJSON(%q) = %q: not clean JSON", raw, got)
		}
		var want, have any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		_ = dec.Decode(&want)
		dec = json.NewDecoder(bytes.NewReader(got))
		dec.UseNumber()
		_ = dec.Decode(&have)
		if !reflect.DeepEqual(replaceNUL(want), have) {
			t.Fatalf("cleanJSON(%q) = %q: means %#v, want %#v", raw, got, have, replaceNUL(want))
		}
	})
}

// hasNULEscape reports a \u0000 or surrogate escape that is really one
// (not an escaped backslash followed by "u0000").
func hasNULEscape(b []byte) bool {
	for i := 0; i+1 < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if b[i+1] == 'u' && i+6 <= len(b) {
			if r := hex4(b[i+2 : i+6]); r == 0 || utf16.IsSurrogate(r) {
				return true
			}
		}
		i++ // skip the escaped character
	}
	return false
}

// replaceNUL is the meaning cleanJSON must keep: NUL as U+FFFD.
func replaceNUL(v any) any {
	switch x := v.(type) {
	case string:
		return strings.ReplaceAll(x, "\x00", "\uFFFD")
	case []any:
		for i := range x {
			x[i] = replaceNUL(x[i])
		}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[strings.ReplaceAll(k, "\x00", "\uFFFD")] = replaceNUL(e)
		}
		return out
	}
	return v
}

func FuzzParseAlertmanager(f *testing.F) {
	f.Add(readTestdata(f, "alertmanager_v4.json"))
	f.Add(alertmanagerBatch(3))
	for _, s := range append(commonSeeds, minimalAM,
		`{"version":"4","alerts":[{"status":"resolved","labels":{"\u0000":"\xff"},"endsAt":"0001-01-01T00:00:00Z"}]}`,
		`{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"a","severity":"PAGE"},"annotations":{"summary":"   "}}]}`,
		`{"version":"3","alerts":[]}`,
	) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParseAlertmanager(body)
		checkBatch(t, events, err)
		checkOpen(t, body, events, err, OpenAlertmanager)
	})
}

// checkOpen checks that the server's way in (Open, then Each) agrees with
// the capped parse: the same events, in one call, or a refusal too.
func checkOpen(t *testing.T, body []byte, events []hypercare.Event, err error, open func([]byte) (*Batch, error)) {
	b, oerr := open(body)
	if err != nil {
		if oerr == nil && b.Len() <= MaxBatch {
			t.Fatalf("Open took a body the parse refused: %v", err)
		}
		return
	}
	if oerr != nil {
		t.Fatalf("Open refused a body the parse took: %v", oerr)
	}
	var got []hypercare.Event
	calls := 0
	if err := b.Each(func(chunk []hypercare.Event) error { calls++; got = append(got, chunk...); return nil }); err != nil {
		t.Fatal(err)
	}
	if calls != 1 || b.Len() != len(events) || len(got) > 0 && !reflect.DeepEqual(got, events) {
		t.Fatalf("Each handed out %d events in %d calls, want the parse's %d in one", len(got), calls, len(events))
	}
}

func FuzzParseGrafana(f *testing.F) {
	f.Add(readTestdata(f, "grafana_v1.json"))
	for _, s := range append(commonSeeds,
		`{"version":"1","alerts":[{"status":"firing","labels":{"alertname":"TestAlert","instance":"Grafana"},"values":{"A":1e308},"imageURL":"x"}]}`,
		`{"version":"1","alerts":[{"status":"resolved","fingerprint":"f","values":"\ud800"}]}`,
	) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParseGrafana(body)
		checkBatch(t, events, err)
		checkOpen(t, body, events, err, OpenGrafana)
	})
}

func FuzzParseGeneric(f *testing.F) {
	for _, s := range append(commonSeeds,
		`{"summary":"disk full"}`,
		`{"events":[{"summary":"a","severity":"p1","links":["https://x",{"href":"y"}]},{"status":"ok","id":"k"}]}`,
		`[{"title":"t","details":[1,"\u0000"],"timestamp":"2024-05-01T12:00:00+02:00"}]`,
		`{"action":"resolve","dedup_key":"k","severity":"LOW","message":"\u0000"}`,
		`{"events":[null]}`,
	) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParseGeneric(body)
		checkBatch(t, events, err)
	})
}
